import { BotError } from '../errors.ts';

/** The stored alert state does not read back: refused by name, never silently replaced. */
export class AlertStateCorruptError extends BotError {
  readonly code = 'alert_state_corrupt' as const;
  constructor(key: string, problem: string) {
    super('The stored alert state is damaged.', {
      detail: `stored alert state '${key}' does not read back (${problem})`,
      adminHint: `Restore the data dir from a backup, or delete the '${key}' key from the store to start with no open alerts.`,
    });
  }
}
