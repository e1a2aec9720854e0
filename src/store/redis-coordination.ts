import type { Clock } from '../kernel/clock.ts';
import { soloCoordination, type Coordination } from '../kernel/coordination.ts';
import type { Logger } from '../log.ts';
import { LeaseKeeper } from './lease-keeper.ts';
import type { LeaseManager } from './lease.ts';
import type { RedisConnection } from './redis-connection.ts';
import { RedisStore } from './redis.ts';
import type { Store } from './types.ts';

/**
 * Coordination of several replicas on Redis: ownership is a lease (lease.ts) kept by a
 * LeaseKeeper, the owner's record sits in the `owned` hash under its fence, and a one-time claim is
 * `SET NX PX`. While Redis is unreachable no ownership can be proven, so `fence()` turns undefined
 * before any lease can have expired there: edits stop, commands are still served from memory. The
 * outage is logged once, and its end too.
 */

export interface RedisCoordinationOptions {
  readonly connection: RedisConnection;
  readonly leases: LeaseManager;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Lease time-to-live (default 10 s): a dead owner is replaced within ttl + 1 s. */
  readonly ttlMs?: number;
}

const OWNED_HASH = 'owned';

export class RedisCoordination implements Coordination {
  readonly #conn: RedisConnection;
  readonly #leases: LeaseManager;
  readonly #keeper: LeaseKeeper;
  readonly #log: Logger;
  readonly #listeners = new Set<(name: string, fence: number | undefined) => void>();
  #down = false;

  constructor(opts: RedisCoordinationOptions) {
    this.#conn = opts.connection;
    this.#leases = opts.leases;
    this.#log = opts.logger.child({ component: 'coordination' });
    this.#keeper = new LeaseKeeper({
      leases: opts.leases, clock: opts.clock, log: this.#log, ...(opts.ttlMs === undefined ? {} : { ttlMs: opts.ttlMs }),
      onChange: (name, fence) => { for (const l of this.#listeners) l(name, fence); },
    });
    opts.connection.client.on('error', () => this.#noteDown());
    opts.connection.client.on('ready', () => this.#noteUp());
  }

  start(): void {
    this.#keeper.start();
  }

  async stop(): Promise<void> {
    await this.#keeper.stop();
  }

  healthy(): boolean {
    return this.#conn.ready;
  }

  want(name: string): void {
    this.#keeper.want(name);
  }

  drop(name: string): Promise<void> {
    return this.#keeper.drop(name);
  }

  fence(name: string): number | undefined {
    return this.#keeper.fence(name);
  }

  fencedPut(name: string, fence: number, value: string): Promise<boolean> {
    return this.#leases.fencedWrite(OWNED_HASH, name, fence, value);
  }

  fenceValid(name: string, fence: number): Promise<boolean> {
    return this.#leases.fenceValid(OWNED_HASH, name, fence);
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const ok = await this.#conn.client.set(this.#conn.key(`claim:${key}`), '1', { condition: 'NX', expiration: { type: 'PX', value: ttlMs } });
    return ok === 'OK';
  }

  async send(queue: string, item: string): Promise<void> {
    await this.#conn.client.rPush(this.#conn.key(`queue:${queue}`), item);
  }

  /** LRANGE and DEL in one MULTI: an item pushed meanwhile lands before or after, never in between. */
  async receive(queue: string): Promise<string[]> {
    const key = this.#conn.key(`queue:${queue}`);
    const [items] = await this.#conn.client.multi().lRange(key, 0, -1).del(key).exec();
    return Array.isArray(items) ? items.map(String) : [];
  }

  onChange(listener: (name: string, fence: number | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves after one round of lease renewals and acquisitions (tests). */
  round(): Promise<void> {
    return this.#keeper.round();
  }

  #noteDown(): void {
    if (this.#down) return;
    this.#down = true;
    // The connection warns about the outage itself; this says what it means for ownership.
    this.#log.info('redis unreachable: no owner can be proven, so status edits and alert deliveries pause; commands are still served');
  }

  #noteUp(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#log.info('redis reachable again: status edits and alert deliveries resume under renewed leases');
  }
}

/** What `coordinationFor` gives: the seam, whether replicas share it, and how to let go of its leases. */
export interface OpenedCoordination {
  readonly coordination: Coordination;
  /** True on a Redis store: other replicas may run, so ownership is leased. */
  readonly replicated: boolean;
  stop(): Promise<void>;
}

/** Replicas share a Redis store: each status message and the alert incidents get one owner (a lease). Any other store runs alone. */
export function coordinationFor(store: Store, opts: Omit<RedisCoordinationOptions, 'connection' | 'leases'>): OpenedCoordination {
  if (!(store instanceof RedisStore)) return { coordination: soloCoordination(), replicated: false, stop: async () => undefined };
  const redis = new RedisCoordination({ ...opts, connection: store.connection, leases: store.leases });
  redis.start();
  return { coordination: redis, replicated: true, stop: () => redis.stop() };
}
