import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LeaseKeeper } from '../../src/store/lease-keeper.ts';
import { openRedisStore, type RedisStore } from '../../src/store/redis.ts';
import { FakeClock } from '../core/status-fakes.ts';
import { TestRedis } from '../helpers/redis-server.ts';

let redis: TestRedis;
beforeAll(async () => { redis = await TestRedis.start(); });
afterAll(async () => { await redis.close(); });

const log = pino({ level: 'silent' });
const stores: RedisStore[] = [];
let prefix = 0;
afterEach(async () => { await Promise.all(stores.splice(0).map((s) => s.close())); });

async function replicas(n: number, ttlMs: number): Promise<{ keeper: LeaseKeeper; clock: FakeClock; store: RedisStore }[]> {
  prefix += 1;
  const out = [];
  for (let i = 0; i < n; i += 1) {
    const store = await openRedisStore({ url: redis.url, prefix: `lk${prefix}:` });
    stores.push(store);
    const clock = new FakeClock();
    out.push({ keeper: new LeaseKeeper({ leases: store.leases, clock, log, ttlMs, acquireEveryMs: 100 }), clock, store });
  }
  return out;
}

describe('lease keeper', () => {
  it('lets one replica hold a name and hands it over with a larger fence when the holder lets go', async () => {
    const [a, b] = await replicas(2, 10_000);
    a!.keeper.want('room:pbx1/200:slack/C1');
    await a!.keeper.round();
    b!.keeper.want('room:pbx1/200:slack/C1');
    await b!.keeper.round();
    expect(a!.keeper.fence('room:pbx1/200:slack/C1')).toBe(1);
    expect(b!.keeper.fence('room:pbx1/200:slack/C1')).toBeUndefined();
    await a!.keeper.stop();
    await b!.keeper.round();
    expect(b!.keeper.fence('room:pbx1/200:slack/C1')).toBe(2);
    await b!.keeper.stop();
  });

  it('takes over from a holder that died without letting go once its lease expires in Redis', async () => {
    const [a, b] = await replicas(2, 300);
    a!.keeper.want('incident:i1');
    await a!.keeper.round();
    b!.keeper.want('incident:i1');
    // `a` never renews again (it died); Redis expires its lease after 300 ms by Redis's clock.
    await expect.poll(async () => { await b!.keeper.round(); return b!.keeper.fence('incident:i1'); }, { timeout: 5_000, interval: 50 }).toBe(2);
    await b!.keeper.stop();
  });

  it('stops trusting its lease before the ttl runs out when Redis cannot be reached', async () => {
    const [a] = await replicas(1, 10_000);
    a!.keeper.want('gateway:discord');
    await a!.keeper.round();
    expect(a!.keeper.fence('gateway:discord')).toBe(1);
    await redis.stop();
    await a!.clock.advance(5_000);
    await a!.keeper.round();
    expect(a!.keeper.fence('gateway:discord')).toBe(1);
    await a!.clock.advance(3_000);
    expect(a!.keeper.fence('gateway:discord')).toBeUndefined();
    await redis.restart();
  });
});
