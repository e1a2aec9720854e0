import { toBotError, type BotError } from '../errors.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { MessageGoneError, PlatformError, PlatformRateLimitedError } from './adapter-errors.ts';
import type { ScopedBackoff } from './rate-limit-scopes.ts';

/**
 * Paces the edits of one message: at most one in flight, the latest state wins (each send renders
 * whatever is current), and consecutive edits keep the platform's minimum interval. Only
 * talking-indicator changes are `minor`: they wait a longer interval, and never push back a `major`
 * edit (join, leave, mute...), which is sent as soon as the platform interval allows. A `prompt`
 * edit corrects a message known to be false (the "PBX unreachable" banner once the link is back and
 * the state rebuilt): it skips the interval after the previous edit and waits only for the
 * message's edit budget and any Retry-After.
 */
export type EditUrgency = 'minor' | 'major' | 'prompt';

/**
 * The per-message budget every edit keeps: at most BUDGET_EDITS edits in any BUDGET_EDITS
 * intervals (Discord's per-message bucket: 5 edits per 5 s). Edits paced at the interval never
 * reach it; it bounds how far prompt edits may run ahead.
 */
const BUDGET_EDITS = 5;

/** What `send` did: `unchanged` when the message already showed the current state, so nothing went out. */
export type EditOutcome = 'sent' | 'unchanged';

/**
 * What became of a change or an edit, for metrics: an edit `sent`, or skipped as `unchanged`; a change
 * `coalesced` into an edit already waiting; an edit refused with a 429 (`rate_limited`) or otherwise `failed`.
 */
export type EditEvent = EditOutcome | 'coalesced' | 'rate_limited' | 'failed';

export interface EditSchedulerOptions {
  readonly clock: Clock;
  /** Platform minimum between two edits of this message. */
  readonly minIntervalMs: number;
  /** Minimum between edits when only minor changes are pending (at least `minIntervalMs`). */
  readonly minorIntervalMs: number;
  /** First retry delay after a transient platform error; doubles per failure up to `maxBackoffMs`. */
  readonly backoffBaseMs: number;
  readonly maxBackoffMs: number;
  /** In [0, 1): jitter for backoff. */
  readonly random: () => number;
  /** The 429 blocks of this message's rate-limit scopes: it both honours and extends them. */
  readonly sharedBackoff?: ScopedBackoff;
  /** When the message was last written (its post), so the first edit keeps the interval too. */
  readonly lastWriteAt: number | undefined;
  /** Sends one edit rendering the state current at call time, unless the message already shows it. */
  readonly send: () => Promise<EditOutcome>;
  /** The message is gone (a person deleted it): the scheduler has closed itself. */
  readonly onGone: (err: MessageGoneError) => void;
  /** An edit failed; `retryInMs` is undefined when it will not be retried until the next change. */
  readonly onFailure: (err: BotError, retryInMs: number | undefined) => void;
  /** Told of every EditEvent (metrics). */
  readonly onEvent?: ((event: EditEvent) => void) | undefined;
}

const RANK: Readonly<Record<EditUrgency, number>> = { minor: 0, major: 1, prompt: 2 };

function merge(a: EditUrgency | undefined, b: EditUrgency | undefined): EditUrgency | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return RANK[a] >= RANK[b] ? a : b;
}

