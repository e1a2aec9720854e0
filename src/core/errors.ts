import { BotError } from '../errors.ts';

/** Typed input the grammar refused; `userMessage` says what was wrong and how to write it. */
export class BadCommandError extends BotError {
  readonly code = 'bad_command' as const;
  /** One-line usage of the subcommand concerned, when one is known. */
  readonly usage: string | undefined;
  /** The closest known word ("did you mean `mute`?"). */
  readonly suggestion: string | undefined;
  constructor(userMessage: string, options: { usage?: string | undefined; suggestion?: string | undefined; detail?: string } = {}) {
    super(userMessage, options.detail === undefined ? {} : { detail: options.detail });
    this.usage = options.usage;
    this.suggestion = options.suggestion;
  }
}

/**
 * A button id that is malformed, from an unknown version, tampered with, or too long to encode.
 * `userMessage` replaces the default where the input guard has a more precise answer.
 */
export class BadActionError extends BotError {
  readonly code = 'bad_action' as const;
  constructor(detail: string, userMessage = 'That button is no longer valid. Run the command again.') {
    super(userMessage, { detail });
  }
}

export class NotAuthorizedError extends BotError {
  readonly code = 'not_authorized' as const;
  /** `everywhere`: the command reaches every room, so only a grant for all of them will do. */
  constructor(command: string, required: string, detail: string, everywhere = false) {
    super(everywhere
      ? `You are not allowed to run \`${command}\`: it needs ${required} on all rooms (a grant for every PBX and room).`
      : `You are not allowed to run \`${command}\` here (needs the ${required} role).`, { detail });
  }
}

/** A feature whose service is not wired in this deployment (alerts, live listening, live status). */
export class NotAvailableYetError extends BotError {
  readonly code = 'not_available_yet' as const;
  constructor(feature: string, hint?: string) {
    super(`${feature}: not available in this deployment yet.${hint === undefined ? '' : ` ${hint}`}`);
  }
}

/** The typed room matched no known room; carries the closest name when there is one. */
export class UnknownRoomError extends BotError {
  readonly code = 'room_unknown' as const;
  readonly suggestion: string | undefined;
  constructor(room: string, suggestion: string | undefined) {
    super(suggestion === undefined ? `No room \`${room}\` is active.` : `No room \`${room}\` is active. Did you mean \`${suggestion}\`?`);
    this.suggestion = suggestion;
  }
}

/** A button pressed for a participant who left, or a room that ended: a notice, not a failure. */
export class AlreadyLeftError extends BotError {
  readonly code = 'already_left' as const;
  constructor(what: string) {
    super(what);
  }
}

/** The typed room exists on several PBXs: the user must say which (`pbx/room`). */
export class AmbiguousRoomError extends BotError {
  readonly code = 'room_ambiguous' as const;
  constructor(room: string, choices: readonly string[]) {
    super(`Room \`${room}\` is active on several PBXs: write ${choices.map((c) => `\`${c}\``).join(' or ')}.`);
  }
}

/**
 * A typed PBX id that is not configured. The list holds only PBXs the actor may view something on,
 * so a refusal never names a PBX hidden from them.
 */
export class UnknownPbxError extends BotError {
  readonly code = 'pbx_unknown' as const;
  constructor(pbx: string, known: readonly string[], suggestion: string | undefined) {
    const guess = suggestion === undefined ? '' : ` Did you mean \`${suggestion}\`?`;
    const list = known.length === 0 ? ' No PBXs you can see.' : ` Known PBXs: ${known.join(', ')}.`;
    super(`No PBX \`${pbx}\`.${guess}${list}`);
  }
}

/**
 * The PBX dialed the number but the call did not connect (busy, no answer, congestion). An error,
 * not a reply, so the audit records the failure and the user gets a reference to find the log lines.
 */
export class InviteFailedError extends BotError {
  readonly code = 'invite_failed' as const;
  constructor(number: string, room: string, reason: string | undefined) {
    super(`Could not bring ${number} into ${room}: ${reason ?? 'the call failed'}.`);
  }
}

/** A Confirm button pressed after its question lapsed: nothing happens, the user is told plainly. */
export class ConfirmationExpiredError extends BotError {
  readonly code = 'confirmation_expired' as const;
  constructor() {
    super('That confirmation has expired, so nothing was done. Run the command again.');
  }
}

/** A button or command named an incident the bot no longer holds (resolved a day ago, or never). */
export class AlertNotFoundError extends BotError {
  readonly code = 'alert_not_found' as const;
  constructor(id: string) {
    super('That alert is no longer open.', { detail: `no incident ${id}` });
  }
}

/** An alert rule typed in chat does not validate; the message names the rule and each bad field. */
export class AlertRuleInvalidError extends BotError {
  readonly code = 'alert_rule_invalid' as const;
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`That alert rule is not valid: ${problems.join('; ')}`);
    this.problems = problems;
  }
}
