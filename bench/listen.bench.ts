/**
 * Live listening under load: 1, 10 and 100 WebSocket listeners on one call (embedded sensor + hub +
 * listen server in this process; the listeners in a child process so their CPU is not counted as the
 * bot's). Prints sensor polls per second (must not grow with listeners), the bot's CPU per listener,
 * and the latency a chunk picks up between leaving the sensor and reaching a listener (p50/p99).
 * Latency pairs are exact: the synthetic audio is a pure function of the sample position, so every
 * readaudio reply has its own bytes, and a chunk a listener receives is matched to the reply with the
 * same SHA-1. A chunk delayed past later polls still pairs with the poll that produced it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { createAudioHub } from '../src/listen/hub.ts';
import { LinkSigner, newNonce } from '../src/listen/links.ts';
import { startListenServer } from '../src/listen/server.ts';
import { SensorClient } from '../src/sensor/client.ts';
import { shortText } from '../src/sensor/replies.ts';
import { startEmbeddedSensor } from '../src/sim/sensor/server.ts';

const LISTENER_COUNTS = [1, 10, 100];
const WINDOW_MS = 3000;
const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Runs in the child: opens `count` sockets, reports "ready" once each has audio, then (hash, receipt time) pairs on request. */
const CLIENTS = `
const WebSocket = require('ws');
const { createHash } = require('node:crypto');
const [url, count] = [process.argv[1], Number(process.argv[2])];
const origin = new URL(url.replace(/^ws/, 'http')).origin;
const receipts = [];
let ready = 0;
for (let i = 0; i < count; i++) {
  const ws = new WebSocket(url, { origin });
  let first = true;
  ws.on('message', (data, binary) => {
    if (!binary) return;
    receipts.push({ at: performance.timeOrigin + performance.now(), hash: createHash('sha1').update(data).digest('base64') });
    if (first) { first = false; if (++ready === count) process.send({ type: 'ready' }); }
  });
}
process.on('message', (m) => {
  if (m.type === 'collect') process.send({ type: 'receipts', receipts: receipts.filter((r) => r.at >= m.since) }, () => process.exit(0));
});
`;

function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function once<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string } & T): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`listener process exited (${code}) before "${type}"`)));
  });
}

interface Result {
  readonly listeners: number;
  readonly pollsPerSec: number;
  readonly cpuMsPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly deliveries: number;
  /** Receipts with no single matching sensor reply (should be 0). */
  readonly unmatched: number;
}

function chunkHash(pcm: Buffer): string {
  return createHash('sha1').update(pcm).digest('base64');
}

async function measure(listeners: number): Promise<Result> {
  /** Reply hash → when the sensor wrote it; NaN for the rare reply whose bytes repeat (cannot be paired exactly). */
  const audioSentAt = new Map<string, number>();
  const call = { callId: 'bench@sim', caller: '1001', callerName: 'Bench', called: '200', startedAt: Date.now(), codec: 'PCMU' as const };
  const sensor = await startEmbeddedSensor({
    calls: { calls: () => [call] },
    onReply: (command, reply) => {
      if (!command.startsWith('readaudio') || shortText(reply) !== undefined) return;
      const hash = chunkHash(reply);
      audioSentAt.set(hash, audioSentAt.has(hash) ? Number.NaN : wallNow());
    },
  });
  const config = parseConfig({ sensors: [{ id: 'sim', host: '127.0.0.1', port: sensor.port }] }).sensors[0];
  if (!config) throw new Error('no sensor config');
  const client = new SensorClient(config);
  const hub = createAudioHub({ sensors: [client], pollMs: 50 });
  const signer = new LinkSigner(Buffer.alloc(32, 5));
  const server = await startListenServer({ host: '127.0.0.1', port: 0, signer, hub, sensors: [client], logger: silentLogger(), singleUse: false });
  const [listed] = await client.listCalls();
  const token = signer.sign({
    sensor: 'sim', callref: listed?.callref ?? '', callId: call.callId,
    actor: { platform: 'bench', userId: 'bench', displayName: 'bench' }, expiresAt: Date.now() + 600_000, nonce: newNonce(),
  });
  const child = spawn(process.execPath, ['-e', CLIENTS, `${server.url.replace('http', 'ws')}/listen/${token}/ws`, String(listeners)], {
    cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    await once(child, 'ready');
    const since = wallNow();
    const polls0 = sensor.stats().commands['readaudio'] ?? 0;
    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const cpu = process.cpuUsage(cpu0);
    const elapsedSec = (wallNow() - since) / 1000;
    const polls = (sensor.stats().commands['readaudio'] ?? 0) - polls0;
    child.send({ type: 'collect', since });
    const { receipts } = await once<{ receipts: { at: number; hash: string }[] }>(child, 'receipts');
    const latencies = receipts.map((r) => r.at - (audioSentAt.get(r.hash) ?? Number.NaN)).filter(Number.isFinite).sort((a, b) => a - b);
    return {
      listeners,
      pollsPerSec: polls / elapsedSec,
      cpuMsPerSec: (cpu.user + cpu.system) / 1000 / elapsedSec,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      deliveries: latencies.length,
      unmatched: receipts.length - latencies.length,
    };
  } finally {
    child.kill();
    await server.close();
    await hub.close();
    await sensor.stop();
  }
}

export async function run(): Promise<void> {
  const results: Result[] = [];
  for (const n of LISTENER_COUNTS) results.push(await measure(n));
  const base = results[0];
  if (!base) return;
  const rows = results.map((r) => [
    String(r.listeners).padStart(9),
    r.pollsPerSec.toFixed(1).padStart(9),
    `${(r.pollsPerSec / base.pollsPerSec).toFixed(2)}x`.padStart(10),
    (r.cpuMsPerSec / r.listeners).toFixed(3).padStart(16),
    `${(r.cpuMsPerSec / base.cpuMsPerSec).toFixed(2)}x`.padStart(12),
    (r.listeners === 1 ? '-' : ((r.cpuMsPerSec - base.cpuMsPerSec) / (r.listeners - 1)).toFixed(3)).padStart(15),
    r.p50.toFixed(2).padStart(8),
    r.p99.toFixed(2).padStart(8),
    String(r.deliveries).padStart(10),
    String(r.unmatched).padStart(9),
  ].join(' '));
  process.stdout.write([
    'listeners  polls/s  vs 1 lst  bot CPU ms/s/lst  CPU vs 1 lst  ms/s per added  p50 ms  p99 ms  deliveries  unmatched',
    ...rows,
    'polls/s stays flat: one sensor session per call. Bot CPU includes the embedded sensor (same process);',
    '"ms/s per added" is the marginal cost of one more listener. Latency: sensor reply written → the same bytes received',
    'by a listener (loopback), paired exactly by content hash; "unmatched" receipts had no unique reply to pair with.',
    '',
  ].join('\n'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