export class EditScheduler {
  readonly #o: EditSchedulerOptions;
  #pending: EditUrgency | undefined;
  #inFlight: Promise<void> | undefined;
  #lastStartAt: number | undefined;
  /** Start times of the latest edits (the post included), oldest first, at most BUDGET_EDITS. */
  #recentStarts: number[] = [];
  /** Until when this message waits after a 429 or a transient failure. */
  #blockedUntil = 0;
  /** The part of that block the platform asked for with Retry-After (a 429). */
  #retryAfterUntil = 0;
  #failures = 0;
  #timer: { readonly handle: TimerHandle; readonly due: number } | undefined;
  #closed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: EditSchedulerOptions) {
    this.#o = { ...options, minorIntervalMs: Math.max(options.minIntervalMs, options.minorIntervalMs) };
    this.#lastStartAt = options.lastWriteAt;
    if (options.lastWriteAt !== undefined) this.#recentStarts.push(options.lastWriteAt);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Something changed: make sure an edit showing it will be sent. */
  request(urgency: EditUrgency): void {
    if (this.#closed) return;
    if (this.#pending !== undefined) this.#o.onEvent?.('coalesced');
    this.#pending = merge(this.#pending, urgency);
    this.#pump();
  }

  /** Resolves once nothing is pending or in flight, or the scheduler is closed. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Shutdown: waits for the edit in flight, then sends what is pending once, now, without waiting
   * for the interval or retrying. Errors are reported, not thrown. While a Retry-After block is in
   * force (this message's or its scope's) nothing is sent: the platform would answer 429 again, and
   * the edit that resuming a stored watch sends at the next start shows the state anyway.
   */
  async flush(): Promise<void> {
    await this.#inFlight;
    if (this.#closed || this.#pending === undefined) return;
    if (this.#rateLimitedUntil() > this.#o.clock.now()) return;
    this.#clearTimer();
    this.#pending = undefined;
    try {
      const outcome = await this.#o.send();
      this.#o.onEvent?.(outcome);
    } catch (err) {
      this.#o.onEvent?.(err instanceof PlatformRateLimitedError ? 'rate_limited' : 'failed');
      if (err instanceof MessageGoneError) this.#gone(err);
      else this.#o.onFailure(toBotError(err), undefined);
    }
  }

  /** No more edits. An edit already in flight completes; `settled()` waits for it. */
  close(): void {
    this.#closed = true;
    this.#clearTimer();
    this.#wakeIdle();
  }

  /** Resolves when the edit in flight (if any) has completed. */
  async settled(): Promise<void> {
    await this.#inFlight;
  }

  #isIdle(): boolean {
    return this.#closed || (this.#inFlight === undefined && this.#pending === undefined);
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  #dueAt(urgency: EditUrgency): number {
    const interval = urgency === 'prompt' ? 0 : urgency === 'major' ? this.#o.minIntervalMs : this.#o.minorIntervalMs;
    const afterLast = this.#lastStartAt === undefined ? Number.NEGATIVE_INFINITY : this.#lastStartAt + interval;
    return Math.max(afterLast, this.#budgetAllowsAt(), this.#blockedUntil, this.#o.sharedBackoff?.until ?? 0);
  }

  /** When one more edit fits the per-message budget: BUDGET_EDITS in any BUDGET_EDITS intervals. */
  #budgetAllowsAt(): number {
    const oldest = this.#recentStarts.length < BUDGET_EDITS ? undefined : this.#recentStarts[0];
    return oldest === undefined ? Number.NEGATIVE_INFINITY : oldest + BUDGET_EDITS * this.#o.minIntervalMs;
  }

  #rateLimitedUntil(): number {
    return Math.max(this.#retryAfterUntil, this.#o.sharedBackoff?.until ?? 0);
  }

  #pump(): void {
    if (this.#closed || this.#inFlight !== undefined) return;
    const urgency = this.#pending;
    if (urgency === undefined) {
      this.#wakeIdle();
      return;
    }
    const now = this.#o.clock.now();
    const due = this.#dueAt(urgency);
    if (due <= now) {
      this.#start(urgency);
      return;
    }
    if (this.#timer?.due === due) return;
    this.#clearTimer();
    const handle = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, due - now);
    this.#timer = { handle, due };
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#o.clock.clearTimeout(this.#timer.handle);
    this.#timer = undefined;
  }

  #start(urgency: EditUrgency): void {
    this.#clearTimer();
    this.#pending = undefined;
    const previousStartAt = this.#lastStartAt;
    const previousStarts = this.#recentStarts;
    this.#lastStartAt = this.#o.clock.now();
    this.#recentStarts = [...previousStarts, this.#lastStartAt].slice(-BUDGET_EDITS);
    let sending: Promise<EditOutcome>;
    try {
      sending = this.#o.send();
    } catch (err) {
      sending = Promise.reject(err);
    }
    this.#inFlight = sending.then(
      (outcome) => {
        this.#o.onEvent?.(outcome);
        this.#failures = 0;
        // Nothing reached the platform, so the next edit need not wait an interval after this one.
        if (outcome === 'unchanged') {
          this.#lastStartAt = previousStartAt;
          this.#recentStarts = previousStarts;
        }
      },
      (err: unknown) => this.#failed(err, urgency),
    ).finally(() => {
      this.#inFlight = undefined;
      this.#pump();
    });
  }

  #failed(err: unknown, urgency: EditUrgency): void {
    this.#o.onEvent?.(err instanceof PlatformRateLimitedError ? 'rate_limited' : 'failed');
    if (err instanceof MessageGoneError) {
      this.#gone(err);
      return;
    }
    const now = this.#o.clock.now();
    if (err instanceof PlatformRateLimitedError) {
      // The state it tried to show was never shown: keep it pending until the platform allows.
      this.#pending = merge(this.#pending, urgency);
      this.#retryAfterUntil = now + Math.max(0, err.retryAfterMs);
      this.#blockedUntil = this.#retryAfterUntil;
      this.#o.sharedBackoff?.extend(err.scope, this.#retryAfterUntil);
      this.#o.onFailure(err, err.retryAfterMs);
      return;
    }
    if (err instanceof PlatformError && err.transient) {
      this.#failures += 1;
      const exp = Math.min(this.#o.maxBackoffMs, this.#o.backoffBaseMs * 2 ** (this.#failures - 1));
      const delay = Math.round(exp / 2 + (exp / 2) * this.#o.random());
      this.#pending = merge(this.#pending, urgency);
      this.#blockedUntil = now + delay;
      this.#o.onFailure(err, delay);
      return;
    }
    // A permanent refusal would refuse the same edit again: wait for the next change instead.
    this.#o.onFailure(toBotError(err), undefined);
  }

  #gone(err: MessageGoneError): void {
    this.close();
    this.#o.onGone(err);
  }
}
