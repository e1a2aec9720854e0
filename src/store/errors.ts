import { BotError, StartupError } from '../errors.ts';

/** The store could not read or write (disk full, locked file, newer schema than this build knows). */
export class StoreError extends BotError {
  readonly code = 'store_error' as const;
  constructor(detail: string, cause?: unknown) {
    super('The bot could not read or save its data.', { detail, cause });
  }
}

const DATA_DIR_KEY = 'dataDir (env MEETME_DATA_DIR)';

/** `dataDir` names a file (or a path through a file), so neither the store nor the log can live there. */
export class DataDirNotDirectoryError extends StartupError {
  readonly code = 'data_dir_not_directory' as const;
  constructor(dir: string, cause?: unknown) {
    super(`the data directory ${dir} is not a directory.`, dir, `point ${DATA_DIR_KEY} at a directory (it is created if missing), or move the file away.`, cause);
  }
}

/**
 * The store file is not a SQLite database, or a damaged one. It is left exactly as it is: it may
 * hold the only copy of the audit log, so replacing it is the operator's call.
 */
export class StoreCorruptError extends StartupError {
  readonly code = 'store_corrupt' as const;
  constructor(file: string, reason: string, cause?: unknown) {
    super(
      `the store file ${file} is not a usable SQLite database (${reason}); it was left untouched.`,
      file,
      `restore ${file} from a backup, or move it away to start with an empty store (watches, audit log and the link key are lost), or set ${DATA_DIR_KEY} to another directory.`,
      cause,
    );
  }
}

/** The store file exists but cannot be opened or written (permissions, a directory in its place). */
export class StoreUnreadableError extends StartupError {
  readonly code = 'store_unreadable' as const;
  constructor(file: string, reason: string, cause?: unknown) {
    super(
      `the store file ${file} cannot be opened for reading and writing (${reason}).`,
      file,
      `give the bot's user read and write access to ${file} and its directory, or set ${DATA_DIR_KEY} to a directory it can write.`,
      cause,
    );
  }
}

const REDIS_URL_KEY = 'store.redisUrl (env REDIS_URL)';

/**
 * Redis did not answer at start (down, wrong address, refused password). The bot does not start
 * without its store: a replica that cannot prove who owns what must not post or edit.
 */
export class StoreUnreachableError extends StartupError {
  readonly code = 'store_unreachable' as const;
  constructor(redactedUrl: string, reason: string, cause?: unknown) {
    super(
      `the Redis store at ${redactedUrl} cannot be reached (${reason}).`,
      REDIS_URL_KEY,
      `start Redis or point ${REDIS_URL_KEY} at one this machine can reach (redis://[:password@]host:6379, rediss:// for TLS), with the right password; or set store.kind (env MEETME_STORE_KIND) to sqlite.`,
      cause,
    );
  }
}
