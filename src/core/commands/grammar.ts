import { z } from 'zod';
import type { TransferTarget, Who } from '../../conference/backend.ts';

/**
 * Field validators shared by the command specs. Every user-typed value passes one of these; each
 * words its own message in lower case (the parser shows those and hides zod's own wording).
 */

export const MAX_ROOM_LENGTH = 64;
export const MAX_PBX_LENGTH = 32;
export const MAX_WHO_LENGTH = 64;
export const MAX_TOPIC_LENGTH = 200;
export const MAX_FILTER_LENGTH = 64;

export const room = z
  .string()
  .max(MAX_PBX_LENGTH + 1 + MAX_ROOM_LENGTH, `a room name is at most ${MAX_ROOM_LENGTH} characters`)
  // The lengths are checked apart from the character rule so that a name too long is told so,
  // rather than told which characters a room may hold.
  .refine((s) => s.slice(s.indexOf('/') + 1).length <= MAX_ROOM_LENGTH, `a room name is at most ${MAX_ROOM_LENGTH} characters`)
  .refine((s) => s.indexOf('/') <= MAX_PBX_LENGTH, `a PBX id is at most ${MAX_PBX_LENGTH} characters`)
  .regex(
    new RegExp(`^(?:[A-Za-z0-9_.-]{1,${MAX_PBX_LENGTH}}/)?[A-Za-z0-9_.@+#*-]{1,${MAX_ROOM_LENGTH}}$`),
    'a room is letters, digits and . _ - @ + # * (write pbx/room to pick a PBX)',
  );

export const one = z
  .string()
  .min(1, 'say who: a user number, channel, caller number or name')
  .max(MAX_WHO_LENGTH, `who is at most ${MAX_WHO_LENGTH} characters`)
  .refine((s) => s.toLowerCase() !== 'all', 'this command takes one participant, not `all`');

export const who = z
  .string()
  .min(1, 'say who: a user number, channel, caller number or name, or `all`')
  .max(MAX_WHO_LENGTH, `who is at most ${MAX_WHO_LENGTH} characters`)
  .transform((s): Who => (s.toLowerCase() === 'all' ? { kind: 'all' } : { kind: 'one', text: s }));

export const onOff = z.enum(['on', 'off'], 'say on or off').transform((s) => s === 'on');
export const startStop = z.enum(['start', 'stop'], 'say start or stop').transform((s) => s === 'start');
export const number = z.string().regex(/^\+?[0-9*#]{1,32}$/, 'a number is up to 32 digits, with an optional leading +');

export const transferTarget = z
  .string()
  .regex(
    /^[0-9A-Za-z*#+_-]{1,40}(?:@[A-Za-z0-9_.-]{1,40})?$/,
    'the target is an extension, optionally @context (e.g. 600@default)',
  )
  .transform((s): TransferTarget => {
    const at = s.indexOf('@');
    return at < 0 ? { exten: s, context: undefined } : { exten: s.slice(0, at), context: s.slice(at + 1) };
  });

export const confirmWord = z.string().regex(/^confirm$/i, 'only the word `confirm` may follow the target');
export const callref = z.string().regex(/^(?:0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/, 'a call reference looks like 0x7fdcfc00b2e0 (see `calls`)');
export const sensor = z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'a sensor id is letters, digits and . _ -');
export const freeText = (max: number, what: string) => z.string().max(max, `${what} is at most ${max} characters`);

/** A word as it must be typed to come back as one argument. */
export function quoteIfSpaced(word: string): string {
  return /\s/.test(word) ? `"${word}"` : word;
}
