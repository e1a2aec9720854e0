import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isBotError } from '../../src/errors.ts';
import { DEFAULT_AUDIT_RETENTION_DAYS, openStore, type OpenStoreOptions, type StoreOptions } from '../../src/store/index.ts';
import type { AuditRecord, Store, WatchRecord } from '../../src/store/types.ts';
import { FakeClock } from '../core/status-fakes.ts';
import { TestRedis } from '../helpers/redis-server.ts';

function audit(over: Partial<AuditRecord> & Pick<AuditRecord, 'at'>): AuditRecord {
  return {
    correlationId: `c-${over.at}`,
    actor: { platform: 'slack', userId: 'U1', displayName: 'alice' },
    command: 'mute',
    pbx: 'pbx1',
    room: '200',
    target: undefined,
    decision: 'allowed',
    outcome: 'ok',
    detail: undefined,
    ...over,
  };
}

const watch: WatchRecord = {
  pbx: 'pbx1',
  room: '200',
  conversation: { platform: 'slack', id: 'C1', workspace: 'T1' },
  ref: { platform: 'slack', conversation: 'C1', id: '1700000000.000100' },
  createdAt: 1000,
  updatedAt: 1000,
  createdBy: 'U1',
};

const kinds = ['memory', 'sqlite', 'redis'] as const;
type Kind = (typeof kinds)[number];

/** One real redis-server for the file, emptied before each test so every test starts from nothing. */
let redis: TestRedis;
beforeAll(async () => { redis = await TestRedis.start(); });
afterAll(async () => { await redis.close(); });
beforeEach(async () => {
  const admin = createClient({ url: redis.url });
  await admin.connect();
  await admin.flushAll();
  await admin.close();
});

function where(kind: Kind, dataDir: string): OpenStoreOptions {
  if (kind === 'memory') return { memory: true };
  if (kind === 'redis') return { redis: { url: redis.url } };
  return { dataDir };
}

