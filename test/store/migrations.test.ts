import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBotError } from '../../src/errors.ts';
import { MIGRATIONS, migrate, schemaVersion } from '../../src/store/migrations.ts';
import { openStore } from '../../src/store/index.ts';

const latest = MIGRATIONS.at(-1)?.version ?? 0;
const v1Fixture = readFileSync(new URL('./fixtures/schema-v1.sql', import.meta.url), 'utf8');

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
    expect(tableNames(db)).toEqual(expect.arrayContaining(['watches', 'audit_log', 'kv', 'alert_subscriptions', 'alert_acks', 'audit_log_room_at', 'audit_log_actor_at']));
    db.close();
  });

  it('upgrades a version 1 file and keeps its data', async () => {
    const file = join(dir, 'meetme-bot.db');
    const v1 = new BetterSqlite3(file);
    v1.exec(v1Fixture);
    expect(schemaVersion(v1)).toBe(1);
    v1.close();

    const store = await openStore({ dataDir: dir });
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
