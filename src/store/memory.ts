import type { Conversation } from '../kernel/chat.ts';
import { systemClock } from '../kernel/clock.ts';
import { retentionMs, startPruning, type StoreOptions } from './retention.ts';
import type {
  AlertAck, AlertStore, AlertSubscription, AuditQuery, AuditRecord, AuditStore, KeyValueStore, Store, WatchRecord,
  WatchStore,
} from './types.ts';

/**
 * A Store held in process memory, with the same semantics as the SQLite one: for tests, demos and
 * `openStore({ memory: true })`. Nothing survives the process.
 */

function watchKey(pbx: string, room: string, c: Conversation): string {
  return JSON.stringify([pbx, room, c.platform, c.workspace ?? '', c.id]);
}

class MemoryWatchStore implements WatchStore {
  readonly #records = new Map<string, WatchRecord>();
  async list(): Promise<WatchRecord[]> {
    return [...this.#records.values()].sort((a, b) => a.createdAt - b.createdAt);
  }
  async find(pbx: string, room: string, conversation: Conversation): Promise<WatchRecord | undefined> {
    return this.#records.get(watchKey(pbx, room, conversation));
  }
  async put(record: WatchRecord): Promise<void> {
    const key = watchKey(record.pbx, record.room, record.conversation);
    this.#records.set(key, record);
  }
  async remove(pbx: string, room: string, conversation: Conversation): Promise<void> {
    this.#records.delete(watchKey(pbx, room, conversation));
  }
}

class MemoryAuditStore implements AuditStore {
  #records: AuditRecord[] = [];
  async append(record: AuditRecord): Promise<void> {
    this.#records.push(record);
  }
  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const matches = this.#records
      .map((r, i) => ({ r, i }))
      .filter(({ r }) =>
        (q.pbx === undefined || r.pbx === q.pbx) &&
        (q.room === undefined || r.room === q.room) &&
        (q.actorUserId === undefined || r.actor.userId === q.actorUserId) &&
        (q.since === undefined || r.at >= q.since) &&
        (q.until === undefined || r.at <= q.until))
      .sort((a, b) => b.r.at - a.r.at || b.i - a.i);
    return matches.slice(0, Math.max(0, Math.trunc(q.limit ?? 20))).map(({ r }) => r);
  }
  prune(before: number): number {
    const kept = this.#records.filter((r) => r.at >= before);
    const removed = this.#records.length - kept.length;
    this.#records = kept;
    return removed;
  }
}

class MemoryAlertStore implements AlertStore {
  readonly #subs = new Map<string, AlertSubscription>();
  readonly #acks = new Map<string, AlertAck[]>();
  async subscriptions(): Promise<AlertSubscription[]> {
    return [...this.#subs.values()].sort((a, b) => a.createdAt - b.createdAt);
  }
  async subscribe(sub: AlertSubscription): Promise<void> {
    this.#subs.set(sub.id, sub);
  }
  async unsubscribe(id: string): Promise<void> {
    this.#subs.delete(id);
  }
  async ack(ack: AlertAck): Promise<boolean> {
    const list = this.#acks.get(ack.alertId) ?? [];
    const first = list.length === 0;
    if (!list.some((a) => a.ackedBy === ack.ackedBy)) list.push(ack);
    this.#acks.set(ack.alertId, list);
    return first;
  }
  async acks(alertId: string): Promise<AlertAck[]> {
    return [...(this.#acks.get(alertId) ?? [])].sort((a, b) => a.at - b.at);
  }
  prune(before: number): number {
    let removed = 0;
    for (const [alertId, list] of this.#acks) {
      const kept = list.filter((a) => a.at >= before);
      removed += list.length - kept.length;
      if (kept.length === 0) this.#acks.delete(alertId);
      else this.#acks.set(alertId, kept);
    }
    return removed;
  }
}

class MemoryKeyValueStore implements KeyValueStore {
  readonly #values = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.#values.get(key);
  }
  async set(key: string, value: string): Promise<void> {
    this.#values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.#values.delete(key);
  }
}

export class MemoryStore implements Store {
  readonly watches: WatchStore = new MemoryWatchStore();
  readonly #audit = new MemoryAuditStore();
  readonly #alerts = new MemoryAlertStore();
  readonly audit: AuditStore = this.#audit;
  readonly alerts: AlertStore = this.#alerts;
  readonly kv: Store['kv'] = new MemoryKeyValueStore();
  readonly #stopPruning: () => void;

  /** Rejects (throws StoreError) on an invalid `auditRetentionDays`, as `openStore` does. */
  constructor(options: StoreOptions = {}) {
    const keepMs = retentionMs(options.auditRetentionDays);
    this.#stopPruning = startPruning(
      options.clock ?? systemClock, keepMs, (before) => this.#audit.prune(before) + this.#alerts.prune(before), options.logger,
    );
  }

  async close(): Promise<void> {
    this.#stopPruning();
  }
}
