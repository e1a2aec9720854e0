import { BotError } from '../errors.ts';

/** The platform answered 429: retry after `retryAfterMs`. */
export class PlatformRateLimitedError extends BotError {
  readonly code = 'rate_limited' as const;
  readonly retryAfterMs: number;
  constructor(platform: string, retryAfterMs: number) {
    super(`${platform} is rate-limiting the bot; retrying shortly.`, { detail: `${platform} 429, retry after ${retryAfterMs} ms` });
    this.retryAfterMs = retryAfterMs;
  }
}

/** The message to edit no longer exists (a person deleted it, or the channel is gone). */
export class MessageGoneError extends BotError {
  readonly code = 'message_gone' as const;
  constructor(platform: string, detail: string) {
    super('That message no longer exists.', { detail: `${platform}: ${detail}` });
  }
}

/** Any other platform failure; `transient` ones (5xx, network) are retried with backoff. */
export class PlatformError extends BotError {
  readonly code = 'platform_error' as const;
  readonly transient: boolean;
  constructor(platform: string, detail: string, transient: boolean, cause?: unknown) {
    super(`${platform} did not accept the request.`, { detail: `${platform}: ${detail}`, cause });
    this.transient = transient;
  }
}
