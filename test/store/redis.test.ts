import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openRedisStore, type RedisStore } from '../../src/store/redis.ts';
import { TestRedis } from '../helpers/redis-server.ts';

let redis: TestRedis;
beforeAll(async () => { redis = await TestRedis.start(); });
afterAll(async () => { await redis.close(); });

let prefixSeq = 0;
async function open(): Promise<RedisStore> {
  prefixSeq += 1;
  return openRedisStore({ url: redis.url, prefix: `t${prefixSeq}:`, newToken: (() => { let n = 0; return () => `tok${(n += 1)}`; })() });
}

describe('redis leases', () => {
  let a: RedisStore;
  let b: RedisStore;
  beforeEach(async () => {
    a = await open();
    b = await openRedisStore({ url: redis.url, prefix: a.connection.prefix, newToken: () => 'other' });
  });
  afterEach(async () => { await a.close(); await b.close(); });

  it('gives a name to one holder at a time, with a larger fence on each new holder', async () => {
    const first = await a.leases.acquire('room:pbx1/200:slack/C1', 10_000);
    expect(first).toMatchObject({ fence: 1 });
    expect(await b.leases.acquire('room:pbx1/200:slack/C1', 10_000)).toBeUndefined();
    expect(await a.leases.release(first!)).toBe(true);
    const second = await b.leases.acquire('room:pbx1/200:slack/C1', 10_000);
    expect(second).toMatchObject({ fence: 2, token: 'other' });
  });

  it('never renews or releases a lease another holder took over after it expired', async () => {
    const first = await a.leases.acquire('incident:i1', 50);
    await expect.poll(() => b.leases.holder('incident:i1')).toBeUndefined(); // Redis expires keys by its own clock.
    const second = await b.leases.acquire('incident:i1', 10_000);
    expect(second).toBeDefined();
    expect(await a.leases.renew(first!)).toBe(false);
    expect(await a.leases.release(first!)).toBe(false);
    expect(await b.leases.holder('incident:i1')).toBe('other');
    expect(await b.leases.renew(second!)).toBe(true);
  });

  it('refuses a write under an older fence once a newer holder wrote', async () => {
    expect(await b.leases.fencedWrite('msgs', 'pbx1/200', 2, 'ref-from-b')).toBe(true);
    expect(await a.leases.fencedWrite('msgs', 'pbx1/200', 1, 'ref-from-a')).toBe(false);
    expect(await a.leases.fenceValid('msgs', 'pbx1/200', 1)).toBe(false);
    expect(await b.leases.fenceValid('msgs', 'pbx1/200', 2)).toBe(true);
    expect(await a.connection.client.hGet(a.connection.key('msgs'), 'pbx1/200')).toBe('ref-from-b');
  });
});

describe('redis store', () => {
  let store: RedisStore;
  beforeEach(async () => { store = await open(); });
  afterEach(async () => { await store.close(); });

  it('keeps watches, audit, acks and key-values like the other stores', async () => {
    const conversation = { platform: 'slack', id: 'C1', workspace: 'T1' };
    const watch = { pbx: 'pbx1', room: '200', conversation, ref: { platform: 'slack', conversation: 'C1', id: '1.2' }, createdAt: 1, updatedAt: 1, createdBy: 'U1' };
    await store.watches.put(watch);
    expect(await store.watches.find('pbx1', '200', conversation)).toEqual(watch);
    expect(await store.watches.list()).toEqual([watch]);
    for (let at = 1; at <= 3; at += 1) {
      await store.audit.append({
        at, correlationId: `c${at}`, actor: { platform: 'slack', userId: 'U1', displayName: 'alice' }, command: 'mute',
        pbx: 'pbx1', room: at === 3 ? '201' : '200', target: undefined, decision: 'allowed', outcome: 'ok', detail: undefined,
      });
    }
    expect((await store.audit.query({ pbx: 'pbx1', room: '200' })).map((r) => r.correlationId)).toEqual(['c2', 'c1']);
    expect((await store.audit.query({ limit: 2 })).map((r) => r.correlationId)).toEqual(['c3', 'c2']);
    expect(await store.alerts.ack({ alertId: 'a1', ackedBy: 'U1', at: 5 })).toBe(true);
    expect(await store.alerts.ack({ alertId: 'a1', ackedBy: 'U2', at: 6 })).toBe(false);
    expect((await store.alerts.acks('a1')).map((x) => x.ackedBy)).toEqual(['U1', 'U2']);
    await store.kv.set('k', 'v');
    expect(await store.kv.get('k')).toBe('v');
    expect(await store.kv.setIfAbsent('k', 'w')).toBe('v');
    await store.kv.delete('k');
    expect(await store.kv.get('k')).toBeUndefined();
  });

  it('fails a call fast with a store error while Redis is down, and works again once it is back', async () => {
    await redis.restart();
    await expect.poll(() => store.ready, { timeout: 10_000 }).toBe(true);
    await redis.stop();
    await expect.poll(() => store.ready).toBe(false);
    await expect(store.kv.get('k')).rejects.toMatchObject({ code: 'store_error' });
    await redis.restart();
    await expect.poll(() => store.ready, { timeout: 10_000 }).toBe(true);
    await store.kv.set('k', 'back');
    expect(await store.kv.get('k')).toBe('back');
  });
});
