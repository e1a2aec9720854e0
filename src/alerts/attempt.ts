import { MessageGoneError, PlatformError, PlatformRateLimitedError } from '../core/adapter-errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../log.ts';

const MAX_ATTEMPTS = 4;
const TRANSIENT_BACKOFF_MS = 2_000;

export interface AttemptContext {
  readonly clock: Clock;
  readonly log: Logger;
  /** Checked before each wait: a stopping service gives up instead of retrying. */
  readonly stopped: () => boolean;
}

/**
 * Runs one platform call for an alert, waiting out 429s (their Retry-After) and retrying transient
 * failures a few times; undefined, logged, when it cannot be done.
 */
export async function attempt<T>(ctx: AttemptContext, what: string, fn: () => Promise<T>): Promise<T | undefined> {
  for (let n = 1; ; n += 1) {
    try {
      return await fn();
    } catch (err) {
      const retryIn = err instanceof PlatformRateLimitedError ? err.retryAfterMs
        : err instanceof PlatformError && err.transient ? TRANSIENT_BACKOFF_MS * n : undefined;
      if (retryIn === undefined || n >= MAX_ATTEMPTS || ctx.stopped()) {
        // An alert that did not reach on-call, or whose post may have been made unseen, is an error.
        const level = err instanceof MessageGoneError ? 'info' : 'error';
        ctx.log[level]({ err, attempt: n }, `could not ${what}`);
        return undefined;
      }
      await new Promise<void>((res) => { ctx.clock.setTimeout(res, retryIn); });
    }
  }
}
