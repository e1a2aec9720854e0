import { createClient } from '@redis/client';
import type { Logger } from '../log.ts';
import { StoreError } from './errors.ts';

/**
 * One node-redis client with the bot's key prefix, a capped reconnect backoff and a readiness
 * flag. While Redis is down commands fail fast (no offline queue), so a replica keeps serving
 * chat commands from memory and its status edits wait, rather than piling up writes.
 */

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnectionOptions {
  readonly url: string;
  /** Prefix of every key, so several bots can share one Redis (default `meetme:`). */
  readonly prefix?: string;
  readonly logger?: Logger;
  /** Longest wait between reconnect attempts (default 5 s). */
  readonly maxReconnectDelayMs?: number;
}

export class RedisConnection {
  readonly client: RedisClient;
  readonly prefix: string;
  #ready = false;
  #downSince: number | undefined;

  constructor(private readonly opts: RedisConnectionOptions) {
    this.prefix = opts.prefix ?? 'meetme:';
    const maxDelay = opts.maxReconnectDelayMs ?? 5_000;
    this.client = createClient({
      url: opts.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5_000,
        reconnectStrategy: (retries: number) => Math.min(maxDelay, 100 * 2 ** Math.min(retries, 10)) + Math.floor(Math.random() * 100),
      },
    });
    this.client.on('ready', () => {
      if (this.#downSince !== undefined) opts.logger?.info({ downMs: Date.now() - this.#downSince }, 'redis is back');
      this.#ready = true;
      this.#downSince = undefined;
    });
    this.client.on('end', () => { this.#ready = false; });
    this.client.on('error', (err: unknown) => {
      if (this.#ready || this.#downSince === undefined) opts.logger?.warn({ err }, 'redis connection lost; reconnecting');
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

  async connect(): Promise<void> {
    try {
      await this.client.connect();
    } catch (err) {
      throw new StoreError(`cannot reach redis at ${redactUrl(this.opts.url)}: ${err instanceof Error ? err.message : String(err)}`, err);
    }
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
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
