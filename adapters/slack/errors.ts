import { MessageGoneError, PlatformError, PlatformRateLimitedError } from '../../src/core/adapter-errors.ts';
import type { BotError } from '../../src/errors.ts';
import { NotInChannelError } from './not-in-channel-error.ts';
import { PostUnconfirmedError } from './post-unconfirmed-error.ts';
import { neverSent } from './retry.ts';

/**
 * Maps a failure from @slack/web-api (or a response_url post) to the adapter error the core's
 * scheduler understands: 429 → rate limited with its delay, scoped to the workspace (Slack limits
 * per app, workspace and method), a deleted message or channel → gone, a post into a channel the
 * bot is not in → "invite the bot", 5xx and network errors → transient, anything else → permanent.
 * @see https://docs.slack.dev/apis/web-api/rate-limits
 */

const PLATFORM = 'Slack';

// The original errors are never attached as `cause`: a request error holds the axios config, whose
// headers carry the bot token, and a logged cause would leak it.

/** Slack error strings meaning the message (or its channel) is no longer there. */
const GONE = new Set(['message_not_found', 'channel_not_found', 'thread_not_found', 'is_archived']);

/** Methods that post a new message: for them a channel error means "not invited", not "deleted". */
const POST_METHODS = new Set(['chat.postMessage', 'chat.postEphemeral']);

/**
 * What Slack answers a post into a channel the bot is not in: `not_in_channel` for a public channel,
 * `channel_not_found` for a private channel or DM it cannot see.
 */
const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found']);

/** Slack error strings worth retrying: the request was fine, Slack was not. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Of those, the ones after which a post may have been made anyway (`service_unavailable`: not run). */
const MAY_HAVE_ACTED = new Set(['internal_error', 'fatal_error', 'request_timeout']);

/** Used when Slack says `ratelimited` without a Retry-After header. */
const DEFAULT_RETRY_AFTER_MS = 1000;

interface SlackErrorShape {
  readonly code?: unknown;
  readonly retryAfter?: unknown;
  readonly statusCode?: unknown;
  readonly data?: { readonly error?: unknown };
}

function shapeOf(err: unknown): SlackErrorShape {
  return typeof err === 'object' && err !== null ? (err as SlackErrorShape) : {};
}

/**
 * Slack error strings meaning the bot token will never work again until someone acts (reinstalls the
 * app, reactivates the account): every further call would fail the same way.
 * @see https://docs.slack.dev/reference/methods/auth.test#errors
 */
const DEAD_TOKEN = new Set(['invalid_auth', 'token_revoked', 'account_inactive', 'not_authed', 'token_expired']);

/** The Slack error string when `err` says the bot token is dead, else undefined. */
export function deadTokenReason(err: unknown): string | undefined {
  const e = shapeOf(err);
  const code = e.code === 'slack_webapi_platform_error' ? e.data?.error : undefined;
  return typeof code === 'string' && DEAD_TOKEN.has(code) ? code : undefined;
}

/** The bot token was revoked (or the app uninstalled): the adapter makes no more calls. */
export class TokenRevokedError extends PlatformError {
  override readonly userMessage = 'This bot has lost its access to Slack; an admin must reinstall the Slack app.';

  constructor(detail: string) {
    super(PLATFORM, detail, false);
  }
}

/** `botHandle` is the bot's @name, for telling people whom to invite. */
export function mapSlackError(err: unknown, method: string, botHandle: string): BotError {
  const e = shapeOf(err);
  switch (e.code) {
    case 'slack_webapi_rate_limited_error': {
      const sec = typeof e.retryAfter === 'number' && Number.isFinite(e.retryAfter) ? e.retryAfter : 1;
      return new PlatformRateLimitedError(PLATFORM, Math.max(0, sec * 1000), { kind: 'workspace', key: method });
    }
    case 'slack_webapi_platform_error': {
      const code = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
      if (code === 'ratelimited') return new PlatformRateLimitedError(PLATFORM, DEFAULT_RETRY_AFTER_MS, { kind: 'workspace', key: method });
      if (POST_METHODS.has(method) && NOT_IN_CHANNEL.has(code)) return new NotInChannelError(botHandle, `${method}: ${code}`);
      if (method === 'chat.postEphemeral' && code === 'user_not_in_channel') return new NotInChannelError(botHandle, `${method}: ${code}`);
      if (GONE.has(code)) return new MessageGoneError(PLATFORM, `${method}: ${code}`);
      if (method === 'chat.postMessage' && MAY_HAVE_ACTED.has(code)) return new PostUnconfirmedError(`${method}: ${code}`);
      return new PlatformError(PLATFORM, `${method}: ${code}`, TRANSIENT.has(code));
    }
    case 'slack_webapi_http_error': {
      const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
      // 502 and 503 come from Slack's edge before the method ran; any other 5xx may come after a post.
      if (method === 'chat.postMessage' && status >= 500 && status !== 502 && status !== 503) return new PostUnconfirmedError(`${method}: HTTP ${status}`);
      return new PlatformError(PLATFORM, `${method}: HTTP ${status}`, status >= 500 || status === 408);
    }
    case 'slack_webapi_request_error':
      // A post that reached Slack (a timeout, a reset after sending) may have been made.
      if (method === 'chat.postMessage' && !neverSent(err)) return new PostUnconfirmedError(`${method}: no answer after sending`);
      return new PlatformError(PLATFORM, `${method}: network error`, true);
    default:
      return new PlatformError(PLATFORM, `${method}: ${err instanceof Error ? err.message : String(err)}`, false);
  }
}
