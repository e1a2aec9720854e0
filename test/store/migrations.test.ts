import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBotError } from '../../src/errors.ts';
import { MIGRATIONS, migrate, schemaVersion } from '../../src/store/migrations.ts';
import { openStore } from '../../src/store/index.ts';
import { FakeClock } from '../core/status-fakes.ts';

const latest = MIGRATIONS.at(-1)?.version ?? 0;
const v1Fixture = readFileSync(new URL('./fixtures/schema-v1.sql', import.meta.url), 'utf8');
const v2Fixture = readFileSync(new URL('./fixtures/schema-v2.sql', import.meta.url), 'utf8');
/** The fixtures' records are dated just after the epoch: a clock there keeps audit retention off them. */
const fixtureTime = () => new FakeClock(10_000);

function tableNames(db: BetterSqlite3.Database): string[] {
  return db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all().map((r) => r.name);
}

describe('store migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meetme-migrate-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('numbers migrations 1, 2, ... in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('creates the whole schema in an empty file, in WAL mode', async () => {
    const store = await openStore({ dataDir: dir });
    await store.close();
    const db = new BetterSqlite3(join(dir, 'meetme-bot.db'));
    expect(schemaVersion(db)).toBe(latest);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(tableNames(db)).toEqual(expect.arrayContaining([
      'watches', 'audit_log', 'kv', 'alert_subscriptions', 'alert_acks', 'audit_log_room_at', 'audit_log_actor_at',
      'audit_log_by_room_at', 'alert_acks_at',
    ]));
    db.close();
  });

  it('upgrades a version 1 file and keeps its data', async () => {
    const file = join(dir, 'meetme-bot.db');
    const v1 = new BetterSqlite3(file);
    v1.exec(v1Fixture);
    expect(schemaVersion(v1)).toBe(1);
    v1.close();

    const store = await openStore({ dataDir: dir, clock: fixtureTime() });
    expect(await store.kv.get('listen.signingKey')).toBe('k-from-v1');
    expect(await store.watches.list()).toEqual([expect.objectContaining({ pbx: 'pbx1', room: '200', conversation: { platform: 'slack', id: 'C1', workspace: 'T1' } })]);
    expect((await store.audit.query({ actorUserId: 'U1' })).map((r) => r.target)).toEqual(['Tim (701)']);
    await store.alerts.subscribe({ id: 's1', rule: '*', pbx: undefined, room: undefined, conversation: { platform: 'slack', id: 'C1' }, createdBy: 'U1', createdAt: 1 });
    expect(await store.alerts.subscriptions()).toHaveLength(1);
    await store.close();

    const db = new BetterSqlite3(file);
    expect(schemaVersion(db)).toBe(latest);
    db.close();
  });

  it('upgrades a version 2 file to 3: keeps its data, drops blanked room histories, indexes audit by room alone', async () => {
    const file = join(dir, 'meetme-bot.db');
    const v2 = new BetterSqlite3(file);
    v2.exec(v2Fixture);
    expect(schemaVersion(v2)).toBe(2);
    v2.close();

    const store = await openStore({ dataDir: dir, clock: fixtureTime() });
    expect(await store.kv.get('listen.signingKey')).toBe('k-from-v2');
    expect(await store.kv.get('status.history:pbx1:201')).toBeUndefined();
    expect(await store.kv.get('status.history:pbx1:200')).toBe('{"kept":"not blank"}');
    expect(await store.watches.list()).toEqual([expect.objectContaining({ pbx: 'pbx1', room: '200' })]);
    expect((await store.audit.query({ room: '200' })).map((r) => r.target)).toEqual(['Ann (702)', 'Tim (701)']);
    expect(await store.alerts.subscriptions()).toEqual([expect.objectContaining({ id: 's1' })]);
    expect(await store.alerts.acks('a1')).toEqual([{ alertId: 'a1', ackedBy: 'U1', at: 1700 }]);
    await store.close();

    const db = new BetterSqlite3(file);
    expect(schemaVersion(db)).toBe(3);
    const plan = db.prepare<[], { detail: string }>(
      "EXPLAIN QUERY PLAN SELECT * FROM audit_log WHERE room = '200' ORDER BY at DESC, id DESC LIMIT 20",
    ).all().map((r) => r.detail).join('\n');
    // Before v3 this was a scan of the whole log (in time order, through audit_log_at).
    expect(plan).toContain('SEARCH audit_log USING INDEX audit_log_by_room_at (room=?)');
    expect(plan).not.toContain('SCAN');
    db.close();
  });

  it('applies nothing to a file that is already current', () => {
    const db = new BetterSqlite3(':memory:');
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it('rolls back a failing migration as a whole and leaves the version where it was', () => {
    const db = new BetterSqlite3(':memory:');
    const broken = [...MIGRATIONS, { version: latest + 1, name: 'broken', sql: 'CREATE TABLE half (x); CREATE TABLE watches (y);' }];
    expect(() => migrate(db, broken)).toThrow(expect.objectContaining({ code: 'store_error' }));
    expect(schemaVersion(db)).toBe(latest);
    expect(tableNames(db)).not.toContain('half');
    db.close();
  });

  it('refuses a file written by a newer build', async () => {
    const file = join(dir, 'meetme-bot.db');
    const db = new BetterSqlite3(file);
    db.pragma(`user_version = ${latest + 1}`);
    db.close();
    const err = await openStore({ dataDir: dir }).catch((e: unknown) => e);
    expect(isBotError(err, 'store_error')).toBe(true);
  });
});
