import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import type { Conversation } from '../kernel/chat.ts';
import { systemClock } from '../kernel/clock.ts';
import { DataDirNotDirectoryError, StoreCorruptError, StoreError, StoreUnreadableError } from './errors.ts';
import { migrate } from './migrations.ts';
import { retentionMs, startPruning, type Prune, type StoreOptions } from './retention.ts';
import type {
  AlertAck, AlertStore, AlertSubscription, AuditDecision, AuditOutcome, AuditQuery, AuditRecord, AuditStore,
  Store, WatchRecord, WatchStore,
} from './types.ts';

/**
 * The default store: one SQLite file in WAL mode through better-sqlite3. Calls are synchronous
 * underneath; the async interface is for stores that need the network (Redis).
 */

interface WatchRow {
  pbx: string; room: string; platform: string; conversation_id: string; workspace: string;
  ref_platform: string; ref_conversation: string; ref_id: string;
  created_at: number; updated_at: number; created_by: string;
}

interface AuditRow {
  at: number; correlation_id: string; actor_platform: string; actor_user_id: string; actor_name: string;
  command: string; pbx: string | null; room: string | null; target: string | null;
  decision: string; outcome: string; detail: string | null;
}

interface SubscriptionRow {
  id: string; rule: string; pbx: string | null; room: string | null; platform: string;
  conversation_id: string; workspace: string; created_by: string; created_at: number;
}

interface AckRow { alert_id: string; acked_by: string; at: number }

function conversationOf(platform: string, id: string, workspace: string): Conversation {
  return workspace === '' ? { platform, id } : { platform, id, workspace };
}

function watchFromRow(row: WatchRow): WatchRecord {
  return {
    pbx: row.pbx,
    room: row.room,
    conversation: conversationOf(row.platform, row.conversation_id, row.workspace),
    ref: { platform: row.ref_platform, conversation: row.ref_conversation, id: row.ref_id },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
  };
}

function auditFromRow(row: AuditRow): AuditRecord {
  return {
    at: row.at,
    correlationId: row.correlation_id,
    actor: { platform: row.actor_platform, userId: row.actor_user_id, displayName: row.actor_name },
    command: row.command,
    pbx: row.pbx ?? undefined,
    room: row.room ?? undefined,
    target: row.target ?? undefined,
    decision: row.decision as AuditDecision,
    outcome: row.outcome as AuditOutcome,
    detail: row.detail ?? undefined,
  };
}

