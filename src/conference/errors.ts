import { BotError, type BotErrorOptions } from '../errors.ts';

/**
 * Errors of the conference domain. User messages name the room or the candidates the user can pick
 * from, never AMI text; the AMI answer, when there is one, goes in `detail` for the logs.
 */

/**
 * The room is not (or no longer) on the PBX. `active` lists every room the PBX holds, but the user
 * message lists only `shown`: a user granted some rooms must not learn the others' names, and only
 * the core knows who is asking, so it narrows the list with `listing` before rendering.
 */
export class RoomNotFoundError extends BotError {
  readonly code = 'room_not_found' as const;
  readonly pbx: string;
  readonly room: string;
  readonly active: readonly string[];
  constructor(pbx: string, room: string, active: readonly string[] = [], shown?: readonly string[]) {
    const list = shown === undefined ? '' : shown.length > 0 ? ` Active rooms: ${shown.slice(0, 20).join(', ')}.` : ' No active rooms you can see.';
    super(`No active room "${room}".${list}`, { detail: `room ${room} not found on pbx ${pbx}` });
    this.pbx = pbx;
    this.room = room;
    this.active = active;
  }

  /** The same failure, its message listing the active rooms `mayView` accepts. */
  listing(mayView: (room: string) => boolean): RoomNotFoundError {
    return new RoomNotFoundError(this.pbx, this.room, this.active, this.active.filter(mayView));
  }
}

export class ParticipantNotFoundError extends BotError {
  readonly code = 'participant_not_found' as const;
  /** Labels of the people the user could have meant (the room's participants or waiting callers). */
  readonly candidates: readonly string[];
  constructor(room: string, who: string, candidates: readonly string[], place: 'room' | 'queue' = 'room') {
    const where = place === 'room' ? `in room ${room}` : `waiting for room ${room}`;
    const list = candidates.length > 0 ? ` ${place === 'room' ? 'In the room' : 'Waiting'}: ${candidates.slice(0, 25).join(', ')}.` : ' Nobody is there.';
    super(`Nobody matches "${who}" ${where}.${list}`);
    this.candidates = candidates;
  }
}

export class AmbiguousParticipantError extends BotError {
  readonly code = 'ambiguous_participant' as const;
  readonly candidates: readonly string[];
  constructor(room: string, who: string, candidates: readonly string[]) {
    super(`"${who}" matches more than one person in ${room}: ${candidates.slice(0, 25).join(', ')}. Be more specific.`);
    this.candidates = candidates;
  }
}

/** Input that can never be valid: control characters, a malformed user number, a bad phone number or extension. */
export class BadInputError extends BotError {
  readonly code = 'bad_input' as const;
  constructor(userMessage: string) {
    super(userMessage);
  }
}

export class ActionRefusedError extends BotError {
  readonly code = 'action_refused' as const;
  constructor(userMessage: string, options: BotErrorOptions = {}) {
    super(userMessage, options);
  }
}

export class PbxUnavailableError extends BotError {
  readonly code = 'pbx_unavailable' as const;
  /** `reason`: what the bot knows of why (login refused), in words any user may see. */
  constructor(pbx: string, options: BotErrorOptions & { readonly reason?: string } = {}) {
    super(`PBX ${pbx} is not reachable right now${options.reason === undefined ? '' : ` (${options.reason})`}; its rooms are shown as unavailable.`, options);
  }
}

export class PbxNotFoundError extends BotError {
  readonly code = 'pbx_not_found' as const;
  constructor(pbx: string, known: readonly string[]) {
    super(`No PBX "${pbx}". Known: ${known.join(', ') || 'none'}.`);
  }
}

/** A side-effecting action cut off by a dropped AMI link: it may or may not have happened. */
export class OutcomeUnknownError extends BotError {
  readonly code = 'outcome_unknown' as const;
  constructor(pbx: string, room: string, what: string, options: BotErrorOptions = {}) {
    super(`The link to ${pbx} dropped during "${what}": outcome unknown, re-check room ${room}.`, options);
  }
}

/**
 * A value (a room name, a number) that would change the channel or dialplan address it is put into:
 * `Local/muzak-{room}@musiconhold` with room `x@evil` dials another context. Nothing is sent.
 */
export class UnsafeDialValueError extends BotError {
  readonly code = 'unsafe_dial_value' as const;
  constructor(what: string, value: string) {
    super(`${what} "${value.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 40)}" contains a character that cannot be used in a phone system address (@ / , ; & | or a control character).`, {
      detail: `refused template value for ${what}`,
    });
  }
}

/** Asterisk answered `Permission denied`: the bot's AMI user lacks the action's write class. */
export class PbxPermissionDeniedError extends BotError {
  readonly code = 'pbx_permission_denied' as const;
  constructor(pbx: string, what: string, options: BotErrorOptions = {}) {
    super(`PBX ${pbx} does not allow the bot to ${what} (permission denied); an admin must grant it.`, options);
  }
}

/** The PBX's room list is not known yet (still connecting, or its listing is refused): a room missing from it may exist. */
export class PbxNotReadyError extends BotError {
  readonly code = 'pbx_not_ready' as const;
  constructor(pbx: string, options: BotErrorOptions = {}) {
    super(`PBX ${pbx} is not ready yet: the bot does not know its rooms. Try again in a moment.`, options);
  }
}
