import { z } from 'zod';
import { NotAvailableYetError, UnknownRoomError } from '../errors.ts';
import type { ListenLink } from '../services.ts';
import { formatClock, formatDuration, replyView } from '../views.ts';
import { callref, freeText, MAX_FILTER_LENGTH, one, room, sensor } from './grammar.ts';
import { lineCells, LINE_COLUMNS } from './quality.ts';
import { done, type CommandSpec } from './spec.ts';

export type ListenTarget =
  | { readonly kind: 'participant'; readonly room: string; readonly who: string }
  | { readonly kind: 'call'; readonly callref: string; readonly sensor: string | undefined };

export interface ListenCommand { readonly name: 'listen'; readonly target: ListenTarget }
export interface CallsCommand { readonly name: 'calls'; readonly filter: string | undefined }

/** `listen call …` is told apart by its first word; a room named `call` is written `pbx/call`. */
const listenCall: z.ZodType<ListenCommand, readonly string[]> = z
  .tuple([z.string(), callref], sensor)
  .transform(([, ref, s]) => ({ name: 'listen' as const, target: { kind: 'call' as const, callref: ref, sensor: s } }));

function linkView(link: ListenLink) {
  const who = link.call.callerName ?? link.call.caller;
  const byNumber = link.matchedBy === 'number' ? ' Matched by phone number, not by SIP Call-ID: check it is the right call.' : '';
  return {
    who,
    view: replyView(`Private link to listen to ${who} → ${link.call.called}. It expires at ${formatClock(link.expiresAt)} UTC.${byNumber}`, {
      link: { url: link.url, label: 'Listen live' },
    }),
  };
}

/**
 * `listen call` reaches any call a sensor sees, whatever its PBX or room, so a grant scoped to some
 * rooms must not unlock it.
 */
export const listenSpec: CommandSpec<ListenCommand> = {
  name: 'listen', usage: 'listen <room> <who> | listen call <callref> [sensor]', summary: 'a private link to hear a call live', minArgs: 2, maxArgs: 3,
  grammar: z.tuple([room, one]).transform(([r, w]) => ({ name: 'listen' as const, target: { kind: 'participant' as const, room: r, who: w } })),
  alternative: { when: (args) => args[0]?.toLowerCase() === 'call', grammar: listenCall },
  options: [
    { name: 'room', description: 'room name, or pbx/room', type: 'string', required: false, autocomplete: 'room' },
    { name: 'who', description: 'participant in the room', type: 'string', required: false, autocomplete: 'participant' },
    { name: 'call', description: 'call reference from `calls` (instead of room and who)', type: 'string', required: false },
    { name: 'sensor', description: 'sensor id, with call', type: 'string', required: false },
  ],
  leastRole: 'listener', confirmation: 'never', roomMayBeInactive: false,
  role: () => 'listener',
  scope: (c) => (c.target.kind === 'call' ? 'everywhere' : 'room'),
  roomOf: (c) => (c.target.kind === 'participant' ? c.target.room : undefined),
  visibility: () => 'private',
  auditTarget: (c) => (c.target.kind === 'call' ? c.target.callref : c.target.who),
  wordsFromOptions: (v) => (typeof v.call === 'string'
    ? ['call', v.call, ...(typeof v.sensor === 'string' ? [v.sensor] : [])]
    : [String(v.room ?? ''), String(v.who ?? '')]),
  async handle(c, ctx) {
    const listen = ctx.deps.listen;
    if (listen === undefined) throw new NotAvailableYetError('Live listening');
    const spec = c.target;
    let link: ListenLink;
    if (spec.kind === 'call') {
      link = await listen.linkForCall(spec.callref, spec.sensor, ctx.env.actor);
    } else {
      if (ctx.target === undefined) throw new UnknownRoomError(spec.room, undefined);
      const participant = await ctx.ops.backend(ctx.target.pbx).resolve(ctx.target.room, spec.who);
      link = await listen.linkForParticipant(participant, ctx.env.actor);
    }
    const { who, view } = linkView(link);
    return done(view, spec.kind === 'call' ? spec.callref : who);
  },
};

/** Lists every call on every sensor: only a grant for all rooms will do. */
export const callsSpec: CommandSpec<CallsCommand> = {
  name: 'calls', usage: 'calls [filter]', summary: 'calls the sensors see, optionally filtered by number or name', minArgs: 0, maxArgs: 1,
  grammar: z.array(freeText(MAX_FILTER_LENGTH, 'a filter')).transform(([f]) => ({ name: 'calls' as const, filter: f })),
  options: [{ name: 'filter', description: 'part of a number or name', type: 'string', required: false }],
  leastRole: 'listener', confirmation: 'never', roomMayBeInactive: false,
  role: () => 'listener', scope: () => 'everywhere', roomOf: () => undefined, visibility: () => 'private', auditTarget: (c) => c.filter,
  async handle(c, ctx) {
    const listen = ctx.deps.listen;
    if (listen === undefined) throw new NotAvailableYetError('Live listening');
    const calls = await listen.listCalls(c.filter);
    if (calls.length === 0) return done(replyView(c.filter === undefined ? 'The sensors see no calls.' : `No calls match “${c.filter}”.`), c.filter);
    return done(replyView(`${calls.length} call${calls.length === 1 ? '' : 's'}. Use \`listen call <ref> [sensor]\`.`, {
      table: {
        columns: ['Ref', 'Sensor', 'Caller', 'Called', 'Duration', 'Codec', ...LINE_COLUMNS],
        rows: calls.map((call) => [
          call.callref, call.sensor, call.callerName === undefined ? call.caller : `${call.callerName} (${call.caller})`, call.called,
          formatDuration(call.durationSec), call.codec ?? '', ...lineCells(call),
        ]),
      },
    }), c.filter);
  },
};
