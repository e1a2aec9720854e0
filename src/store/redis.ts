import type { Conversation } from '../kernel/chat.ts';
import { systemClock, type TimerHandle } from '../kernel/clock.ts';
import { WriteBacklog } from './backlog.ts';
import { StoreError } from './errors.ts';
import { LeaseManager } from './lease.ts';
import { RedisConnection, call, type RedisConnectionOptions } from './redis-connection.ts';
import { PRUNE_INTERVAL_MS, retentionMs, type StoreOptions } from './retention.ts';
import type {
  AlertAck, AlertStore, AlertSubscription, AuditQuery, AuditRecord, AuditStore, KeyValueStore, Store, WatchRecord, WatchStore,
} from './types.ts';

/**
 * The store on Redis, for several replicas: the same semantics as the SQLite store (the shared
 * contract suite runs against both), plus leases with fencing tokens (lease.ts).
 *
 * Layout under the prefix: `watches` (hash: conversation key → record), `audit` (sorted set by
 * time, members `seq|json`) with `audit:room:<pbx>/<room>` beside it, `alert-subs` (hash),
 * `alert-acks:<id>` (hash: user → ack) indexed by time in `alert-acks`, and `kv` (hash).
 *
 * While Redis is down reads reject with StoreError and writes are kept in memory and saved, in
 * order, when it is back (backlog.ts); acks and setIfAbsent, whose answer depends on what other
 * replicas did, reject instead.
 */

function watchField(pbx: string, room: string, c: Conversation): string {
  return JSON.stringify([pbx, room, c.platform, c.workspace ?? '', c.id]);
}

function parse<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new StoreError(`redis holds a damaged ${what} record`, err);
  }
}

/** JSON drops keys whose value is undefined; the records carry them, as the other stores' do. */
function auditRecord(text: string): AuditRecord {
  const r = parse<AuditRecord>(text, 'audit');
  return { ...r, pbx: r.pbx, room: r.room, target: r.target, detail: r.detail };
}

function subscription(text: string): AlertSubscription {
  const s = parse<AlertSubscription>(text, 'alert subscription');
  return { ...s, pbx: s.pbx, room: s.room };
}

class RedisWatchStore implements WatchStore {
  constructor(private readonly r: RedisConnection, private readonly backlog: WriteBacklog) {}
  async list(): Promise<WatchRecord[]> {
    await this.backlog.settled();
    const all = await call('watch list', () => this.r.client.hVals(this.r.key('watches')));
    return all.map((t) => parse<WatchRecord>(t, 'watch')).sort((a, b) => a.createdAt - b.createdAt);
  }
  async find(pbx: string, room: string, conversation: Conversation): Promise<WatchRecord | undefined> {
    await this.backlog.settled();
    const t = await call('watch find', () => this.r.client.hGet(this.r.key('watches'), watchField(pbx, room, conversation)));
    return t === null || t === undefined ? undefined : parse<WatchRecord>(t, 'watch');
  }
  async put(record: WatchRecord): Promise<void> {
    await this.backlog.write('watch put', () => call('watch put', () => this.r.client.hSet(this.r.key('watches'), watchField(record.pbx, record.room, record.conversation), JSON.stringify(record))));
  }
  async remove(pbx: string, room: string, conversation: Conversation): Promise<void> {
    await this.backlog.write('watch remove', () => call('watch remove', () => this.r.client.hDel(this.r.key('watches'), watchField(pbx, room, conversation))));
  }
}

