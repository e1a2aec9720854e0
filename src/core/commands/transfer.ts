import { z } from 'zod';
import type { TransferTarget } from '../../conference/backend.ts';
import { participantLabel } from '../views.ts';
import { confirmWord, one, room, transferTarget } from './grammar.ts';
import { ROOM_OPTION, roomField, type CommandSpec } from './spec.ts';

export interface TransferCommand {
  readonly name: 'transfer'; readonly room: string; readonly who: string; readonly target: TransferTarget;
  /** Typed with a trailing `confirm`: act without asking (the answer when no confirm button fits). */
  readonly confirmed: boolean;
}

export const transferSpec: CommandSpec<TransferCommand> = {
  name: 'transfer', usage: 'transfer <room> <who> <exten[@context]> [confirm]', summary: 'send a participant to an extension (asks first, unless you end with `confirm`)',
  minArgs: 3, maxArgs: 4,
  grammar: z.tuple([room, one, transferTarget], confirmWord).transform(([r, w, t, c]) => ({
    name: 'transfer' as const, room: r, who: w, target: t, confirmed: c !== undefined,
  })),
  options: [
    ROOM_OPTION,
    { name: 'who', description: 'user number, channel, caller number or name', type: 'string', required: true, autocomplete: 'participant' },
    { name: 'target', description: 'extension, optionally @context (600@default)', type: 'string', required: true },
    { name: 'confirm', description: 'transfer without asking', type: 'boolean', required: false },
  ],
  leastRole: 'moderator', confirmation: 'always', roomMayBeInactive: false,
  role: () => 'moderator', scope: () => 'room', roomOf: roomField, auditTarget: (c) => c.who,
  visibility: (c) => (c.confirmed ? 'channel' : 'private'),
  wordsFromOptions: (v) => [String(v.room ?? ''), String(v.who ?? ''), String(v.target ?? ''), ...(v.confirm === true ? ['confirm'] : [])],
  async handle(c, ctx) {
    const target = ctx.room();
    const participant = await ctx.ops.backend(target.pbx).resolve(target.room, c.who);
    const { exten, context } = c.target;
    if (c.confirmed) return ctx.ops.transfer(target, participant, exten, context, ctx.env.actor);
    const where = context === undefined ? exten : `${exten}@${context}`;
    const who = participantLabel(participant);
    return ctx.ops.ask(
      { kind: 'transfer', pbx: target.pbx, room: target.room, uniqueid: participant.uniqueid, exten, context },
      { label: `Transfer to ${where}`, dialog: { title: 'Transfer participant?', text: `Send ${who} out of room ${target.room} to ${where}?`, confirm: 'Transfer', deny: 'Cancel' } },
      `Transfer ${who} to ${where}?`,
      ['transfer', c.room, c.who, where],
      who,
      `Transfer ${who} out of room ${target.room} to ${where}?`,
    );
  },
};
