import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { Logger } from '../log.ts';
import type { Lease, LeaseManager } from './lease.ts';

/**
 * Holds the leases this replica wants: acquires each name when it is free, renews what it holds
 * every third of the ttl, and lets go of what it no longer wants. `fence(name)` is the proof of
 * ownership that callers check before each write: it is defined only while the lease is held and,
 * by this replica's own clock, not past its last successful renewal plus the ttl minus a margin.
 * So when Redis is unreachable a replica stops writing before its lease can have expired there,
 * and a successor (trying every second) takes over within ttl + 1 s of the holder's death.
 */

export interface LeaseKeeperOptions {
  readonly leases: LeaseManager;
  readonly clock: Clock;
  readonly log: Logger;
  /** Lease time-to-live (default 10 s). */
  readonly ttlMs?: number;
  /** How often a wanted, unheld name is tried (default 1 s). */
  readonly acquireEveryMs?: number;
  /** Called when a name is won (with its fence) or lost. */
  readonly onChange?: (name: string, fence: number | undefined) => void;
}

interface Held {
  readonly lease: Lease;
  /** Local time until which the lease is surely still ours. */
  validUntil: number;
}

/** Stop trusting a lease this long before its ttl runs out by our clock (clock drift, slow calls). */
const SAFETY_MARGIN_FRACTION = 0.2;

export class LeaseKeeper {
  private readonly wanted = new Set<string>();
  private readonly held = new Map<string, Held>();
  private readonly ttlMs: number;
  private readonly acquireEveryMs: number;
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: LeaseKeeperOptions) {
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.acquireEveryMs = opts.acquireEveryMs ?? Math.min(1_000, Math.floor(this.ttlMs / 3));
  }

  /** Start trying to hold `name`; the next round tries at once. */
  want(name: string): void {
    if (this.stopped) return;
    this.wanted.add(name);
    this.kick();
  }

  /** Stop wanting `name` and release it if held. */
  async drop(name: string): Promise<void> {
    this.wanted.delete(name);
    const h = this.held.get(name);
    if (h === undefined) return;
    this.held.delete(name);
    this.opts.onChange?.(name, undefined);
    await this.opts.leases.release(h.lease).catch((err: unknown) => this.opts.log.warn({ err, name }, 'could not release a lease; it expires by itself'));
  }

  /** The fencing token while this replica surely holds `name`, else undefined. */
  fence(name: string): number | undefined {
    const h = this.held.get(name);
    if (h === undefined || this.opts.clock.now() >= h.validUntil) return undefined;
    return h.lease.fence;
  }

  holds(): readonly string[] {
    return [...this.held.keys()].filter((n) => this.fence(n) !== undefined);
  }

  /** Resolves after one round of renewals and acquisitions (tests and start-up use it). */
  async round(): Promise<void> {
    if (this.running !== undefined) return this.running;
    this.running = this.runRound().finally(() => { this.running = undefined; });
    return this.running;
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await Promise.all([...this.held.keys()].map((name) => this.drop(name)));
  }

  private kick(): void {
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      void this.round().finally(() => this.schedule(this.nextRoundIn()));
    }, ms);
  }

  private nextRoundIn(): number {
    const renewIn = Math.floor(this.ttlMs / 3);
    const unheld = [...this.wanted].some((n) => !this.held.has(n));
    return unheld ? Math.min(renewIn, this.acquireEveryMs) : renewIn;
  }

  private async runRound(): Promise<void> {
    for (const [name, h] of [...this.held]) {
      if (!this.wanted.has(name)) continue;
      const startedAt = this.opts.clock.now();
      let ok: boolean;
      try {
        ok = await this.opts.leases.renew(h.lease);
      } catch (err) {
        // Unreachable Redis: keep the lease locally until validUntil, then fence() says no.
        this.opts.log.debug({ err, name }, 'lease renewal failed');
        continue;
      }
      if (ok) {
        h.validUntil = startedAt + Math.floor(this.ttlMs * (1 - SAFETY_MARGIN_FRACTION));
      } else {
        this.held.delete(name);
        this.opts.log.info({ name, fence: h.lease.fence }, 'lease lost to another replica');
        this.opts.onChange?.(name, undefined);
      }
    }
    for (const name of this.wanted) {
      if (this.held.has(name)) continue;
      const startedAt = this.opts.clock.now();
      let lease: Lease | undefined;
      try {
        lease = await this.opts.leases.acquire(name, this.ttlMs);
      } catch (err) {
        this.opts.log.debug({ err, name }, 'lease acquisition failed');
        continue;
      }
      if (lease === undefined || !this.wanted.has(name)) {
        if (lease !== undefined) await this.opts.leases.release(lease).catch(() => undefined);
        continue;
      }
      this.held.set(name, { lease, validUntil: startedAt + Math.floor(this.ttlMs * (1 - SAFETY_MARGIN_FRACTION)) });
      this.opts.log.info({ name, fence: lease.fence }, 'lease won');
      this.opts.onChange?.(name, lease.fence);
    }
  }
}
