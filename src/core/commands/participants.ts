import { z } from 'zod';
import type { Who } from '../../conference/backend.ts';
import { room, who } from './grammar.ts';
import { ROOM_OPTION, roomField, type CommandSpec, type OptionSpec } from './spec.ts';

export interface ParticipantCommand<N extends 'mute' | 'unmute' | 'kick'> {
  readonly name: N;
  readonly room: string;
  readonly who: Who;
  /**
   * `mute|kick <room> all confirm`: act on everyone without asking (the answer when no confirm
   * button fits). Always false for one participant and for `unmute`, which never asks.
   */
  readonly confirmed: boolean;
}

/** The word after `mute|kick <room> <who>`: only `confirm`, and only after `all` (checked on the command). */
const ALL_CONFIRM_ONLY = 'too many arguments: only `all` may be followed by the word `confirm`';
const allConfirmWord = z.string().regex(/^confirm$/i, ALL_CONFIRM_ONLY);

const WHO_OPTION: OptionSpec = { name: 'who', description: 'user number, channel, caller number or name, or all', type: 'string', required: true, autocomplete: 'participant' };
const CONFIRM_OPTION: OptionSpec = { name: 'confirm', description: 'act on everyone without asking', type: 'boolean', required: false };

/** `mute|kick <room> <who|all> [confirm]`: the trailing `confirm` skips the question `all` asks. */
const everyoneAsks = <N extends 'mute' | 'kick'>(name: N) =>
  z.tuple([room, who], allConfirmWord)
    .transform(([r, w, c]): ParticipantCommand<N> => ({ name, room: r, who: w, confirmed: c !== undefined }))
    .refine((c) => !c.confirmed || c.who.kind === 'all', ALL_CONFIRM_ONLY);

const whoTarget = (c: ParticipantCommand<'mute' | 'unmute' | 'kick'>): string => (c.who.kind === 'all' ? 'everyone' : c.who.text);
const words = (values: Readonly<Record<string, string | number | boolean>>): string[] =>
  [String(values.room ?? ''), String(values.who ?? ''), ...(values.confirm === true ? ['confirm'] : [])];
const asksFirst = (c: ParticipantCommand<'mute' | 'unmute' | 'kick'>): boolean => c.who.kind === 'all' && c.name !== 'unmute' && !c.confirmed;

const shared = {
  leastRole: 'moderator' as const, roomMayBeInactive: false, confirmation: 'for-everyone' as const,
  role: () => 'moderator' as const, scope: () => 'room' as const, roomOf: roomField, auditTarget: whoTarget, wordsFromOptions: words,
  // A question is for the one who asked; the change itself is for the channel to see.
  visibility: (c: ParticipantCommand<'mute' | 'unmute' | 'kick'>) => (asksFirst(c) ? 'private' as const : 'channel' as const),
};

export const muteSpec: CommandSpec<ParticipantCommand<'mute'>> = {
  name: 'mute', usage: 'mute <room> <who|all> [confirm]', summary: 'mute one participant (or everyone, after a confirmation, unless `all` is followed by `confirm`)',
  minArgs: 2, maxArgs: 3, grammar: everyoneAsks('mute'), options: [ROOM_OPTION, WHO_OPTION, CONFIRM_OPTION], ...shared,
  handle: (c, ctx) => ctx.ops.mute(ctx.room(), c.who, true, ctx.env.actor, { typedRoom: c.room, confirmed: c.confirmed }),
};

export const unmuteSpec: CommandSpec<ParticipantCommand<'unmute'>> = {
  name: 'unmute', usage: 'unmute <room> <who|all>', summary: 'unmute one participant or everyone', minArgs: 2, maxArgs: 2,
  grammar: z.tuple([room, who]).transform(([r, w]) => ({ name: 'unmute' as const, room: r, who: w, confirmed: false })),
  options: [ROOM_OPTION, WHO_OPTION], ...shared, confirmation: 'never',
  handle: (c, ctx) => ctx.ops.mute(ctx.room(), c.who, false, ctx.env.actor, { typedRoom: c.room, confirmed: c.confirmed }),
};

export const kickSpec: CommandSpec<ParticipantCommand<'kick'>> = {
  name: 'kick', usage: 'kick <room> <who|all> [confirm]', summary: 'remove one participant (or everyone, after a confirmation, unless `all` is followed by `confirm`)',
  minArgs: 2, maxArgs: 3, grammar: everyoneAsks('kick'), options: [ROOM_OPTION, WHO_OPTION, CONFIRM_OPTION], ...shared,
  handle: (c, ctx) => ctx.ops.kick(ctx.room(), c.who, ctx.env.actor, { typedRoom: c.room, confirmed: c.confirmed }),
};
