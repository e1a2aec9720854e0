import { join } from 'node:path';
import type { Config } from '../config.ts';
import { MemoryStore } from './memory.ts';
import type { RedisConnectionOptions } from './redis-connection.ts';
import { openRedisStore } from './redis.ts';
import type { StoreOptions } from './retention.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './types.ts';

export type { Store } from './types.ts';
export { StoreError, StoreUnreachableError } from './errors.ts';
export { MemoryStore } from './memory.ts';
export { SqliteStore, openSqliteStore } from './sqlite.ts';
export { RedisStore, openRedisStore } from './redis.ts';
export { DEFAULT_AUDIT_RETENTION_DAYS, type StoreOptions } from './retention.ts';

export const DEFAULT_STORE_FILE = 'meetme-bot.db';

export type OpenStoreOptions = StoreOptions & (
  | { readonly dataDir: string; readonly file?: string }
  | { readonly memory: true }
  | { readonly redis: Omit<RedisConnectionOptions, 'logger'> }
);

/**
 * Opens the configured store: SQLite at `<dataDir>/<file>` (default `./data/meetme-bot.db`; the
 * directory is created), an in-memory one, or Redis. Audit records and alert acks older than
 * `auditRetentionDays` (default 90) are deleted now and daily until `close()`. Rejects with
 * StoreError when the file cannot be used or the retention is not a positive number, and with
 * StoreUnreachableError when Redis does not answer.
 */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if ('memory' in opts) return new MemoryStore(opts);
  if ('redis' in opts) {
    const { redis, ...rest } = opts;
    return openRedisStore({ ...rest, ...redis });
  }
  return openSqliteStore(join(opts.dataDir, opts.file ?? DEFAULT_STORE_FILE), opts);
}

/** The open options `store.*` and `dataDir` in the config ask for. */
export function storeOptionsFor(config: Pick<Config, 'dataDir' | 'store'>, extra: StoreOptions = {}): OpenStoreOptions {
  const common: StoreOptions = { auditRetentionDays: config.store.auditRetentionDays, ...extra };
  const { kind, redisUrl, redisPrefix } = config.store;
  if (kind === 'memory') return { ...common, memory: true };
  // The schema refuses kind redis without a URL; the check keeps the type honest.
  if (kind === 'redis' && redisUrl !== undefined) return { ...common, redis: { url: redisUrl, prefix: redisPrefix } };
  return { ...common, dataDir: config.dataDir };
}
