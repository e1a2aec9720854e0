import { afterEach, describe, expect, it } from 'vitest';
import { AmiClient } from '../../src/ami/client.ts';
import { PlatformRateLimitedError } from '../../src/core/adapter-errors.ts';
import type { Actor, Conversation } from '../../src/core/adapter.ts';
import { StatusService } from '../../src/core/status.ts';
import { BotMetrics } from '../../src/ops/metrics.ts';
import { countStatusEdit, observeLinks } from '../../src/ops/observe.ts';
import { instrumentStore } from '../../src/ops/store-metrics.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { ScriptedAmiServer, SECRET, USERNAME } from '../ami/helpers/scripted-server.ts';
import { FakeAdapter, FakeClock, FakeDirectory, fakeRender, participant } from '../core/status-fakes.ts';
import { startOps, typeOf, valueOf, type Ops } from './scrape.ts';

const teardown: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of teardown.splice(0).reverse()) await fn();
});

async function ops(metrics: BotMetrics): Promise<Ops> {
  const started = await startOps(metrics);
  teardown.push(() => started.server.close());
  return started;
}

describe('AMI action latency', () => {
  it('is a histogram by PBX, action and outcome: success, error and timeout', async () => {
    const pbx = await ScriptedAmiServer.start();
    teardown.push(() => pbx.close());
    pbx.handle('Refused', (conn, a) => conn.error(a, 'Permission denied... not really'));
    pbx.handle('Silent', () => undefined);
    const client = new AmiClient({ name: 'pbx1', host: '127.0.0.1', port: pbx.port, username: USERNAME, secret: SECRET, pingIntervalMs: 0, bootWaitMs: 0 });
    teardown.push(() => client.stop());
    const metrics = new BotMetrics({ processMetrics: false });
    observeLinks(metrics, [{ pbx: 'pbx1', amiLink: client }]);
    await client.start();

    await client.action({ action: 'Ping' });
    await expect(client.action({ action: 'Refused' })).rejects.toThrow();
    await expect(client.action({ action: 'Silent' }, { timeoutMs: 20 })).rejects.toMatchObject({ code: 'ami_timeout' });

    const text = await (await ops(metrics)).metricsText();
    expect(typeOf(text, 'meetme_ami_action_duration_seconds')).toBe('histogram');
    const count = (action: string, outcome: string): number | undefined =>
      valueOf(text, 'meetme_ami_action_duration_seconds_count', { pbx: 'pbx1', action, outcome });
    expect(count('Ping', 'success')).toBe(1);
    expect(count('Login', 'success')).toBe(1);
    expect(count('Refused', 'error')).toBe(1);
    expect(count('Silent', 'timeout')).toBe(1);
    expect(valueOf(text, 'meetme_ami_action_duration_seconds_bucket', { pbx: 'pbx1', action: 'Ping', outcome: 'success', le: '+Inf' })).toBe(1);
  });
});

describe('store latency', () => {
  it('times each operation of the decorated store and counts the failed ones', async () => {
    const metrics = new BotMetrics({ processMetrics: false });
    const inner = new MemoryStore();
    const store = instrumentStore(inner, metrics);
    await store.kv.set('k', 'v');
    expect(await store.kv.get('k')).toBe('v');
    await store.watches.list();
    inner.kv.get = () => Promise.reject(new Error('connection lost'));
    await expect(store.kv.get('k')).rejects.toThrow('connection lost');

    const text = await (await ops(metrics)).metricsText();
    expect(typeOf(text, 'meetme_store_operation_duration_seconds')).toBe('histogram');
    expect(valueOf(text, 'meetme_store_operation_duration_seconds_count', { operation: 'kv.set' })).toBe(1);
    expect(valueOf(text, 'meetme_store_operation_duration_seconds_count', { operation: 'kv.get' })).toBe(2);
    expect(valueOf(text, 'meetme_store_operation_duration_seconds_count', { operation: 'watches.list' })).toBe(1);
    expect(valueOf(text, 'meetme_store_operation_errors_total', { operation: 'kv.get' })).toBe(1);
    expect(valueOf(text, 'meetme_store_operation_errors_total', { operation: 'kv.set' })).toBeUndefined();
  });

  it('passes through what it does not time: a Redis store\'s leases and ready flag', async () => {
    const leases = { acquire: async () => true };
    const inner = Object.assign(new MemoryStore(), { leases, get ready() { return true; } });
    const store = instrumentStore(inner, new BotMetrics({ processMetrics: false }));
    expect(store.leases).toBe(leases);
    expect(store.ready).toBe(true);
  });

  it('still closes the store it wraps', async () => {
    const inner = new MemoryStore();
    let closed = false;
    inner.close = async () => { closed = true; };
    await instrumentStore(inner, new BotMetrics({ processMetrics: false })).close();
    expect(closed).toBe(true);
  });
});

