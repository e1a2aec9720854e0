import { createClient } from '@redis/client';
import type { Logger } from '../log.ts';
import { StoreError, StoreUnreachableError } from './errors.ts';

/**
 * One node-redis client with the bot's key prefix, a capped reconnect backoff and a readiness
 * flag. While Redis is down commands fail fast (no offline queue, a bounded command timeout), so a
 * replica keeps serving chat commands from memory and its status edits wait, rather than piling up
 * writes or hanging.
 */

export type RedisClient = ReturnType<typeof createClient>;

export const DEFAULT_REDIS_PREFIX = 'meetme:';

export interface RedisConnectionOptions {
  readonly url: string;
  /** Prefix of every key, so several bots can share one Redis (default `meetme:`). */
  readonly prefix?: string;
  readonly logger?: Logger;
  /** Longest wait between reconnect attempts (default 5 s). */
  readonly maxReconnectDelayMs?: number;
  /** How long one command may take before it fails (default 2 s). */
  readonly commandTimeoutMs?: number;
  /** Connection attempts at start before giving up (default 3, about a second). */
  readonly startAttempts?: number;
}

export class RedisConnection {
  readonly client: RedisClient;
  readonly prefix: string;
  #ready = false;
  #everReady = false;
  #downSince: number | undefined;

  constructor(private readonly opts: RedisConnectionOptions) {
    this.prefix = opts.prefix ?? DEFAULT_REDIS_PREFIX;
    const maxDelay = opts.maxReconnectDelayMs ?? 5_000;
    const startAttempts = opts.startAttempts ?? 3;
    this.client = createClient({
      url: opts.url,
      disableOfflineQueue: true,
      // A command sent just before the link dropped would otherwise wait for a reply that never comes.
      commandOptions: { timeout: opts.commandTimeoutMs ?? 2_000, rejectInFlight: true },
      socket: {
        connectTimeout: 5_000,
        // At start, a Redis that stays away is a start-up failure (connect() would wait forever);
        // once it has been up, the client keeps trying and the bot serves from memory meanwhile.
        reconnectStrategy: (retries: number, cause: Error) => {
          if (!this.#everReady) return retries + 1 >= startAttempts ? cause : 200 * (retries + 1);
          return Math.min(maxDelay, 100 * 2 ** Math.min(retries, 10)) + Math.floor(Math.random() * 100);
        },
      },
    });
    this.client.on('ready', () => {
      if (this.#downSince !== undefined && this.#everReady) opts.logger?.info({ downMs: Date.now() - this.#downSince }, 'redis is back');
      this.#ready = true;
      this.#everReady = true;
      this.#downSince = undefined;
    });
    this.client.on('end', () => { this.#ready = false; });
    this.client.on('error', (err: unknown) => {
      // Once per outage, not once per reconnect attempt; before the first connect the start-up error says it.
      if (this.#everReady && (this.#ready || this.#downSince === undefined)) {
        opts.logger?.warn({ detail: this.#scrub(err instanceof Error ? err.message : String(err)) }, 'redis connection lost; serving from memory and reconnecting');
      }
      this.#ready = false;
      this.#downSince ??= Date.now();
    });
  }

  key(name: string): string {
    return `${this.prefix}${name}`;
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Called each time Redis answers again (the first connect included). */
  onReady(listener: () => void): void {
    this.client.on('ready', listener);
  }

  /** Connects, or rejects with StoreUnreachableError (no password in it) after a few attempts. */
  async connect(): Promise<void> {
    try {
      await this.client.connect();
    } catch (err) {
      if (this.client.isOpen) this.client.destroy();
      throw new StoreUnreachableError(redactUrl(this.opts.url), this.#scrub(err instanceof Error ? err.message : String(err)), err);
    }
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
  }

  /** A client error's text with the URL's password taken out, should a message ever carry it. */
  #scrub(text: string): string {
    const password = passwordOf(this.opts.url);
    return password === '' ? text : text.split(password).join('***');
  }
}

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

/** The URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable redis URL)';
  }
}

/** Every Redis call goes through here, so a dropped link is one typed store error. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(`redis ${what} failed: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
