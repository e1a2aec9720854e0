/**
 * Who may write what when several replicas of the bot run: each status message and the alert
 * incidents have one owner at a time, proven by a lease with a fencing token. The core and the
 * alerts see only this seam; the Redis implementation (store/redis-coordination.ts) builds it on
 * leases, and a single process (`soloCoordination`) owns everything, as the bot always did.
 */

export interface Coordination {
  /** Whether ownership can be proven now (the lease store is reachable). A single process always can. */
  healthy(): boolean;
  /** Start trying to own `name`; the owner is told through `onChange`. */
  want(name: string): void;
  /** Stop wanting `name`, releasing it if owned. */
  drop(name: string): Promise<void>;
  /** The fencing token while this replica surely owns `name`, else undefined: checked before each write. */
  fence(name: string): number | undefined;
  /**
   * Stores `value` for `name` under `fence` (the owner's record, e.g. the message ref it edits).
   * False when a later owner already wrote it: this replica has been superseded.
   */
  fencedPut(name: string, fence: number, value: string): Promise<boolean>;
  /** Whether `fence` is still the newest stored for `name`. */
  fenceValid(name: string, fence: number): Promise<boolean>;
  /** True for the first caller cluster-wide while `ttlMs` runs: a dedup key (an alert posted once). */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  /** Appends `item` to the shared queue `queue` (a press for the owner of the incidents). */
  send(queue: string, item: string): Promise<void>;
  /** Takes every item queued on `queue` at once, in order: none is taken twice, none lost between read and clear. */
  receive(queue: string): Promise<string[]>;
  /** Told when `name` is won (with its fence) or lost (undefined). Returns the unsubscribe. */
  onChange(listener: (name: string, fence: number | undefined) => void): () => void;
}

/** One process: it owns every name at once, with one fence that never changes. */
export function soloCoordination(now: () => number = Date.now): Coordination {
  const claims = new Map<string, number>();
  const queues = new Map<string, string[]>();
  return {
    healthy: () => true,
    want: () => undefined,
    drop: async () => undefined,
    fence: () => 1,
    fencedPut: async () => true,
    fenceValid: async () => true,
    async claimOnce(key, ttlMs) {
      const t = now();
      for (const [k, until] of claims) if (until <= t) claims.delete(k);
      if (claims.has(key)) return false;
      claims.set(key, t + ttlMs);
      return true;
    },
    async send(queue, item) {
      queues.set(queue, [...(queues.get(queue) ?? []), item]);
    },
    async receive(queue) {
      const items = queues.get(queue) ?? [];
      queues.delete(queue);
      return items;
    },
    onChange: () => () => undefined,
  };
}

/** Whether this replica leads `name` (holds its lease), told as it changes. */
export interface Leadership {
  onChange(listener: (leader: boolean) => void): () => void;
}

/** Wants `name` once someone listens, and tells the listener at once when it already leads. */
export function leadershipOf(coordination: Coordination, name: string): Leadership {
  return {
    onChange(listener) {
      const leading = coordination.fence(name) !== undefined;
      const off = coordination.onChange((n, fence) => { if (n === name) listener(fence !== undefined); });
      coordination.want(name);
      if (leading) listener(true);
      return () => {
        off();
        void coordination.drop(name);
      };
    },
  };
}

/** A lease given up while this replica cannot see its PBX: when, or 'back' once wanted again; undefined: held or wanted as usual. */
export type YieldState = number | 'back' | undefined;

/**
 * One check of a lease that follows this replica's PBX links: give it up (`drop`) when the link is
 * down and this replica owns it, want it again when the link is back, or after `yieldMs` when no
 * other replica took it (every link is down), so the work still has someone doing it.
 */
export function followLinkStep(state: YieldState, linkUp: boolean, owned: boolean, now: number, yieldMs: number): { readonly state: YieldState; readonly act?: 'drop' | 'want' } {
  if (linkUp) return state === undefined ? { state } : state === 'back' ? { state: undefined } : { state: undefined, act: 'want' };
  if (state === undefined) return owned ? { state: now, act: 'drop' } : { state };
  if (typeof state === 'number' && now - state >= yieldMs) return { state: 'back', act: 'want' };
  return { state };
}