function subscriptionFromRow(row: SubscriptionRow): AlertSubscription {
  return {
    id: row.id,
    rule: row.rule,
    pbx: row.pbx ?? undefined,
    room: row.room ?? undefined,
    conversation: conversationOf(row.platform, row.conversation_id, row.workspace),
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

/** Runs a synchronous database call, turning driver errors into StoreError. */
function guarded<T>(what: string, fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(new StoreError(`${what}: ${(err as Error).message}`, err));
  }
}

function watchStore(db: Database): WatchStore {
  const list = db.prepare<[], WatchRow>('SELECT * FROM watches ORDER BY created_at, rowid');
  const find = db.prepare<[string, string, string, string, string], WatchRow>(
    'SELECT * FROM watches WHERE pbx = ? AND room = ? AND platform = ? AND workspace = ? AND conversation_id = ?',
  );
  const put = db.prepare(
    `INSERT OR REPLACE INTO watches
       (pbx, room, platform, conversation_id, workspace, ref_platform, ref_conversation, ref_id, created_at, updated_at, created_by)
     VALUES (@pbx, @room, @platform, @conversation_id, @workspace, @ref_platform, @ref_conversation, @ref_id, @created_at, @updated_at, @created_by)`,
  );
  const remove = db.prepare('DELETE FROM watches WHERE pbx = ? AND room = ? AND platform = ? AND workspace = ? AND conversation_id = ?');
  const key = (pbx: string, room: string, c: Conversation) => [pbx, room, c.platform, c.workspace ?? '', c.id] as const;
  return {
    list: () => guarded('list watches', () => list.all().map(watchFromRow)),
    find: (pbx, room, conversation) => guarded('find watch', () => {
      const row = find.get(...key(pbx, room, conversation));
      return row === undefined ? undefined : watchFromRow(row);
    }),
    put: (r) => guarded('save watch', () => {
      put.run({
        pbx: r.pbx, room: r.room, platform: r.conversation.platform, conversation_id: r.conversation.id,
        workspace: r.conversation.workspace ?? '', ref_platform: r.ref.platform, ref_conversation: r.ref.conversation,
        ref_id: r.ref.id, created_at: r.createdAt, updated_at: r.updatedAt, created_by: r.createdBy,
      });
    }),
    remove: (pbx, room, conversation) => guarded('remove watch', () => {
      remove.run(...key(pbx, room, conversation));
    }),
  };
}

function auditStore(db: Database): AuditStore {
  const append = db.prepare(
    `INSERT INTO audit_log (at, correlation_id, actor_platform, actor_user_id, actor_name, command, pbx, room, target, decision, outcome, detail)
     VALUES (@at, @correlation_id, @actor_platform, @actor_user_id, @actor_name, @command, @pbx, @room, @target, @decision, @outcome, @detail)`,
  );
  return {
    append: (r) => guarded('append audit record', () => {
      append.run({
        at: r.at, correlation_id: r.correlationId, actor_platform: r.actor.platform, actor_user_id: r.actor.userId,
        actor_name: r.actor.displayName, command: r.command, pbx: r.pbx ?? null, room: r.room ?? null,
        target: r.target ?? null, decision: r.decision, outcome: r.outcome, detail: r.detail ?? null,
      });
    }),
    query: (q: AuditQuery) => guarded('query audit log', () => {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (q.pbx !== undefined) { where.push('pbx = ?'); params.push(q.pbx); }
      if (q.room !== undefined) { where.push('room = ?'); params.push(q.room); }
      if (q.actorUserId !== undefined) { where.push('actor_user_id = ?'); params.push(q.actorUserId); }
      if (q.since !== undefined) { where.push('at >= ?'); params.push(q.since); }
      if (q.until !== undefined) { where.push('at <= ?'); params.push(q.until); }
      params.push(Math.max(0, Math.trunc(q.limit ?? 20)));
      const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`;
      return db.prepare<(string | number)[], AuditRow>(sql).all(...params).map(auditFromRow);
    }),
  };
}

function alertStore(db: Database): AlertStore {
  const list = db.prepare<[], SubscriptionRow>('SELECT * FROM alert_subscriptions ORDER BY created_at, rowid');
  const subscribe = db.prepare(
    `INSERT OR REPLACE INTO alert_subscriptions (id, rule, pbx, room, platform, conversation_id, workspace, created_by, created_at)
     VALUES (@id, @rule, @pbx, @room, @platform, @conversation_id, @workspace, @created_by, @created_at)`,
  );
  const unsubscribe = db.prepare('DELETE FROM alert_subscriptions WHERE id = ?');
  const countAcks = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM alert_acks WHERE alert_id = ?');
  const insertAck = db.prepare('INSERT OR IGNORE INTO alert_acks (alert_id, acked_by, at) VALUES (?, ?, ?)');
  const acks = db.prepare<[string], AckRow>('SELECT * FROM alert_acks WHERE alert_id = ? ORDER BY at, rowid');
  const ack = db.transaction((a: AlertAck): boolean => {
    const first = (countAcks.get(a.alertId)?.n ?? 0) === 0;
    insertAck.run(a.alertId, a.ackedBy, a.at);
    return first;
  });
  return {
    subscriptions: () => guarded('list alert subscriptions', () => list.all().map(subscriptionFromRow)),
    subscribe: (s) => guarded('save alert subscription', () => {
      subscribe.run({
        id: s.id, rule: s.rule, pbx: s.pbx ?? null, room: s.room ?? null, platform: s.conversation.platform,
        conversation_id: s.conversation.id, workspace: s.conversation.workspace ?? '', created_by: s.createdBy,
        created_at: s.createdAt,
      });
    }),
    unsubscribe: (id) => guarded('remove alert subscription', () => {
      unsubscribe.run(id);
    }),
    ack: (a) => guarded('acknowledge alert', () => ack(a)),
    acks: (alertId) => guarded('list alert acks', () =>
      acks.all(alertId).map((r) => ({ alertId: r.alert_id, ackedBy: r.acked_by, at: r.at }))),
  };
}

function kvStore(db: Database): Store['kv'] {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?');
  const set = db.prepare('INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)');
  const remove = db.prepare('DELETE FROM kv WHERE key = ?');
  return {
    get: (key) => guarded('read key', () => get.get(key)?.value),
    set: (key, value) => guarded('write key', () => {
      set.run(key, value);
    }),
    delete: (key) => guarded('delete key', () => {
      remove.run(key);
    }),
  };
}

/** Deletes audit records and alert acks older than `before`, in one transaction. */
function pruner(db: Database): Prune {
  const audit = db.prepare('DELETE FROM audit_log WHERE at < ?');
  const acks = db.prepare('DELETE FROM alert_acks WHERE at < ?');
  const prune = db.transaction((before: number): number => audit.run(before).changes + acks.run(before).changes);
  return (before) => {
    try {
      return prune(before);
    } catch (err) {
      throw new StoreError(`prune audit records: ${(err as Error).message}`, err);
    }
  };
}

export class SqliteStore implements Store {
  readonly watches: WatchStore;
  readonly audit: AuditStore;
  readonly alerts: AlertStore;
  readonly kv: Store['kv'];
  readonly #db: Database;
  readonly #stopPruning: () => void;

  /**
   * Takes an open database whose schema is already migrated (see `openSqliteStore`), prunes old
   * audit records at once and then daily. Throws StoreError when that first pruning fails.
   */
  constructor(db: Database, options: StoreOptions = {}) {
    this.#db = db;
    this.watches = watchStore(db);
    this.audit = auditStore(db);
    this.alerts = alertStore(db);
    this.kv = kvStore(db);
    this.#stopPruning = startPruning(options.clock ?? systemClock, retentionMs(options.auditRetentionDays), pruner(db), options.logger);
  }

  close(): Promise<void> {
    this.#stopPruning();
    return guarded('close database', () => {
      if (this.#db.open) this.#db.close();
    });
  }
}

/** SQLite and file-system codes meaning the file is not (or no longer) a database. */
const CORRUPT_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);
/** Codes meaning the file is there but this process may not use it. */
const UNUSABLE_CODES = new Set(['SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PERM', 'SQLITE_AUTH', 'EACCES', 'EPERM', 'EISDIR']);

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Turns a driver failure at open into the start-up error that tells the operator what to fix. */
function openFailure(path: string, err: unknown): Error {
  // A failed migration wraps the driver's error; a damaged page shows there first.
  const driverError = err instanceof StoreError ? err.cause : err;
  const code = errorCode(driverError);
  const reason = driverError instanceof Error ? driverError.message : String(driverError);
  if (CORRUPT_CODES.has(code)) return new StoreCorruptError(path, reason, err);
  if (UNUSABLE_CODES.has(code)) return new StoreUnreadableError(path, reason, err);
  if (err instanceof StoreError) return err;
  return new StoreError(`cannot open ${path}: ${reason}`, err);
}

/** A data directory that is a file (or lies under one) cannot be created or used. */
function ensureDirectory(dir: string): void {
  try {
    if (!statSync(dir).isDirectory()) throw new DataDirNotDirectoryError(dir);
  } catch (err) {
    if (err instanceof DataDirNotDirectoryError) throw err;
    if (errorCode(err) === 'ENOTDIR') throw new DataDirNotDirectoryError(dir, err);
    if (errorCode(err) !== 'ENOENT') throw new StoreUnreadableError(dir, (err as Error).message, err);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    if (errorCode(err) === 'ENOTDIR' || errorCode(err) === 'EEXIST') throw new DataDirNotDirectoryError(dir, err);
    throw new StoreUnreadableError(dir, (err as Error).message, err);
  }
}

/**
 * Opens (creating the directory and file if needed) and migrates the SQLite store at `path`, then
 * prunes audit records older than the retention. A file that is not a database, or one this process
 * may not use, is refused with a start-up error and never replaced.
 */
export function openSqliteStore(path: string, options: StoreOptions = {}): SqliteStore {
  if (path !== ':memory:') ensureDirectory(dirname(path));
  let db: Database;
  try {
    db = new BetterSqlite3(path);
  } catch (err) {
    throw openFailure(path, err);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return new SqliteStore(db, options);
  } catch (err) {
    db.close();
    throw openFailure(path, err);
  }
}
