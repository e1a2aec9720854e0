import { afterEach, describe, expect, it } from 'vitest';
import type { ChatAdapter } from '../../src/core/adapter.ts';
import { BotMetrics } from '../../src/ops/metrics.ts';
import { readinessChecks, STORE_PROBE_KEY } from '../../src/ops/readiness.ts';
import { SensorContacts } from '../../src/ops/sensors.ts';
import { openRedisStore } from '../../src/store/redis.ts';
import type { KeyValueStore, Store } from '../../src/store/types.ts';
import { TestRedis } from '../helpers/redis-server.ts';
import { FakeClock, FakeDirectory } from '../core/status-fakes.ts';
import { startOps, type Ops } from './scrape.ts';

const teardown: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of teardown.splice(0).reverse()) await fn();
});

/** A store whose kv reads answer as `get` says; nothing else of it is touched by the check. */
function storeReading(get: KeyValueStore['get']): Pick<Store, 'kv'> {
  return { kv: { get, set: async () => undefined, delete: async () => undefined } };
}

async function opsWithStore(store: Pick<Store, 'kv'>): Promise<Ops> {
  const metrics = new BotMetrics({ processMetrics: false });
  const checks = readinessChecks({
    directory: new FakeDirectory(new FakeClock()), adapters: new Map<string, ChatAdapter>(), store,
    sensors: [], sensorContacts: new SensorContacts(metrics), requireSensors: false,
  });
  const ops = await startOps(metrics, () => checks, 200);
  teardown.push(() => ops.server.close());
  return ops;
}

describe('store readiness', () => {
  it('is a required check that reads the probe key', async () => {
    const asked: string[] = [];
    const ops = await opsWithStore(storeReading(async (key) => { asked.push(key); return undefined; }));
    const { status, body } = await ops.readyz();
    expect(status).toBe(200);
    expect(body.checks).toEqual([
      { name: 'pbx1', kind: 'pbx', required: true, ok: true },
      { name: 'store', kind: 'store', required: true, ok: true },
    ]);
    expect(asked).toEqual([STORE_PROBE_KEY]);
  });

  it('answers 503 with the reason while a store read fails (a Redis that is down)', async () => {
    const ops = await opsWithStore(storeReading(() => Promise.reject(new Error('redis 127.0.0.1:6379: connection refused'))));
    const { status, body } = await ops.readyz();
    expect(status).toBe(503);
    expect(body).toEqual({
      ready: false,
      checks: [
        { name: 'pbx1', kind: 'pbx', required: true, ok: true },
        { name: 'store', kind: 'store', required: true, ok: false, detail: 'redis 127.0.0.1:6379: connection refused' },
      ],
    });
  });

  it('answers 503 in time while a store read hangs', async () => {
    const ops = await opsWithStore(storeReading(() => new Promise<never>(() => undefined)));
    const { status, body } = await ops.readyz();
    expect(status).toBe(503);
    expect(body.checks[1]).toEqual({ name: 'store', kind: 'store', required: true, ok: false, detail: 'no answer within 200 ms' });
  });

  it('follows a real Redis store: ready while Redis answers, 503 with the reason once it is down', async () => {
    const redis = await TestRedis.start();
    teardown.push(() => redis.close());
    const store = await openRedisStore({ url: redis.url, maxReconnectDelayMs: 100 });
    teardown.push(() => store.close());
    const ops = await opsWithStore(store);
    expect((await ops.readyz()).status).toBe(200);

    await redis.stop();
    const down = await ops.readyz();
    expect(down.status).toBe(503);
    expect(down.body.checks[1]).toMatchObject({ name: 'store', kind: 'store', required: true, ok: false, detail: expect.any(String) });

    await redis.restart();
    await expect.poll(async () => (await ops.readyz()).status, { timeout: 10_000 }).toBe(200);
  });
});
