import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import type { AuditRecord, Store, WatchRecord } from '../../src/store/types.ts';

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

const kinds = ['memory', 'sqlite'] as const;

describe.each(kinds)('%s store', (kind) => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meetme-store-'));
    store = await openStore(kind === 'memory' ? { memory: true } : { dataDir: join(dir, 'nested', 'data') });
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
});

describe('sqlite store file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meetme-store-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps data across close and reopen of the same file', async () => {
    const first = await openStore({ dataDir: dir });
    await first.watches.put(watch);
    await first.kv.set('k', 'v');
    await first.close();
    const second = await openStore({ dataDir: dir });
    expect(await second.watches.list()).toEqual([watch]);
    expect(await second.kv.get('k')).toBe('v');
    await second.close();
  });

  it('uses the named file inside the data directory', async () => {
    const store = await openStore({ dataDir: join(dir, 'made'), file: 'other.db' });
    await store.kv.set('k', 'v');
    await store.close();
    expect(existsSync(join(dir, 'made', 'other.db'))).toBe(true);
  });
});