class RedisAuditStore implements AuditStore {
  constructor(private readonly r: RedisConnection, private readonly backlog: WriteBacklog) {}
  async append(record: AuditRecord): Promise<void> {
    await this.backlog.write('audit append', () => this.#append(record));
  }
  async #append(record: AuditRecord): Promise<void> {
    const seq = await call('audit seq', () => this.r.client.incr(this.r.key('audit:seq')));
    const member = `${String(seq).padStart(12, '0')}|${JSON.stringify(record)}`;
    await call('audit append', () => {
      const multi = this.r.client.multi().zAdd(this.r.key('audit'), { score: record.at, value: member });
      if (record.pbx !== undefined && record.room !== undefined) multi.zAdd(this.r.key(`audit:room:${record.pbx}/${record.room}`), { score: record.at, value: member });
      return multi.exec();
    });
  }
  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const limit = Math.max(0, Math.trunc(q.limit ?? 20));
    if (limit === 0) return [];
    await this.backlog.settled();
    const key = q.pbx !== undefined && q.room !== undefined ? this.r.key(`audit:room:${q.pbx}/${q.room}`) : this.r.key('audit');
    const max = q.until ?? '+inf';
    const min = q.since ?? '-inf';
    const out: AuditRecord[] = [];
    // Newest first, a page at a time, until enough records pass the filters.
    for (let offset = 0; out.length < limit; offset += 200) {
      const page = await call('audit query', () => this.r.client.zRange(key, max, min, { BY: 'SCORE', REV: true, LIMIT: { offset, count: 200 } }));
      if (page.length === 0) break;
      const records = page
        .map((m) => ({ seq: m.slice(0, 12), r: auditRecord(m.slice(13)) }))
        .sort((a, b) => b.r.at - a.r.at || (a.seq < b.seq ? 1 : -1));
      for (const { r } of records) {
        if (q.pbx !== undefined && r.pbx !== q.pbx) continue;
        if (q.room !== undefined && r.room !== q.room) continue;
        if (q.actorUserId !== undefined && r.actor.userId !== q.actorUserId) continue;
        out.push(r);
        if (out.length === limit) break;
      }
    }
    return out;
  }
  async prune(before: number): Promise<number> {
    // SCAN, not KEYS: a shared Redis must not stall for other clients while the bot prunes.
    const roomKeys = await call('audit keys', async () => {
      const found: string[] = [];
      for await (const batch of this.r.client.scanIterator({ MATCH: this.r.key('audit:room:*'), COUNT: 500 })) found.push(...batch);
      return found;
    });
    for (const k of roomKeys) await call('audit prune', () => this.r.client.zRemRangeByScore(k, '-inf', `(${before}`));
    return call('audit prune', () => this.r.client.zRemRangeByScore(this.r.key('audit'), '-inf', `(${before}`));
  }
}

class RedisAlertStore implements AlertStore {
  constructor(private readonly r: RedisConnection, private readonly backlog: WriteBacklog) {}
  async subscriptions(): Promise<AlertSubscription[]> {
    await this.backlog.settled();
    const all = await call('alert subscriptions', () => this.r.client.hVals(this.r.key('alert-subs')));
    return all.map(subscription).sort((a, b) => a.createdAt - b.createdAt);
  }
  async subscribe(sub: AlertSubscription): Promise<void> {
    await this.backlog.write('alert subscribe', () => call('alert subscribe', () => this.r.client.hSet(this.r.key('alert-subs'), sub.id, JSON.stringify(sub))));
  }
  async unsubscribe(id: string): Promise<void> {
    await this.backlog.write('alert unsubscribe', () => call('alert unsubscribe', () => this.r.client.hDel(this.r.key('alert-subs'), id)));
  }
  async ack(ack: AlertAck): Promise<boolean> {
    await this.backlog.settled();
    const key = this.r.key(`alert-acks:${ack.alertId}`);
    const [count, added] = await call('alert ack', () => this.r.client.multi()
      .hLen(key)
      .hSetNX(key, ack.ackedBy, JSON.stringify(ack))
      .zAdd(this.r.key('alert-acks'), { score: ack.at, value: JSON.stringify([ack.alertId, ack.ackedBy]) }, { NX: true })
      .exec());
    return Number(count) === 0 && Number(added) === 1;
  }
  async acks(alertId: string): Promise<AlertAck[]> {
    await this.backlog.settled();
    const all = await call('alert acks', () => this.r.client.hVals(this.r.key(`alert-acks:${alertId}`)));
    return all.map((t) => parse<AlertAck>(t, 'alert ack')).sort((a, b) => a.at - b.at);
  }
  async prune(before: number): Promise<number> {
    const old = await call('alert prune', () => this.r.client.zRange(this.r.key('alert-acks'), '-inf', `(${before}`, { BY: 'SCORE' }));
    for (const m of old) {
      const [alertId, by] = parse<[string, string]>(m, 'alert ack index');
      await call('alert prune', () => this.r.client.multi().hDel(this.r.key(`alert-acks:${alertId}`), by).zRem(this.r.key('alert-acks'), m).exec());
    }
    return old.length;
  }
}

