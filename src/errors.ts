/**
 * Every failure the bot can report carries a stable `code` and a short `userMessage` that is safe to
 * show in chat. `message` (from Error) is for logs and may hold detail users must not see.
 * Modules define their own subclasses next to the code that throws them.
 */
export type ErrorCode =
  | 'ami_disconnected'
  | 'ami_timeout'
  | 'ami_login_failed'
  | 'ami_unreachable'
  | 'ami_permission_denied'
  | 'ami_action_failed'
  | 'ami_protocol'
  | 'ami_bad_response'
  | 'unsafe_ami_field'
  | 'unsafe_dial_value'
  | 'pbx_permission_denied'
  | 'pbx_not_ready'
  | 'room_not_found'
  | 'room_unknown'
  | 'room_ambiguous'
  | 'participant_not_found'
  | 'ambiguous_participant'
  | 'already_left'
  | 'action_refused'
  | 'pbx_unavailable'
  | 'pbx_not_found'
  | 'pbx_unknown'
  | 'invite_failed'
  | 'outcome_unknown'
  | 'not_authorized'
  | 'bad_command'
  | 'bad_input'
  | 'bad_sensor_argument'
  | 'bad_action'
  | 'confirmation_expired'
  | 'not_available_yet'
  | 'status_stopped'
  | 'config_invalid'
  | 'sensor_unreachable'
  | 'sensor_needs_aes'
  | 'sensor_error'
  | 'sensor_timeout'
  | 'sensor_not_found'
  | 'call_not_found'
  | 'call_id_unreadable'
  | 'ambiguous_call'
  | 'link_invalid'
  | 'link_expired'
  | 'store_error'
  | 'platform_error'
  | 'rate_limited'
  | 'message_gone'
  | 'alert_state_corrupt'
  | 'alert_not_found'
  | 'alert_rule_invalid'
  | 'data_dir_not_directory'
  | 'store_corrupt'
  | 'store_unreadable'
  | 'store_unreachable'
  | 'stored_signing_key_corrupt'
  | 'tls_ca_file_unreadable'
  | 'listen_address_unusable'
  | 'listen_port_unavailable'
  | 'slack_token_refused'
  | 'adapter_start_failed'
  | 'ops_listen_failed'
  | 'internal';

/**
 * Failures that are answers to what someone asked (a typo, a refusal, nobody by that name, a busy
 * line): nothing is broken, so they are logged at info without a stack. Each says how chat shows
 * it: a notice (nothing to fix), a warning (fix what you typed or ask for access), or an error.
 * Every other code is a fault, logged at warn or error with the stack. The one list of them.
 */
export const EXPECTED_CODES = {
  already_left: 'notice',
  confirmation_expired: 'notice',
  bad_command: 'warning',
  bad_input: 'warning',
  bad_sensor_argument: 'warning',
  bad_action: 'warning',
  not_authorized: 'warning',
  not_available_yet: 'warning',
  status_stopped: 'warning',
  room_not_found: 'warning',
  room_unknown: 'warning',
  room_ambiguous: 'warning',
  pbx_not_found: 'warning',
  pbx_unknown: 'warning',
  participant_not_found: 'warning',
  ambiguous_participant: 'warning',
  ambiguous_call: 'warning',
  call_not_found: 'warning',
  call_id_unreadable: 'warning',
  unsafe_dial_value: 'warning',
  alert_not_found: 'notice',
  alert_rule_invalid: 'warning',
  pbx_not_ready: 'warning',
  pbx_permission_denied: 'error',
  action_refused: 'error',
  invite_failed: 'error',
} as const satisfies Partial<Record<ErrorCode, 'notice' | 'warning' | 'error'>>;

export type ExpectedCode = keyof typeof EXPECTED_CODES;

export function isExpectedCode(code: ErrorCode): code is ExpectedCode {
  return Object.hasOwn(EXPECTED_CODES, code);
}

export interface BotErrorOptions {
  /** Detail for logs only; never shown to users. Defaults to the user message. */
  readonly detail?: string;
  readonly cause?: unknown;
  /**
   * How an operator fixes this (which config key or env var to set). Config names tell a user how
   * the deployment is built, so chat shows it only to an admin of the request's scope; the log
   * always has it, as part of `message` when no `detail` is given.
   */
  readonly adminHint?: string;
}

export abstract class BotError extends Error {
  abstract readonly code: ErrorCode;
  /** Short, safe to show in chat: no stack, no AMI text, no secrets. */
  readonly userMessage: string;
  /** See BotErrorOptions.adminHint. */
  readonly adminHint: string | undefined;

  constructor(userMessage: string, options: BotErrorOptions = {}) {
    const logged = options.adminHint === undefined ? userMessage : `${userMessage} ${options.adminHint}`;
    super(options.detail ?? logged, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.userMessage = userMessage;
    this.adminHint = options.adminHint;
  }
}

/**
 * Something the operator must fix before the bot can start: a config key or a file (`subject`) and
 * how (`fix`). The CLI prints `userMessage` and exits 2, without a stack.
 */
export abstract class StartupError extends BotError {
  readonly subject: string;
  readonly fix: string;
  constructor(problem: string, subject: string, fix: string, cause?: unknown) {
    super(`${problem}\n  Fix: ${fix}`, cause === undefined ? {} : { cause });
    this.subject = subject;
    this.fix = fix;
  }
}

/** A bug or an unexpected failure: users get a generic message and a correlation id. */
export class InternalError extends BotError {
  readonly code = 'internal' as const;
  constructor(detail: string, cause?: unknown) {
    super('Something went wrong inside the bot.', { detail, cause });
  }
}

/** Turns anything thrown into a BotError, so one error sink can treat every failure alike. */
export function toBotError(err: unknown): BotError {
  if (err instanceof BotError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new InternalError(detail, err);
}

export function isBotError(err: unknown, code?: ErrorCode): err is BotError {
  return err instanceof BotError && (code === undefined || err.code === code);
}
