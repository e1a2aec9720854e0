import { BotError } from '../errors.ts';

/** The store could not read or write (disk full, locked file, newer schema than this build knows). */
export class StoreError extends BotError {
  readonly code = 'store_error' as const;
  constructor(detail: string, cause?: unknown) {
    super('The bot could not read or save its data.', { detail, cause });
  }
}
