import type { Database } from 'better-sqlite3';
import { StoreError } from './errors.ts';

/**
 * Versioned schema. The applied version lives in SQLite's `PRAGMA user_version`; each migration runs
 * in its own transaction together with the version bump, so a crash leaves the file at a whole
 * version. Append new migrations; never edit one that has shipped.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'watches, audit log, key-value',
    sql: `
      CREATE TABLE watches (
        pbx TEXT NOT NULL,
        room TEXT NOT NULL,
        platform TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        workspace TEXT NOT NULL DEFAULT '',
        ref_platform TEXT NOT NULL,
        ref_conversation TEXT NOT NULL,
        ref_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        PRIMARY KEY (pbx, room, platform, workspace, conversation_id)
      );
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        correlation_id TEXT NOT NULL,
        actor_platform TEXT NOT NULL,
        actor_user_id TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        command TEXT NOT NULL,
        pbx TEXT,
        room TEXT,
        target TEXT,
        decision TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'alert subscriptions and acks; audit indexes by room and actor',
    sql: `
      CREATE INDEX audit_log_room_at ON audit_log (pbx, room, at);
      CREATE INDEX audit_log_actor_at ON audit_log (actor_user_id, at);
      CREATE TABLE alert_subscriptions (
        id TEXT PRIMARY KEY,
        rule TEXT NOT NULL,
        pbx TEXT,
        room TEXT,
        platform TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        workspace TEXT NOT NULL DEFAULT '',
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE alert_acks (
        alert_id TEXT NOT NULL,
        acked_by TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (alert_id, acked_by)
      );
    `,
  },
  {
    version: 3,
    name: 'audit index by room alone; ack index by time for retention; drop blanked room histories',
    // audit_log_room_at leads with pbx, so a query by room alone scanned the whole log. Room
    // histories used to be blanked to '' when forgotten; they are deleted now, and so are old blanks.
    sql: `
      CREATE INDEX audit_log_by_room_at ON audit_log (room, at);
      CREATE INDEX alert_acks_at ON alert_acks (at);
      DELETE FROM kv WHERE key LIKE 'status.history:%' AND value = '';
    `,
  },
];

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings `db` up to the last migration in `migrations`; returns the versions it applied. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new StoreError(`database schema version ${current} is newer than this build knows (${latest}); refusing to touch it`);
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    const apply = db.transaction(() => {
      db.exec(migration.sql);
      // user_version takes no bound parameters; the version is an integer from this file, not input.
      db.pragma(`user_version = ${Math.trunc(migration.version)}`);
    });
    try {
      apply();
    } catch (err) {
      throw new StoreError(`migration ${migration.version} (${migration.name}) failed: ${(err as Error).message}`, err);
    }
    applied.push(migration.version);
  }
  return applied;
}
