import type { Clock } from '../../src/core/clock.ts';

/**
 * When a failed Web API call may be sent again, and after how long. A call is resent only when Slack
 * cannot have acted on it, so nothing is ever posted twice: a 429 (Slack refused it, Retry-After says
 * when to come back), a gateway 5xx or a connection that was never made. Calls that are safe to repeat
 * (reading, or setting the same state again) are also resent after any 5xx, a Slack-side
 * `internal_error` and a network failure after sending, where a post could already be in the channel.
 * @see https://docs.slack.dev/apis/web-api/rate-limits
 * @see https://docs.slack.dev/reference/methods/chat.postMessage#errors
 */

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  readonly initialDelayMs: number;
  /** Cap on the delay between two tries. */
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited out: the failure is reported instead. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 4, initialDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 30_000 };

interface SlackErrorShape {
  readonly code?: unknown;
  readonly retryAfter?: unknown;
  readonly statusCode?: unknown;
  readonly data?: { readonly error?: unknown };
  readonly original?: { readonly code?: unknown };
}

/** Network errors raised before the request reached Slack. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * HTTP statuses from Slack's edge meaning the request never reached the method. Not 504: the edge
 * gave up waiting, and the method may still have run.
 */
const GATEWAY_STATUSES = new Set([502, 503]);

/** Slack error strings for a failure on Slack's side, after which an operation may have half happened. */
const SLACK_SIDE = new Set(['internal_error', 'fatal_error', 'request_timeout']);

/** Used when Slack says `ratelimited` without a Retry-After header. */
const DEFAULT_RETRY_AFTER_MS = 1000;

function shapeOf(err: unknown): SlackErrorShape {
  return typeof err === 'object' && err !== null ? (err as SlackErrorShape) : {};
}

/** Whether `err` failed to connect at all, so Slack cannot have seen the request. */
export function neverSent(err: unknown): boolean {
  const cause = shapeOf(err).original?.code;
  return typeof cause === 'string' && NEVER_SENT.has(cause);
}

/**
 * The delay before the next try of a call that failed with `err` on try number `attempt` (0-based),
 * or undefined when it must not be resent. `repeatable`: sending the call twice does no harm.
 */
export function retryDelayMs(err: unknown, attempt: number, repeatable: boolean, policy: RetryPolicy): number | undefined {
  if (attempt + 1 >= policy.attempts) return undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** attempt);
  const e = shapeOf(err);
  switch (e.code) {
    case 'slack_webapi_rate_limited_error': {
      const ms = typeof e.retryAfter === 'number' && Number.isFinite(e.retryAfter) ? Math.max(0, e.retryAfter * 1000) : DEFAULT_RETRY_AFTER_MS;
      return ms <= policy.maxRetryAfterMs ? ms : undefined;
    }
    case 'slack_webapi_http_error': {
      const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
      if (GATEWAY_STATUSES.has(status)) return backoff;
      return repeatable && status >= 500 ? backoff : undefined;
    }
    case 'slack_webapi_platform_error': {
      const code = e.data?.error;
      if (code === 'ratelimited') return DEFAULT_RETRY_AFTER_MS <= policy.maxRetryAfterMs ? DEFAULT_RETRY_AFTER_MS : undefined;
      if (code === 'service_unavailable') return backoff;
      return repeatable && typeof code === 'string' && SLACK_SIDE.has(code) ? backoff : undefined;
    }
    case 'slack_webapi_request_error':
      return neverSent(err) || repeatable ? backoff : undefined;
    default:
      return undefined;
  }
}

/** Runs `call`, resending it while `retryDelayMs` allows; rejects with the last failure. */
export async function withRetries<T>(
  call: () => Promise<T>,
  options: { readonly repeatable: boolean; readonly policy: RetryPolicy; readonly clock: Clock; readonly onRetry: (err: unknown, delayMs: number) => void },
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (err) {
      const delay = retryDelayMs(err, attempt, options.repeatable, options.policy);
      if (delay === undefined) throw err;
      options.onRetry(err, delay);
      await new Promise<void>((resolve) => options.clock.setTimeout(resolve, delay));
    }
  }
}