describe.each(kinds)('%s store', (kind) => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meetme-store-'));
    store = await openStore(where(kind, join(dir, 'nested', 'data')));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps one watch per (pbx, room, conversation) and replaces it on put', async () => {
    await store.watches.put(watch);
    await store.watches.put({ ...watch, ref: { ...watch.ref, id: '2' }, updatedAt: 5 });
    await store.watches.put({ ...watch, conversation: { platform: 'slack', id: 'C2' } });
    const all = await store.watches.list();
    expect(all).toHaveLength(2);
    expect(await store.watches.find('pbx1', '200', watch.conversation)).toEqual({ ...watch, ref: { ...watch.ref, id: '2' }, updatedAt: 5 });
    expect(await store.watches.find('pbx1', '200', { platform: 'slack', id: 'C2' })).toMatchObject({ conversation: { platform: 'slack', id: 'C2' } });
  });

  it('tells conversations apart by workspace', async () => {
    await store.watches.put(watch);
    expect(await store.watches.find('pbx1', '200', { platform: 'slack', id: 'C1', workspace: 'T2' })).toBeUndefined();
    expect(await store.watches.find('pbx1', '200', { platform: 'slack', id: 'C1' })).toBeUndefined();
  });

  it('removes a watch', async () => {
    await store.watches.put(watch);
    await store.watches.remove('pbx1', '200', watch.conversation);
    expect(await store.watches.list()).toEqual([]);
  });

  it('queries the audit log by room, actor and time, newest first', async () => {
    await store.audit.append(audit({ at: 100 }));
    await store.audit.append(audit({ at: 200, room: '201' }));
    await store.audit.append(audit({ at: 300, actor: { platform: 'slack', userId: 'U2', displayName: 'bob' }, target: 'Tim (701)' }));
    await store.audit.append(audit({ at: 400, pbx: undefined, room: undefined, command: 'calls', decision: 'denied', outcome: 'denied', detail: 'viewer' }));

    expect((await store.audit.query({ room: '200' })).map((r) => r.at)).toEqual([300, 100]);
    expect((await store.audit.query({ pbx: 'pbx1', room: '201' })).map((r) => r.at)).toEqual([200]);
    expect((await store.audit.query({ actorUserId: 'U2' }))[0]).toEqual(audit({ at: 300, actor: { platform: 'slack', userId: 'U2', displayName: 'bob' }, target: 'Tim (701)' }));
    expect((await store.audit.query({ since: 200, until: 300 })).map((r) => r.at)).toEqual([300, 200]);
    expect((await store.audit.query({ limit: 2 })).map((r) => r.at)).toEqual([400, 300]);
    expect((await store.audit.query({ actorUserId: 'U1', since: 350 }))[0]).toMatchObject({ pbx: undefined, room: undefined, detail: 'viewer', decision: 'denied' });
  });

  it('defaults to the 20 newest audit records', async () => {
    for (let at = 1; at <= 25; at++) await store.audit.append(audit({ at }));
    const page = await store.audit.query({});
    expect(page).toHaveLength(20);
    expect(page[0]?.at).toBe(25);
  });

  it('subscribes and unsubscribes alert rules', async () => {
    const sub = { id: 's1', rule: 'abnormal_hangup', pbx: 'pbx1', room: undefined, conversation: { platform: 'slack', id: 'C9' }, createdBy: 'U1', createdAt: 10 };
    await store.alerts.subscribe(sub);
    await store.alerts.subscribe({ ...sub, id: 's2', rule: '*', pbx: undefined, createdAt: 20 });
    expect(await store.alerts.subscriptions()).toEqual([sub, { ...sub, id: 's2', rule: '*', pbx: undefined, createdAt: 20 }]);
    await store.alerts.unsubscribe('s1');
    expect((await store.alerts.subscriptions()).map((s) => s.id)).toEqual(['s2']);
  });

  it('acks an alert once: the first ack wins, later ones are kept, repeats are ignored', async () => {
    expect(await store.alerts.ack({ alertId: 'a1', ackedBy: 'U1', at: 10 })).toBe(true);
    expect(await store.alerts.ack({ alertId: 'a1', ackedBy: 'U2', at: 20 })).toBe(false);
    expect(await store.alerts.ack({ alertId: 'a1', ackedBy: 'U1', at: 30 })).toBe(false);
    expect(await store.alerts.acks('a1')).toEqual([{ alertId: 'a1', ackedBy: 'U1', at: 10 }, { alertId: 'a1', ackedBy: 'U2', at: 20 }]);
    expect(await store.alerts.acks('other')).toEqual([]);
  });

  it('gets and overwrites key-value entries', async () => {
    expect(await store.kv.get('listen.signingKey')).toBeUndefined();
    await store.kv.set('listen.signingKey', 'one');
    await store.kv.set('listen.signingKey', 'two');
    expect(await store.kv.get('listen.signingKey')).toBe('two');
  });

  it('deletes a key-value entry, and deleting a missing one is no error', async () => {
    await store.kv.set('status.history:pbx1:200', '{}');
    await store.kv.set('other', 'kept');
    await store.kv.delete('status.history:pbx1:200');
    await store.kv.delete('never-set');
    expect(await store.kv.get('status.history:pbx1:200')).toBeUndefined();
    expect(await store.kv.get('other')).toBe('kept');
  });
});

const DAY_MS = 86_400_000;

