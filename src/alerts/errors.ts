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

/** A button or command named an incident the bot no longer holds (resolved a day ago, or never). */
export class AlertNotFoundError extends BotError {
  readonly code = 'alert_not_found' as const;
  constructor(id: string) {
    super('That alert is no longer open.', { detail: `no incident ${id}` });
  }
}

/** An alert rule from chat or the config file does not validate; `problems` name rule and field. */
export class AlertRuleInvalidError extends BotError {
  readonly code = 'alert_rule_invalid' as const;
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`That alert rule is not valid: ${problems.join('; ')}`);
    this.problems = problems;
  }
}
