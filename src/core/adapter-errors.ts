import { BotError } from '../errors.ts';

/**
 * Which requests a 429 holds back, as the platform counts them:
 * - `workspace`: every request of the app in the answered message's workspace (Slack's per-method
 *   tiers); `key` names the limit (the Web API method), for logs.
 * - `channel`: requests in the answered message's channel; `key` names the limit, for logs.
 * - `route`: requests in the platform's bucket named by `key` (Discord's `X-RateLimit-Bucket` with
 *   its major parameter). Buckets are learned, not known ahead: a message joins one when a request
 *   of its own is answered with it.
 */
export interface RateLimitScope {
  readonly kind: 'workspace' | 'channel' | 'route';
  readonly key: string;
}

/** The platform answered 429: retry after `retryAfterMs`; other requests in `scope` wait as long. */
export class PlatformRateLimitedError extends BotError {
  readonly code = 'rate_limited' as const;
  readonly retryAfterMs: number;
  readonly scope: RateLimitScope;
  constructor(platform: string, retryAfterMs: number, scope: RateLimitScope) {
    super(`${platform} is rate-limiting the bot; retrying shortly.`, {
      detail: `${platform} 429 (${scope.kind} ${scope.key}), retry after ${retryAfterMs} ms`,
    });
    this.retryAfterMs = retryAfterMs;
    this.scope = scope;
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
