import { Writable } from 'node:stream';
import { createClient } from '@redis/client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { openRedisStore, type RedisStore } from '../../src/store/redis.ts';
import type { AuditRecord, WatchRecord } from '../../src/store/types.ts';
import { TestRedis } from '../helpers/redis-server.ts';

/**
 * Redis going away while the bot runs: reads fail fast with a store error (never hang), writes are
 * kept in memory and saved in order once Redis is back, and the log says so once per outage.
 */

let redis: TestRedis;
beforeAll(async () => { redis = await TestRedis.start(); });
afterAll(async () => { await redis.close(); });

interface LogLine { readonly level: number; readonly msg: string; readonly [field: string]: unknown }

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination: stream }), lines };
}

const watch: WatchRecord = {
  pbx: 'pbx1', room: '200', conversation: { platform: 'slack', id: 'C1' }, ref: { platform: 'slack', conversation: 'C1', id: '1.1' }, createdAt: 1, updatedAt: 1, createdBy: 'U1',
};

function audit(n: number): AuditRecord {
  return {
    at: n, correlationId: `c${n}`, actor: { platform: 'slack', userId: 'U1', displayName: 'alice' }, command: 'mute',
    pbx: 'pbx1', room: '200', target: undefined, decision: 'allowed', outcome: 'ok', detail: undefined,
  };
}

describe('a Redis store when Redis goes down and comes back', () => {
  let store: RedisStore;
  let log: ReturnType<typeof capturingLogger>;
  beforeEach(async () => {
    log = capturingLogger();
    store = await openRedisStore({ url: redis.url, logger: log.logger, commandTimeoutMs: 300 });
  });
  afterEach(async () => {
    await store.close();
    await redis.restart();
  });

  it('rejects reads with a store error at once, keeps writes, logs the outage once, and saves the writes in order when Redis is back', async () => {
    await redis.stop();
    await expect.poll(() => store.ready).toBe(false);

    await expect(store.kv.get('k')).rejects.toMatchObject({ code: 'store_error' });
    await expect(store.audit.query({})).rejects.toMatchObject({ code: 'store_error' });
    for (let n = 1; n <= 50; n++) await store.audit.append(audit(n));
    await store.watches.put(watch);
    await store.kv.set('k', 'first');
    await store.kv.set('k', 'second');
    await store.kv.set('gone', 'x');
    await store.kv.delete('gone');
    expect(store.backlog.pending).toBe(55);
    const warnings = log.lines.filter((l) => l.level >= 40);
    expect(warnings.map((l) => l.msg)).toEqual([
      'redis connection lost; serving from memory and reconnecting',
      'redis unavailable: the bot serves from memory and keeps store writes until redis is back',
    ]);

    await redis.restart();
    await expect.poll(() => store.ready, { timeout: 10_000 }).toBe(true);
    expect(await store.kv.get('k')).toBe('second');
    expect(await store.kv.get('gone')).toBeUndefined();
    expect(await store.watches.list()).toEqual([watch]);
    expect((await store.audit.query({ limit: 100 })).map((r) => r.at)).toEqual(Array.from({ length: 50 }, (_, i) => 50 - i));
    expect(store.backlog.pending).toBe(0);
    expect(log.lines.filter((l) => l.level >= 40)).toHaveLength(2);
    expect(log.lines.map((l) => l.msg)).toContain('redis is back: store writes kept during the outage are saved');
  });

  it('rejects a read within the command timeout when Redis stalls, and keeps a write until it answers again', async () => {
    const admin = createClient({ url: redis.url });
    await admin.connect();
    await admin.sendCommand(['CLIENT', 'PAUSE', '1500', 'ALL']);
    await expect(store.kv.get('k')).rejects.toMatchObject({ code: 'store_error' });
    await store.kv.set('k', 'during the stall');
    await admin.close();
    await expect.poll(() => store.backlog.pending, { timeout: 10_000 }).toBe(0);
    expect(await store.kv.get('k')).toBe('during the stall');
  });

  it('rejects an ack while Redis is down: who acked first cannot be known', async () => {
    await redis.stop();
    await expect.poll(() => store.ready).toBe(false);
    await expect(store.alerts.ack({ alertId: 'a1', ackedBy: 'U1', at: 1 })).rejects.toMatchObject({ code: 'store_error' });
    await expect(store.kv.setIfAbsent('listen.signingKey', 'k')).rejects.toMatchObject({ code: 'store_error' });
  });

  it('says how many kept writes are lost when the store closes before Redis is back', async () => {
    await redis.stop();
    await expect.poll(() => store.ready).toBe(false);
    await store.kv.set('a', '1');
    await store.kv.set('b', '2');
    await store.close();
    expect(log.lines.find((l) => l.msg === 'stopping while redis is down: store writes kept since the outage are lost')).toMatchObject({ lost: 2 });
  });

  it('rejects every lease call with a store error while Redis is down: no lease can be proven', async () => {
    const lease = await store.leases.acquire('room:pbx1/200', 10_000);
    await redis.stop();
    await expect.poll(() => store.ready).toBe(false);
    await expect(store.leases.acquire('room:pbx1/201', 10_000)).rejects.toMatchObject({ code: 'store_error' });
    await expect(store.leases.renew(lease!)).rejects.toMatchObject({ code: 'store_error' });
    await expect(store.leases.fenceValid('msgs', 'pbx1/200', lease!.fence)).rejects.toMatchObject({ code: 'store_error' });
    await expect(store.leases.fencedWrite('msgs', 'pbx1/200', lease!.fence, 'ref')).rejects.toMatchObject({ code: 'store_error' });
    await expect(store.leases.release(lease!)).rejects.toMatchObject({ code: 'store_error' });
  });
});