describe.each(kinds)('%s store audit retention', (kind) => {
  let dir: string;
  let clock: FakeClock;
  const open: Store[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meetme-retention-'));
    clock = new FakeClock();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function openWith(options: StoreOptions = {}): Promise<Store> {
    const store = await openStore({ ...where(kind, dir), clock, ...options });
    open.push(store);
    return store;
  }

  it('prunes audit records and alert acks older than auditRetentionDays daily, keeping newer ones', async () => {
    const store = await openWith({ auditRetentionDays: 10 });
    const now = clock.now();
    await store.audit.append(audit({ at: now - 11 * DAY_MS, correlationId: 'old' }));
    await store.audit.append(audit({ at: now - 9 * DAY_MS, correlationId: 'kept' }));
    await store.alerts.ack({ alertId: 'old', ackedBy: 'U1', at: now - 11 * DAY_MS });
    await store.alerts.ack({ alertId: 'kept', ackedBy: 'U1', at: now - 9 * DAY_MS });

    await clock.advance(DAY_MS - 1);
    expect(await store.audit.query({ limit: 10 })).toHaveLength(2);
    await clock.advance(1);
    // Redis prunes over the network, after the timer fired: wait for its answer rather than a tick.
    await expect.poll(async () => (await store.alerts.acks('old')).length).toBe(0);
    expect((await store.audit.query({ limit: 10 })).map((r) => r.correlationId)).toEqual(['kept']);
    expect(await store.alerts.acks('kept')).toHaveLength(1);

    // That run saw "kept" exactly 10 days old (still inside); the next one sees it 11 days old.
    await clock.advance(DAY_MS);
    await expect.poll(async () => (await store.alerts.acks('kept')).length).toBe(0);
    expect(await store.audit.query({ limit: 10 })).toEqual([]);
  });

  it('defaults to 90 days and stops pruning at close', async () => {
    expect(DEFAULT_AUDIT_RETENTION_DAYS).toBe(90);
    const store = await openWith();
    const now = clock.now();
    await store.audit.append(audit({ at: now - 91 * DAY_MS, correlationId: 'old' }));
    await store.audit.append(audit({ at: now - 89 * DAY_MS, correlationId: 'kept' }));
    await clock.advance(DAY_MS);
    await expect.poll(async () => (await store.audit.query({ limit: 10 })).map((r) => r.correlationId)).toEqual(['kept']);
    await store.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses a retention that is not a positive number of days', async () => {
    for (const auditRetentionDays of [0, -1, Number.NaN]) {
      const err = await openWith({ auditRetentionDays }).catch((e: unknown) => e);
      expect(isBotError(err, 'store_error')).toBe(true);
    }
  });
});

const durable = ['sqlite', 'redis'] as const;

describe.each(durable)('%s store audit retention at open', (kind) => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meetme-retention-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prunes records that aged past the retention while the bot was stopped', async () => {
    const clock = new FakeClock();
    const first = await openStore({ ...where(kind, dir), clock, auditRetentionDays: 30 });
    await first.audit.append(audit({ at: clock.now() - 20 * DAY_MS, correlationId: 'aging' }));
    await first.audit.append(audit({ at: clock.now(), correlationId: 'fresh' }));
    await first.close();

    const later = new FakeClock(clock.now() + 11 * DAY_MS);
    const second = await openStore({ ...where(kind, dir), clock: later, auditRetentionDays: 30 });
    expect((await second.audit.query({ limit: 10 })).map((r) => r.correlationId)).toEqual(['fresh']);
    await second.close();
  });
});

describe.each(durable)('%s store across a reopen', (kind) => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meetme-store-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps watches, audit, subscriptions, acks and key-values across close and reopen', async () => {
    const sub = { id: 's1', rule: '*', pbx: undefined, room: undefined, conversation: { platform: 'slack', id: 'C9' }, createdBy: 'U1', createdAt: 10 };
    const first = await openStore(where(kind, dir));
    await first.watches.put(watch);
    await first.audit.append(audit({ at: Date.now() }));
    await first.alerts.subscribe(sub);
    await first.alerts.ack({ alertId: 'a1', ackedBy: 'U1', at: Date.now() });
    await first.kv.set('k', 'v');
    await first.close();
    const second = await openStore(where(kind, dir));
    expect(await second.watches.list()).toEqual([watch]);
    expect(await second.audit.query({})).toHaveLength(1);
    expect(await second.alerts.subscriptions()).toEqual([sub]);
    expect(await second.alerts.ack({ alertId: 'a1', ackedBy: 'U2', at: Date.now() })).toBe(false);
    expect(await second.kv.get('k')).toBe('v');
    await second.close();
  });
});

describe('sqlite store file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meetme-store-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the named file inside the data directory', async () => {
    const store = await openStore({ dataDir: join(dir, 'made'), file: 'other.db' });
    await store.kv.set('k', 'v');
    await store.close();
    expect(existsSync(join(dir, 'made', 'other.db'))).toBe(true);
  });
});
