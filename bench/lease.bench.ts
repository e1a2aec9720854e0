/**
 * The cost of the lease on status edits: a replica checks its fencing token in Redis (one EVAL
 * round trip) before each edit of a status message. Edits go to a loopback HTTP server standing in
 * for the chat platform; the same edits without the check are the baseline of the same run. Needs
 * `redis-server` (started here on a free loopback port); without it the bench says so and skips.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { openRedisStore, type RedisStore } from '../src/store/redis.ts';
import { TestRedis, redisServerMissing } from '../test/helpers/redis-server.ts';

const EDITS = Number(process.env['LEASE_BENCH_EDITS'] ?? '2000');
const MESSAGES = 20;
const ROUNDS = 5;

/** A chat platform's edit endpoint that answers at once: the edit's cost is one loopback HTTP round trip. */
async function fakePlatform(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/chat.update` };
}

const agent = new Agent({ keepAlive: true, maxSockets: MESSAGES });

async function edit(url: string, message: number, n: number): Promise<void> {
  const body = JSON.stringify({ ts: `m${message}`, text: `edit ${n}` });
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.setNoDelay(true);
    req.end(body);
  });
}

/** Edits/s for `perMessage` edits on each of `messages` messages, the messages in parallel, each in order. */
async function rate(messages: number, perMessage: number, one: (message: number, n: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: messages }, async (_, m) => {
    for (let n = 0; n < perMessage; n++) await one(m, n);
  }));
  return (messages * perMessage) / ((performance.now() - started) / 1000);
}

async function measure(store: RedisStore, url: string, messages: number): Promise<{ plain: number; fenced: number }> {
  const perMessage = Math.max(1, Math.floor(EDITS / messages));
  const fences: number[] = [];
  for (let m = 0; m < messages; m++) {
    const lease = await store.leases.acquire(`room:bench-${messages}/${m}`, 60_000);
    if (lease === undefined) throw new Error('lease held by someone else');
    await store.leases.fencedWrite('bench-msgs', `m${m}`, lease.fence, `ref-m${m}`);
    fences.push(lease.fence);
  }
  const plain = (m: number, n: number) => edit(url, m, n);
  const fenced = async (m: number, n: number) => {
    if (!(await store.leases.fenceValid('bench-msgs', `m${m}`, fences[m] ?? 0))) throw new Error('fence lost');
    await edit(url, m, n);
  };
  // Warm-up of both paths (connections, JIT), then alternate so drift hits both alike.
  await rate(messages, 20, plain);
  await rate(messages, 20, fenced);
  const plains: number[] = [];
  const fenceds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    plains.push(await rate(messages, perMessage, plain));
    fenceds.push(await rate(messages, perMessage, fenced));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  return { plain: median(plains), fenced: median(fenceds) };
}

export async function run(): Promise<void> {
  const missing = redisServerMissing();
  if (missing !== undefined) {
    console.log(`lease: skipped, ${missing}`);
    return;
  }
  const redis = await TestRedis.start();
  const platform = await fakePlatform();
  const store = await openRedisStore({ url: redis.url, prefix: 'bench:' });
  try {
    console.log(`lease: fenced status edits (fenceValid in Redis, then the edit over loopback HTTP), ${EDITS} edits per run, median of ${ROUNDS} alternating runs`);
    for (const messages of [1, MESSAGES]) {
      const { plain, fenced } = await measure(store, platform.url, messages);
      console.log(`  ${String(messages).padStart(2)} message(s) in parallel: without lease ${plain.toFixed(0)} edits/s, with lease check ${fenced.toFixed(0)} edits/s; with/without ${(fenced / plain).toFixed(2)}×`);
    }
    console.log('  (a real platform allows about 1 edit/s per message, far below either rate: the check costs one Redis round trip per edit)');
  } finally {
    await store.close();
    await new Promise<void>((resolve) => platform.server.close(() => resolve()));
    platform.server.closeAllConnections();
    agent.destroy();
    await redis.close();
  }
}
