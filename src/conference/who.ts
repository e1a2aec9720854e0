import { AmbiguousParticipantError, BadInputError, ParticipantNotFoundError } from './errors.ts';

/**
 * Turns the `who` a user typed into exactly one participant (or waiting caller). Accepted forms, in
 * order of precedence:
 * - `#N`: MeetMe user number N (digits only);
 * - exact: Uniqueid, user number, channel name, caller number, or whole caller name (any case);
 * - prefix: unique prefix of a channel name or of a caller name (any case).
 * An exact match wins over prefix matches, so "Tim" picks Tim even when Timothy is there too.
 */

export interface WhoCandidate {
  readonly uniqueid: string;
  readonly channel: string;
  readonly callerNum: string | undefined;
  readonly callerName: string | undefined;
  readonly usernum?: number | undefined;
}

const CONTROL = /[\x00-\x1f\x7f]/;
const DIGITS = /^\d+$/;

/** How a candidate is shown in "did you mean" lists: `Alice <1001> #2 (PJSIP/alice-00000001)`. */
export function candidateLabel(c: WhoCandidate): string {
  const parts = [c.callerName ?? c.callerNum ?? c.channel];
  if (c.callerName !== undefined && c.callerNum !== undefined) parts.push(`<${c.callerNum}>`);
  if (c.usernum !== undefined) parts.push(`#${c.usernum}`);
  if (c.callerName !== undefined || c.callerNum !== undefined) parts.push(`(${c.channel})`);
  return parts.join(' ');
}

/** Rejects `who` text that can never be valid; returns it trimmed. */
export function validateWho(text: string): string {
  if (CONTROL.test(text)) throw new BadInputError('A participant reference must not contain control characters or line breaks.');
  const trimmed = text.trim();
  if (trimmed === '') throw new BadInputError('Say who: a user number, channel, caller number or name.');
  return trimmed;
}

export interface ResolveContext {
  readonly room: string;
  /** Where the candidates are, for the error message. */
  readonly place?: 'room' | 'queue';
}

export function resolveWho<T extends WhoCandidate>(candidates: readonly T[], text: string, ctx: ResolveContext): T {
  const who = validateWho(text);
  const place = ctx.place ?? 'room';
  const notFound = (): ParticipantNotFoundError =>
    new ParticipantNotFoundError(ctx.room, who, candidates.map(candidateLabel), place);

  if (who.startsWith('#')) {
    const digits = who.slice(1).trim();
    if (!DIGITS.test(digits)) throw new BadInputError(`"${who}" is not a user number: use digits, like #3.`);
    const n = Number(digits);
    const byNum = candidates.filter((c) => c.usernum === n);
    return pickOne(byNum, who, ctx.room) ?? throwIt(notFound());
  }

  const lower = who.toLowerCase();
  const asNumber = DIGITS.test(who) ? Number(who) : undefined;
  const exact = candidates.filter((c) =>
    c.uniqueid === who ||
    (asNumber !== undefined && c.usernum === asNumber) ||
    c.channel.toLowerCase() === lower ||
    c.callerNum === who ||
    c.callerName?.toLowerCase() === lower);
  const one = pickOne(exact, who, ctx.room);
  if (one) return one;

  const prefix = candidates.filter((c) =>
    c.channel.toLowerCase().startsWith(lower) ||
    (c.callerName?.toLowerCase().startsWith(lower) ?? false));
  return pickOne(prefix, who, ctx.room) ?? throwIt(notFound());
}

function pickOne<T extends WhoCandidate>(matches: readonly T[], who: string, room: string): T | undefined {
  if (matches.length > 1) throw new AmbiguousParticipantError(room, who, matches.map(candidateLabel));
  return matches[0];
}

function throwIt(err: Error): never {
  throw err;
}
