import { join } from 'node:path';
import { MemoryStore } from './memory.ts';
import type { StoreOptions } from './retention.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './types.ts';

export type { Store } from './types.ts';
export { StoreError } from './errors.ts';
export { MemoryStore } from './memory.ts';
export { SqliteStore, openSqliteStore } from './sqlite.ts';
export { DEFAULT_AUDIT_RETENTION_DAYS, type StoreOptions } from './retention.ts';

export const DEFAULT_STORE_FILE = 'meetme-bot.db';

export type OpenStoreOptions = StoreOptions & (
  | { readonly dataDir: string; readonly file?: string }
  | { readonly memory: true }
);

/**
 * Opens the configured store: SQLite at `<dataDir>/<file>` (default `./data/meetme-bot.db`; the
 * directory is created), or an in-memory one. Audit records and alert acks older than
 * `auditRetentionDays` (default 90) are deleted now and daily until `close()`. Rejects with
 * StoreError when the file cannot be used or the retention is not a positive number.
 */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if ('memory' in opts) return new MemoryStore(opts);
  return openSqliteStore(join(opts.dataDir, opts.file ?? DEFAULT_STORE_FILE), opts);
}
