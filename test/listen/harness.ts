import { pino } from 'pino';
import { parseConfig } from '../../src/config.ts';
import type { Actor } from '../../src/core/adapter.ts';
import { systemClock, type Clock } from '../../src/core/clock.ts';
import { createAudioHub, type AudioHub } from '../../src/listen/hub.ts';
import { LinkSigner, newNonce } from '../../src/listen/links.ts';
import { startListenServer, type ListenServer } from '../../src/listen/server.ts';
import { SensorClient } from '../../src/sensor/client.ts';
import type { SimCall } from '../../src/sim/calls.ts';
import { startEmbeddedSensor, type EmbeddedSensor } from '../../src/sim/sensor/server.ts';
import type { AuditRecord, AuditStore, KeyValueStore } from '../../src/store/types.ts';

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
  /** Closes the listen server (dropping every WebSocket) and starts it again on the same port: a bot restart. */
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

export const testActor: Actor = { platform: 'slack', userId: 'U777', displayName: 'Alice Tester', groups: [] };

export function simCall(callId: string, caller: string, called: string): SimCall {
  return { callId, caller, callerName: `Caller ${caller}`, called, startedAt: Date.now() - 65_000, codec: 'PCMU' };
}

export interface HarnessOptions {
  readonly singleUse?: boolean;
  readonly pollMs?: number;
  readonly initial?: SimCall[];
  readonly kv?: KeyValueStore;
  readonly pruneEveryMs?: number;
  /** The listen server's clock (link checks and expiry); tokens are minted relative to it. */
  readonly clock?: Clock;
}

/** A KeyValueStore in memory, as the SQLite one behaves. */
export function memoryKv(): KeyValueStore & { readonly data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, get: async (key) => data.get(key), set: async (key, value) => { data.set(key, value); } };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = options.clock ?? systemClock;
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
  const start = (port: number): Promise<ListenServer> => startListenServer({
    host: '127.0.0.1', port, signer, hub, sensors: [client], logger, audit: auditStore, singleUse: options.singleUse ?? false,
    ...(options.kv === undefined ? {} : { kv: options.kv }),
    ...(options.pruneEveryMs === undefined ? {} : { pruneEveryMs: options.pruneEveryMs }),
    clock,
  });
  let server = await start(0);
  return {
    sensor, client, hub, signer, calls, logLines, audit,
    get server() { return server; },
    async restartServer() {
      await server.close();
      server = await start(server.port);
    },
    async tokenFor(callId, opts = {}) {
      const call = (await client.listCalls()).find((c) => c.callId === callId);
      if (!call) throw new Error(`no call ${callId} on the embedded sensor`);
      return (opts.signer ?? signer).sign({
        sensor: 'sim', callref: call.callref, callId, actor: testActor, expiresAt: clock.now() + (opts.ttlMs ?? 60_000), nonce: newNonce(),
      });
    },
    async close() {
      await server.close();
      await hub.close();
      await sensor.stop();
    },
  };
}
