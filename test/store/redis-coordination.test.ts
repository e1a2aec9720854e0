import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/kernel/clock.ts';
import { RedisCoordination } from '../../src/store/redis-coordination.ts';
import { openRedisStore, type RedisStore } from '../../src/store/redis.ts';
import { TestRedis } from '../helpers/redis-server.ts';

let redis: TestRedis;
beforeAll(async () => { redis = await TestRedis.start(); });
afterAll(async () => { await redis.close(); });

const log = pino({ level: 'silent' });
const running: { store: RedisStore; coordination: RedisCoordination }[] = [];
let prefix = 0;
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.coordination.stop().catch(() => undefined);
    await r.store.close();
  }
});

async function replicas(n: number, ttlMs: number): Promise<RedisCoordination[]> {
  prefix += 1;
  const out: RedisCoordination[] = [];
  for (let i = 0; i < n; i += 1) {
    const store = await openRedisStore({ url: redis.url, prefix: `co${prefix}:`, maxReconnectDelayMs: 200 });
    const coordination = new RedisCoordination({ connection: store.connection, leases: store.leases, clock: systemClock, logger: log, ttlMs });
    running.push({ store, coordination });
    out.push(coordination);
  }
  return out;
}

describe('coordination on Redis', () => {
  it('gives a name to one replica and lets a later owner supersede the earlier one\'s fenced record', async () => {
    const [a, b] = await replicas(2, 10_000);
    a!.want('status:m1');
    await a!.round();
    b!.want('status:m1');
    await b!.round();
    const fenceA = a!.fence('status:m1');
    expect(fenceA).toBe(1);
    expect(b!.fence('status:m1')).toBeUndefined();
    expect(await a!.fencedPut('status:m1', 1, 'ref-1')).toBe(true);
    await a!.drop('status:m1');
    await expect.poll(async () => { await b!.round(); return b!.fence('status:m1'); }, { timeout: 3_000, interval: 20 }).toBe(2);
    expect(await b!.fencedPut('status:m1', 2, 'ref-1')).toBe(true);
    expect(await a!.fenceValid('status:m1', 1)).toBe(false);
    expect(await a!.fencedPut('status:m1', 1, 'ref-0')).toBe(false);
  });

  it('claims a key once across replicas', async () => {
    const [a, b] = await replicas(2, 10_000);
    expect(await Promise.all([a!.claimOnce('alert:r|x', 60_000), b!.claimOnce('alert:r|x', 60_000)])).toEqual(expect.arrayContaining([true, false]));
  });

  it('queues items from several replicas for one reader: none lost, none taken twice, in each sender\'s order', async () => {
    const [a, b, owner] = await replicas(3, 10_000);
    const sent = Array.from({ length: 200 }, (_, i) => `p${i}`);
    const taken: string[] = [];
    const sending = Promise.all(sent.map((item, i) => (i % 2 === 0 ? a! : b!).send('presses', item)));
    // The reader takes while the senders push: an item pushed between its read and its clear would be lost.
    for (let i = 0; i < 20; i += 1) taken.push(...await owner!.receive('presses'));
    await sending;
    taken.push(...await owner!.receive('presses'));
    expect([...taken].sort()).toEqual([...sent].sort());
    const fromA = taken.filter((t) => Number(t.slice(1)) % 2 === 0);
    expect(fromA).toEqual(sent.filter((_, i) => i % 2 === 0));
    expect(await owner!.receive('presses')).toEqual([]);
  });

  it('hands a dead owner\'s name to another replica within ttl + 1 s, and tells it', async () => {
    const [a, b] = await replicas(2, 600);
    a!.want('alerts');
    await a!.round();
    const won: number[] = [];
    b!.onChange((name, fence) => { if (name === 'alerts' && fence !== undefined) won.push(fence); });
    b!.want('alerts');
    b!.start();
    // `a` dies: its link is cut, it never renews nor releases; only Redis's expiry frees the name.
    await running[0]!.store.close();
    const diedAt = Date.now();
    await expect.poll(() => won, { timeout: 3_000, interval: 20 }).toEqual([2]);
    expect(Date.now() - diedAt).toBeLessThan(600 + 1_000);
  });

  it('is unhealthy and proves no ownership while Redis is down, and recovers when it is back', async () => {
    const [a] = await replicas(1, 600);
    a!.want('status:m2');
    a!.start();
    await expect.poll(() => a!.fence('status:m2'), { timeout: 3_000, interval: 20 }).toBe(1);
    await redis.stop();
    await expect.poll(() => a!.healthy(), { timeout: 3_000, interval: 20 }).toBe(false);
    await expect.poll(() => a!.fence('status:m2'), { timeout: 3_000, interval: 20 }).toBeUndefined();
    await redis.restart();
    await expect.poll(() => a!.healthy(), { timeout: 5_000, interval: 20 }).toBe(true);
    await expect.poll(() => a!.fence('status:m2'), { timeout: 5_000, interval: 20 }).toBeDefined();
  });
});