describe('status edits', () => {
  const alice: Actor = { platform: 'slack', userId: 'U1', displayName: 'alice', groups: [] };
  const channel: Conversation = { platform: 'slack', id: 'C1', workspace: 'T1' };

  it('are counted per platform: sent, coalesced, rate_limited and failed', async () => {
    const metrics = new BotMetrics({ processMetrics: false });
    const clock = new FakeClock();
    const directory = new FakeDirectory(clock);
    const adapter = new FakeAdapter(clock, { minEditIntervalMs: 1000 });
    const service = new StatusService({
      directory, adapters: new Map([['slack', adapter]]), store: new MemoryStore(), render: fakeRender, clock, random: () => 0.5,
      onEdit: countStatusEdit(metrics),
    });
    await service.start();
    teardown.push(() => service.stop());
    directory.join('200', participant('200', 1));
    await service.watch('pbx1', '200', channel, alice);
    await clock.advance(5000);

    // Two changes within the edit interval: one edit waits, the second change joins it.
    directory.join('200', participant('200', 2));
    await clock.advance(0);
    directory.join('200', participant('200', 3));
    directory.join('200', participant('200', 4));
    await clock.advance(5000);
    adapter.failNext(new PlatformRateLimitedError('slack', 2000, { kind: 'channel', key: 'messages' }));
    directory.join('200', participant('200', 5));
    await clock.advance(5000);
    adapter.failNext(new Error('socket hang up'));
    directory.join('200', participant('200', 6));
    await clock.advance(5000);

    const text = await (await ops(metrics)).metricsText();
    expect(typeOf(text, 'meetme_status_edits_total')).toBe('counter');
    const edits = (outcome: string): number | undefined => valueOf(text, 'meetme_status_edits_total', { platform: 'slack', outcome });
    expect(edits('sent')).toBe(adapter.edits.length);
    expect(edits('coalesced')).toBeGreaterThanOrEqual(1);
    expect(edits('rate_limited')).toBe(1);
    expect(edits('failed')).toBe(1);
  });

  it('counts the edit the shutdown flush sends', async () => {
    const metrics = new BotMetrics({ processMetrics: false });
    const clock = new FakeClock();
    const directory = new FakeDirectory(clock);
    const adapter = new FakeAdapter(clock, { minEditIntervalMs: 1000 });
    const service = new StatusService({
      directory, adapters: new Map([['slack', adapter]]), store: new MemoryStore(), render: fakeRender, clock, onEdit: countStatusEdit(metrics),
    });
    await service.start();
    directory.join('200', participant('200', 1));
    await service.watch('pbx1', '200', channel, alice);
    // Talking waits the longer interval for minor edits: still pending when the bot stops.
    await clock.advance(1500);
    directory.talk('200', '1700000000.1', true);
    await clock.advance(0);
    const before = adapter.edits.length;
    await service.stop();
    expect(adapter.edits.length).toBe(before + 1);

    const text = await (await ops(metrics)).metricsText();
    expect(valueOf(text, 'meetme_status_edits_total', { platform: 'slack', outcome: 'sent' })).toBe(adapter.edits.length);
  });
});
