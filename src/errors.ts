/**
 * Every failure the bot can report carries a stable `code` and a short `userMessage` that is safe to
 * show in chat. `message` (from Error) is for logs and may hold detail users must not see.
 * Modules define their own subclasses next to the code that throws them.
 */
export type ErrorCode =
  | 'ami_disconnected'
  | 'ami_timeout'
  | 'ami_login_failed'
  | 'ami_action_failed'
  | 'ami_protocol'
  | 'ami_bad_response'
  | 'unsafe_ami_field'
  | 'unsafe_dial_value'
  | 'pbx_permission_denied'
  | 'pbx_not_ready'
  | 'room_not_found'
  | 'participant_not_found'
  | 'ambiguous_participant'
  | 'already_left'
  | 'action_refused'
  | 'pbx_unavailable'
  | 'pbx_not_found'
  | 'outcome_unknown'
  | 'not_authorized'
  | 'bad_command'
  | 'bad_action'
  | 'not_available_yet'
  | 'config_invalid'
  | 'sensor_unreachable'
  | 'sensor_needs_aes'
  | 'sensor_error'
  | 'sensor_timeout'
  | 'sensor_not_found'
  | 'call_not_found'
  | 'link_invalid'
  | 'link_expired'
  | 'store_error'
  | 'platform_error'
  | 'rate_limited'
  | 'message_gone'
  | 'internal';

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
