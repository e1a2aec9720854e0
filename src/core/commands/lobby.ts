import { z } from 'zod';
import { InviteFailedError } from '../errors.ts';
import type { RoomTarget } from '../dispatch-types.ts';
import type { CommandContext } from './spec.ts';
import { formatDuration, replyView, type View } from '../views.ts';
import { number, one, room } from './grammar.ts';
import { done, ROOM_OPTION, roomField, roomOnlyFacts, type CommandSpec } from './spec.ts';

export interface InviteCommand { readonly name: 'invite'; readonly room: string; readonly number: string }
export interface QueueCommand { readonly name: 'queue'; readonly room: string }
export interface BringinCommand { readonly name: 'bringin'; readonly room: string; readonly who: string }

async function queueView(ctx: CommandContext, target: RoomTarget): Promise<View> {
  const waiting = await ctx.ops.backend(target.pbx).queue(target.room);
  if (waiting.length === 0) return replyView(`Nobody is waiting to join ${target.room}.`);
  const now = ctx.deps.now();
  return replyView(`${waiting.length} waiting to join ${target.room}. Use \`bringin ${target.room} <position>\`.`, {
    table: {
      columns: ['#', 'Caller', 'Number', 'Waiting'],
      rows: waiting.map((c) => [String(c.position), c.callerName ?? '', c.callerNum ?? '', formatDuration((now - c.waitingSince) / 1000)]),
    },
  });
}

/** Not one that may name an inactive room: the PBX refuses to dial into a room it does not hold. */
export const inviteSpec: CommandSpec<InviteCommand> = {
  name: 'invite', usage: 'invite <room> <number>', summary: 'dial a number into the room', minArgs: 2, maxArgs: 2,
  grammar: z.tuple([room, number]).transform(([r, n]) => ({ name: 'invite' as const, room: r, number: n })),
  options: [ROOM_OPTION, { name: 'number', description: 'the number to dial', type: 'string', required: true }],
  leastRole: 'moderator', confirmation: 'never', roomMayBeInactive: false,
  role: () => 'moderator', scope: () => 'room', roomOf: roomField, visibility: () => 'channel', auditTarget: (c) => c.number,
  async handle(c, ctx) {
    const target = ctx.room();
    const progress = await ctx.ops.backend(target.pbx).invite(target.room, c.number);
    if (progress.state === 'failed') throw new InviteFailedError(c.number, target.room, progress.reason);
    ctx.ops.note(target, ctx.env.actor, `invited ${c.number}`);
    const text = progress.state === 'answered' ? `${c.number} answered and is joining ${target.room}.` : `Calling ${c.number} into ${target.room}…`;
    return done(replyView(text, { tone: 'success' }), c.number);
  },
};

/** May name a room whose callers wait in its lobby before it starts. */
export const queueSpec: CommandSpec<QueueCommand> = {
  name: 'queue', usage: 'queue <room>', summary: 'callers waiting in the room\'s lobby', ...roomOnlyFacts('queue'),
  leastRole: 'viewer', roomMayBeInactive: true, role: () => 'viewer', visibility: () => 'channel',
  handle: async (_c, ctx) => done(await queueView(ctx, ctx.room()), ctx.room().room),
};

export const bringinSpec: CommandSpec<BringinCommand> = {
  name: 'bringin', usage: 'bringin <room> <who>', summary: 'move a waiting caller (or queue position) into the room', minArgs: 2, maxArgs: 2,
  grammar: z.tuple([room, one]).transform(([r, w]) => ({ name: 'bringin' as const, room: r, who: w })),
  options: [ROOM_OPTION, { name: 'who', description: 'queue position, caller number or name', type: 'string', required: true }],
  leastRole: 'moderator', confirmation: 'never', roomMayBeInactive: true,
  role: () => 'moderator', scope: () => 'room', roomOf: roomField, visibility: () => 'channel', auditTarget: (c) => c.who,
  async handle(c, ctx) {
    const target = ctx.room();
    const caller = await ctx.ops.backend(target.pbx).bringIn(target.room, c.who);
    const who = caller.callerName ?? caller.callerNum ?? caller.channel;
    ctx.ops.note(target, ctx.env.actor, `brought ${who} in`);
    return done(replyView(`Brought ${who} into room ${target.room}.`, { tone: 'success' }), who);
  },
};
