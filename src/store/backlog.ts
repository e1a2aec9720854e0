import {
  ClientClosedError, ClientOfflineError, ConnectionTimeoutError, DisconnectsClientError, ReconnectStrategyError,
  SocketClosedUnexpectedlyError, SocketTimeoutError, TimeoutError, TimeoutReadError,
} from '@redis/client';
import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { Logger } from '../log.ts';

/**
 * Store writes made while Redis is down. The bot keeps serving from memory, so a write that cannot
 * reach Redis is kept here, in order, and the caller goes on as if it was saved; when Redis is back
 * the kept writes are sent in the order they were made, before any new one. Reads are not kept:
 * they reject with StoreError, and callers fall back to what they hold in memory.
 *
 * Logged once per outage (the first kept write, then what was saved at the end), never per write.
 * At most `limit` writes are kept: past it the oldest go, counted in the log, so a long outage
 * cannot exhaust memory.
 */

export interface BacklogLink {
  /** Whether Redis answers now. */
  readonly ready: boolean;
  /** Called each time Redis answers again after being down. */
  onReady(listener: () => void): void;
}

export const DEFAULT_BACKLOG_LIMIT = 10_000;
/** How soon kept writes are tried again when Redis is connected but did not answer in time. */
export const BACKLOG_RETRY_MS = 1_000;

export interface BacklogOptions {
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  readonly limit?: number;
}

interface KeptWrite {
  readonly what: string;
  readonly run: () => Promise<unknown>;
}

export class WriteBacklog {
  readonly #kept: KeptWrite[] = [];
  readonly #limit: number;
  #dropped = 0;
  #keptThisOutage = 0;
  #draining: Promise<void> | undefined;
  #retry: TimerHandle | undefined;
  #closed = false;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;

  constructor(private readonly link: BacklogLink, options: BacklogOptions) {
    this.#limit = options.limit ?? DEFAULT_BACKLOG_LIMIT;
    this.#clock = options.clock;
    this.#log = options.logger;
    link.onReady(() => { void this.#drain(); });
  }

  /** Stops retrying; what is still kept is not saved. */
  close(): void {
    this.#closed = true;
    if (this.#retry !== undefined) this.#clock.clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  /** Writes kept and not yet saved. */
  get pending(): number {
    return this.#kept.length;
  }

  /**
   * Runs `run` now; when Redis is down (before or during the write) keeps it for later and resolves.
   * A write Redis itself refuses while up still rejects.
   */
  async write(what: string, run: () => Promise<unknown>): Promise<void> {
    if (this.#kept.length > 0 || !this.link.ready) {
      this.#keep({ what, run });
      if (this.link.ready) void this.#drain();
      return;
    }
    try {
      await run();
    } catch (err) {
      if (this.link.ready && !isLinkFailure(err)) throw err;
      this.#keep({ what, run });
      this.#retryLater();
    }
  }

  /** Resolves once the writes kept so far are saved (or Redis went down again meanwhile). */
  async settled(): Promise<void> {
    await this.#draining;
  }

  #keep(write: KeptWrite): void {
    if (this.#keptThisOutage === 0) {
      this.#log?.warn({ limit: this.#limit }, 'redis unavailable: the bot serves from memory and keeps store writes until redis is back');
    }
    this.#keptThisOutage += 1;
    if (this.#kept.length >= this.#limit) {
      this.#kept.shift();
      this.#dropped += 1;
    }
    this.#kept.push(write);
  }

  #drain(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#draining ??= this.#saveKept().finally(() => { this.#draining = undefined; });
    return this.#draining;
  }

  /**
   * A write timed out on a link that is still up (Redis stalled): no `ready` will come to say it
   * answers again, so try again after a while.
   */
  #retryLater(): void {
    if (this.#retry !== undefined || this.#closed) return;
    this.#retry = this.#clock.setTimeout(() => {
      this.#retry = undefined;
      if (this.link.ready) void this.#drain();
    }, BACKLOG_RETRY_MS);
    (this.#retry as { unref?: () => void }).unref?.();
  }

  async #saveKept(): Promise<void> {
    let saved = 0;
    while (this.#kept.length > 0) {
      const next = this.#kept[0] as KeptWrite;
      try {
        await next.run();
        saved += 1;
      } catch (err) {
        // Down again: the rest waits for the next time it is back.
        if (!this.link.ready || isLinkFailure(err)) {
          this.#retryLater();
          return;
        }
        this.#log?.error({ err, write: next.what }, 'redis refused a store write kept during the outage; it is dropped');
      }
      this.#kept.shift();
    }
    if (this.#keptThisOutage > 0) {
      this.#log?.info({ saved, dropped: this.#dropped }, 'redis is back: store writes kept during the outage are saved');
    }
    this.#keptThisOutage = 0;
    this.#dropped = 0;
  }
}

/** The node-redis failures that mean "no answer from Redis", as opposed to an answer refusing the command. */
const LINK_FAILURES = [
  ClientOfflineError, ClientClosedError, SocketClosedUnexpectedlyError, ConnectionTimeoutError, SocketTimeoutError,
  TimeoutError, TimeoutReadError, DisconnectsClientError, ReconnectStrategyError,
];

function isLinkFailure(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (LINK_FAILURES.some((kind) => e instanceof kind)) return true;
  }
  return false;
}
