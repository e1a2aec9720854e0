import { BotError } from '../errors.ts';

/**
 * One class per AMI failure. `message` carries detail for logs (PBX name, action, Asterisk's own
 * text); `userMessage` is short and generic because AMI text must never reach chat.
 */

/** The byte stream broke the AMI framing rules (for example a message over the size bound). */
export class AmiProtocolError extends BotError {
  readonly code = 'ami_protocol' as const;
  constructor(detail: string) {
    super('The phone system sent something the bot could not read.', { detail });
  }
}

/** A key or value would have broken out of its line on the wire (CR/LF injection), so nothing was sent. */
export class AmiUnsafeFieldError extends BotError {
  readonly code = 'unsafe_ami_field' as const;
  /** The offending key (never the value: it may be user input or a secret). */
  readonly field: string;
  constructor(field: string, reason: string) {
    super('That input contains characters that cannot be sent to the phone system.', {
      detail: `unsafe AMI field ${JSON.stringify(field)}: ${reason}`,
    });
    this.field = field;
  }
}

/** No answer to an action within its timeout. */
export class AmiTimeoutError extends BotError {
  readonly code = 'ami_timeout' as const;
  readonly pbx: string;
  readonly action: string;
  constructor(pbx: string, action: string, timeoutMs: number) {
    super('The phone system did not answer in time.', {
      detail: `AMI ${pbx}: no answer to ${action} within ${timeoutMs} ms`,
    });
    this.pbx = pbx;
    this.action = action;
  }
}

/** The link is down: the action was never sent, or its answer was lost with the socket. */
export class AmiDisconnectedError extends BotError {
  readonly code = 'ami_disconnected' as const;
  readonly pbx: string;
  constructor(pbx: string, detail: string, cause?: unknown) {
    super('The bot is not connected to the phone system right now.', {
      detail: `AMI ${pbx}: ${detail}`,
      cause,
    });
    this.pbx = pbx;
  }
}

/** Asterisk answered `Response: Error`. `amiMessage` keeps Asterisk's text for logs only. */
export class AmiActionError extends BotError {
  readonly code = 'ami_action_failed' as const;
  readonly pbx: string;
  readonly action: string;
  readonly amiMessage: string;
  constructor(pbx: string, action: string, amiMessage: string) {
    super('The phone system refused that request.', {
      detail: `AMI ${pbx}: ${action} failed: ${amiMessage}`,
    });
    this.pbx = pbx;
    this.action = action;
    this.amiMessage = amiMessage;
  }
}

/**
 * The PBX refused the Challenge or the Login (`Response: Error`, "Authentication failed" for a wrong
 * secret). The client retries it slowly (see `loginRetryMs`). Names the user and host, never the secret.
 */
export class AmiLoginError extends BotError {
  readonly code = 'ami_login_failed' as const;
  readonly pbx: string;
  readonly username: string;
  /** Asterisk's text, for logs only. */
  readonly amiMessage: string;
  constructor(pbx: string, username: string, host: string, port: number, reason: string) {
    super('The bot could not log in to the phone system.', {
      detail: `AMI ${pbx}: login as ${JSON.stringify(username)} at ${host}:${port} failed: ${reason}`,
      adminHint: `Check the AMI username and secret of PBX ${pbx} in the bot's config against manager.conf on the PBX (and its permit/deny lines).`,
    });
    this.pbx = pbx;
    this.username = username;
    this.amiMessage = reason;
  }
}

/**
 * No AMI listener could be reached at host:port (refused, no route, name not found, connect timeout):
 * the PBX is down, or the address or a firewall is wrong. Apart from `ami_disconnected`, which is a
 * link that was up, or a failure after the TCP connect (TLS, framing).
 */
export class AmiUnreachableError extends BotError {
  readonly code = 'ami_unreachable' as const;
  readonly pbx: string;
  readonly host: string;
  readonly port: number;
  constructor(pbx: string, host: string, port: number, reason: string, cause?: unknown) {
    super('The bot cannot reach the phone system right now.', {
      detail: `AMI ${pbx}: cannot reach ${host}:${port}: ${reason}`,
      cause,
      adminHint: `Check that Asterisk runs with AMI enabled at ${host}:${port} (manager.conf: enabled, port, bindaddr) and that no firewall blocks the bot.`,
    });
    this.pbx = pbx;
    this.host = host;
    this.port = port;
  }
}

/**
 * The PBX answered one action `Response: Error` / `Message: Permission denied`: the bot's manager
 * user lacks the write class that action needs. The link stays up; only this action failed.
 */
export class AmiPermissionDeniedError extends BotError {
  readonly code = 'ami_permission_denied' as const;
  readonly pbx: string;
  readonly action: string;
  /** Asterisk's write classes for the action, any one of which lets it through; empty when not known. */
  readonly writeClasses: readonly string[];
  constructor(pbx: string, action: string, username: string | undefined, writeClasses: readonly string[]) {
    const user = username === undefined ? 'the bot\'s AMI user' : `the AMI user ${JSON.stringify(username)}`;
    const classes = writeClasses.length === 0 ? 'the write class that action needs' : `one of the write classes ${writeClasses.join(', ')}`;
    super('The bot is not allowed to do that on the phone system.', {
      detail: `AMI ${pbx}: ${action} refused: Permission denied`,
      adminHint: `Give ${user} of PBX ${pbx} ${classes} in manager.conf (needed for ${action}), then run "manager reload".`,
    });
    this.pbx = pbx;
    this.action = action;
    this.writeClasses = writeClasses;
  }
}

/**
 * An answer arrived, well framed, but did not have the shape the action promises (schema check at the
 * boundary). Kept apart from `ami_protocol`, which means the byte stream itself broke the framing.
 */
export class AmiBadResponseError extends BotError {
  readonly code = 'ami_bad_response' as const;
  readonly action: string;
  constructor(action: string, detail: string) {
    super('The phone system sent an answer the bot could not read.', {
      detail: `AMI ${action}: unexpected answer: ${detail}`,
    });
    this.action = action;
  }
}
