import { pino } from 'pino';
import { parseConfig } from '../../src/config.ts';
import type { Actor } from '../../src/core/adapter.ts';
import { createAudioHub, type AudioHub } from '../../src/listen/hub.ts';
import { LinkSigner, newNonce } from '../../src/listen/links.ts';
import { startListenServer, type ListenServer } from '../../src/listen/server.ts';
import { SensorClient } from '../../src/sensor/client.ts';
import type { SimCall } from '../../src/sim/calls.ts';
import { startEmbeddedSensor, type EmbeddedSensor } from '../../src/sim/sensor/server.ts';
import type { AuditRecord, AuditStore } from '../../src/store/types.ts';

/** Embedded sensor + hub + listen server on loopback, with a log and audit the tests can read. */
export interface Harness {
  readonly sensor: EmbeddedSensor;
  readonly client: SensorClient;
  readonly hub: AudioHub;
  readonly server: ListenServer;
  readonly signer: LinkSigner;
  readonly calls: { list: SimCall[] };
  readonly logLines: string[];
  readonly audit: AuditRecord[];
  /** A token for the sensor's call with this Call-ID (expiry relative to now). */
  tokenFor(callId: string, options?: { ttlMs?: number; signer?: LinkSigner }): Promise<string>;
  close(): Promise<void>;
}

export const testActor: Actor = { platform: 'slack', userId: 'U777', displayName: 'Alice Tester', groups: [] };

export function simCall(callId: string, caller: string, called: string): SimCall {
  return { callId, caller, callerName: `Caller ${caller}`, called, startedAt: Date.now() - 65_000, codec: 'PCMU' };
}

export async function startHarness(options: { singleUse?: boolean; pollMs?: number; initial?: SimCall[] } = {}): Promise<Harness> {
  const calls = { list: options.initial ?? [simCall('alice-call@sim', '1001', '200')] };
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => { logLines.push(line); } });
  const sensor = await startEmbeddedSensor({ calls: { calls: () => calls.list } });
  const config = parseConfig({ sensors: [{ id: 'sim', host: '127.0.0.1', port: sensor.port }] }).sensors[0];
  if (!config) throw new Error('no sensor config');
  const client = new SensorClient(config, { logger });
  const hub = createAudioHub({ sensors: [client], pollMs: options.pollMs ?? 50, callCheckMs: 200, logger });
  const signer = new LinkSigner(Buffer.alloc(32, 42));
  const audit: AuditRecord[] = [];
  const auditStore: AuditStore = { append: async (r) => { audit.push(r); }, query: async () => audit };
  const server = await startListenServer({
    host: '127.0.0.1', port: 0, signer, hub, sensors: [client], logger, audit: auditStore, singleUse: options.singleUse ?? false,
  });
  return {
    sensor, client, hub, server, signer, calls, logLines, audit,
    async tokenFor(callId, opts = {}) {
      const call = (await client.listCalls()).find((c) => c.callId === callId);
      if (!call) throw new Error(`no call ${callId} on the embedded sensor`);
      return (opts.signer ?? signer).sign({
        sensor: 'sim', callref: call.callref, callId, actor: testActor, expiresAt: Date.now() + (opts.ttlMs ?? 60_000), nonce: newNonce(),
      });
    },
    async close() {
      await server.close();
      await hub.close();
      await sensor.stop();
    },
  };
}
