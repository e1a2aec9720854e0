import type { Actor, Conversation, MessageRef } from '../kernel/chat.ts';

/**
 * Persistence seam. Async throughout so that a Redis-backed store (several replicas, one elected
 * writer per room) can implement it later; the SQLite store (sqlite.ts) is the default.
 */

/** A live status message: one per (pbx, room, conversation). */
export interface WatchRecord {
  readonly pbx: string;
  readonly room: string;
  readonly conversation: Conversation;
  readonly ref: MessageRef;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Last edit that showed the room running (the post at first): the end estimate for a room that ends unseen. */
  readonly updatedAt: number;
  /** Who asked for it (platform user id). */
  readonly createdBy: string;
}

export type AuditDecision = 'allowed' | 'denied';
export type AuditOutcome = 'ok' | 'error' | 'denied' | 'unknown';

export interface AuditRecord {
  /** Epoch ms. */
  readonly at: number;
  readonly correlationId: string;
  readonly actor: Pick<Actor, 'platform' | 'userId' | 'displayName'>;
  /** Subcommand or action name (`mute`, `kick`, `listen`...). */
  readonly command: string;
  readonly pbx: string | undefined;
  readonly room: string | undefined;
  /** Participant, call, or other target as shown to users. */
  readonly target: string | undefined;
  readonly decision: AuditDecision;
  readonly outcome: AuditOutcome;
  /** Short detail (error code, role that granted it...). Never secrets. */
  readonly detail: string | undefined;
}

export interface AuditQuery {
  readonly pbx?: string;
  readonly room?: string;
  readonly actorUserId?: string;
  readonly since?: number;
  readonly until?: number;
  /** Newest first; default 20. */
  readonly limit?: number;
}

export interface AlertSubscription {
  readonly id: string;
  /** Rule name (`abnormal_hangup`, `vip_dropped`, `room_empty`) or `*`. */
  readonly rule: string;
  readonly pbx: string | undefined;
  readonly room: string | undefined;
  readonly conversation: Conversation;
  readonly createdBy: string;
  readonly createdAt: number;
}

export interface AlertAck {
  readonly alertId: string;
  readonly ackedBy: string;
  readonly at: number;
}

export interface WatchStore {
  list(): Promise<WatchRecord[]>;
  find(pbx: string, room: string, conversation: Conversation): Promise<WatchRecord | undefined>;
  /** Insert or replace the record for (pbx, room, conversation). */
  put(record: WatchRecord): Promise<void>;
  remove(pbx: string, room: string, conversation: Conversation): Promise<void>;
}

export interface AuditStore {
  append(record: AuditRecord): Promise<void>;
  query(query: AuditQuery): Promise<AuditRecord[]>;
}

export interface AlertStore {
  subscriptions(): Promise<AlertSubscription[]>;
  subscribe(sub: AlertSubscription): Promise<void>;
  unsubscribe(id: string): Promise<void>;
  ack(ack: AlertAck): Promise<boolean>;
  acks(alertId: string): Promise<AlertAck[]>;
}

/** Small named values that must survive a restart (e.g. the generated link-signing key). */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /**
   * Removes `key`; nothing happens when it is absent. Optional so that stand-ins that only need
   * get/set keep compiling; every `Store` has it (see `Store.kv`).
   */
  delete?(key: string): Promise<void>;
}

export interface Store {
  readonly watches: WatchStore;
  readonly audit: AuditStore;
  readonly alerts: AlertStore;
  readonly kv: KeyValueStore & Required<Pick<KeyValueStore, 'delete'>>;
  close(): Promise<void>;
}