class RedisKeyValueStore implements KeyValueStore {
  constructor(private readonly r: RedisConnection, private readonly backlog: WriteBacklog) {}
  async get(key: string): Promise<string | undefined> {
    await this.backlog.settled();
    const v = await call('kv get', () => this.r.client.hGet(this.r.key('kv'), key));
    return v ?? undefined;
  }
  async set(key: string, value: string): Promise<void> {
    await this.backlog.write('kv set', () => call('kv set', () => this.r.client.hSet(this.r.key('kv'), key, value)));
  }
  /** Sets `key` only when no replica has set it yet; returns the value that holds now. */
  async setIfAbsent(key: string, value: string): Promise<string> {
    await this.backlog.settled();
    await call('kv set', () => this.r.client.hSetNX(this.r.key('kv'), key, value));
    return (await this.get(key)) ?? value;
  }
  async delete(key: string): Promise<void> {
    await this.backlog.write('kv delete', () => call('kv delete', () => this.r.client.hDel(this.r.key('kv'), key)));
  }
}

export interface RedisStoreOptions extends StoreOptions, RedisConnectionOptions {
  readonly newToken?: () => string;
}

export class RedisStore implements Store {
  readonly watches: WatchStore;
  readonly audit: AuditStore;
  readonly alerts: AlertStore;
  readonly kv: RedisKeyValueStore;
  readonly leases: LeaseManager;
  /** Writes made while Redis was down, waiting for it. */
  readonly backlog: WriteBacklog;
  readonly #audit: RedisAuditStore;
  readonly #alerts: RedisAlertStore;
  #pruneTimer: TimerHandle | undefined;

  constructor(readonly connection: RedisConnection, private readonly opts: RedisStoreOptions) {
    this.backlog = new WriteBacklog(connection, { clock: opts.clock ?? systemClock, logger: opts.logger });
    this.watches = new RedisWatchStore(connection, this.backlog);
    this.#audit = new RedisAuditStore(connection, this.backlog);
    this.#alerts = new RedisAlertStore(connection, this.backlog);
    this.audit = this.#audit;
    this.alerts = this.#alerts;
    this.kv = new RedisKeyValueStore(connection, this.backlog);
    this.leases = new LeaseManager(connection, opts.newToken ?? (() => crypto.randomUUID()));
  }

  get ready(): boolean {
    return this.connection.ready;
  }

  /** Prunes now and then daily, like the SQLite store; a failed daily prune is logged and retried. */
  async startPruning(): Promise<void> {
    const keepMs = retentionMs(this.opts.auditRetentionDays);
    const clock = this.opts.clock ?? systemClock;
    const prune = async (): Promise<number> => {
      const before = clock.now() - keepMs;
      return (await this.#audit.prune(before)) + (await this.#alerts.prune(before));
    };
    await prune();
    const arm = (): void => {
      this.#pruneTimer = clock.setTimeout(() => {
        prune()
          .then((removed) => { if (removed > 0) this.opts.logger?.info({ removed }, 'pruned old audit records'); })
          .catch((err: unknown) => this.opts.logger?.error({ err }, 'pruning old audit records failed; trying again tomorrow'))
          .finally(arm);
      }, PRUNE_INTERVAL_MS);
      (this.#pruneTimer as { unref?: () => void }).unref?.();
    };
    arm();
  }

  async close(): Promise<void> {
    if (this.#pruneTimer !== undefined) (this.opts.clock ?? systemClock).clearTimeout(this.#pruneTimer);
    this.#pruneTimer = undefined;
    this.backlog.close();
    if (this.backlog.pending > 0) this.opts.logger?.warn({ lost: this.backlog.pending }, 'stopping while redis is down: store writes kept since the outage are lost');
    await this.connection.close();
  }
}

export async function openRedisStore(opts: RedisStoreOptions): Promise<RedisStore> {
  const connection = new RedisConnection(opts);
  await connection.connect();
  const store = new RedisStore(connection, opts);
  try {
    await store.startPruning();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
