import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { MessageGoneError, PlatformError, PlatformRateLimitedError } from '../../src/core/adapter-errors.ts';
import type { BotError } from '../../src/errors.ts';

/**
 * Discord REST failures → the adapter errors the core understands. A 429 carries its delay and the
 * route bucket it came from; a deleted message or channel is gone; missing access or permissions
 * get a plain answer saying what to fix; 5xx and network errors are transient.
 * @see https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes
 */

const PLATFORM = 'Discord';

export const DISCORD_CODES = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  oldMessageEditLimit: 30046,
  missingAccess: 50001,
  missingPermissions: 50013,
} as const;

/**
 * A 429 from one route bucket: other channels' buckets keep going. The core's scope is the route
 * bucket; Discord's own `X-RateLimit-Scope` (user, global, shared) is kept for logs.
 */
export class DiscordRateLimitedError extends PlatformRateLimitedError {
  /** The route bucket (`/channels/:id/messages/:id` plus its major parameter). */
  readonly bucket: string;
  readonly discordScope: string;
  constructor(retryAfterMs: number, bucket: string, discordScope: string) {
    super(PLATFORM, retryAfterMs, { kind: 'route', key: bucket });
    this.bucket = bucket;
    this.discordScope = discordScope;
  }
}

/** 50001 / 50013: the bot cannot see or post in the channel. The person who asked can get it fixed. */
export class DiscordAccessError extends PlatformError {
  override readonly userMessage = 'I can\'t post or edit messages in this channel. Ask a server admin to give the bot View Channel, Send Messages and Embed Links here.';
  readonly discordCode: number;
  constructor(discordCode: number, detail: string) {
    super(PLATFORM, detail, false);
    this.discordCode = discordCode;
  }
}

/** Is this the 30046 "too many edits to a message older than an hour" answer? */
export function isOldMessageEditLimit(err: unknown): boolean {
  return err instanceof DiscordAPIError && err.code === DISCORD_CODES.oldMessageEditLimit;
}

// The original errors are not attached as `cause`: their request data can hold interaction tokens.
export function toAdapterError(err: unknown, what: string): BotError {
  if (err instanceof RateLimitError) {
    const retryAfterMs = err.retryAfter > 0 ? err.retryAfter : Math.max(0, err.timeToReset);
    return new DiscordRateLimitedError(retryAfterMs, `${err.method.toUpperCase()} ${err.route}:${err.majorParameter}`, err.scope);
  }
  if (err instanceof DiscordAPIError) {
    const detail = `${what}: ${err.status} ${String(err.code)} ${err.message}`;
    if (err.code === DISCORD_CODES.unknownMessage || err.code === DISCORD_CODES.unknownChannel) return new MessageGoneError(PLATFORM, detail);
    if (err.code === DISCORD_CODES.missingAccess || err.code === DISCORD_CODES.missingPermissions) return new DiscordAccessError(Number(err.code), detail);
    return new PlatformError(PLATFORM, detail, err.status >= 500);
  }
  if (err instanceof HTTPError) return new PlatformError(PLATFORM, `${what}: HTTP ${err.status}`, err.status >= 500);
  const detail = err instanceof Error ? err.message : String(err);
  return new PlatformError(PLATFORM, `${what}: ${detail}`, true);
}
