import { z } from 'zod';
import { problemLabel } from '../../conference/link-problem.ts';
import type { Actor } from '../../kernel/chat.ts';
import { NotAvailableYetError } from '../errors.ts';
import type { DispatcherDeps } from '../dispatch-types.ts';
import { formatClock, formatDuration, replyView, type View } from '../views.ts';
import { done, roomOnlyFacts, type CommandSpec } from './spec.ts';

export interface ListCommand { readonly name: 'list' }
export interface RoomCommand<N extends string> { readonly name: N; readonly room: string }

function listView(deps: DispatcherDeps, actor: Actor): View {
  const ids = deps.directory.pbxIds();
  const rows: string[][] = [];
  const down: string[] = [];
  for (const pbx of ids) {
    const state = deps.directory.backend(pbx).state();
    if (!state.available) down.push(`${pbx} (${state.problem === undefined ? 'unreachable' : problemLabel(state.problem)} since ${formatClock(state.since)} UTC)`);
    for (const room of state.rooms.values()) {
      if (room.endedAt !== undefined) continue;
      if (!deps.policy.decide(actor, 'viewer', { pbx, room: room.name }).allowed) continue;
      const flags = [
        room.locked ? 'locked' : '', room.recording ? 'recording' : '', room.muzak !== undefined ? 'music' : '', room.stream !== undefined ? 'streaming' : '',
      ].filter(Boolean).join(', ');
      const running = formatDuration((deps.now() - room.startedAt) / 1000);
      rows.push(ids.length > 1 ? [pbx, room.name, String(room.participants.size), running, flags] : [room.name, String(room.participants.size), running, flags]);
    }
  }
  const banner = down.length === 0 ? '' : ` Not reachable: ${down.join(', ')}.`;
  const tone = down.length === 0 ? 'info' : 'warning';
  if (rows.length === 0) return replyView(`No active rooms you can see.${banner}`, { tone });
  const columns = ids.length > 1 ? ['PBX', 'Room', 'People', 'Running', 'Flags'] : ['Room', 'People', 'Running', 'Flags'];
  return replyView(`${rows.length} active room${rows.length === 1 ? '' : 's'}.${banner}`, { title: 'Rooms', table: { columns, rows }, tone });
}

export const listSpec: CommandSpec<ListCommand> = {
  name: 'list', usage: 'list', summary: 'active rooms and how many are in each', minArgs: 0, maxArgs: 0,
  grammar: z.tuple([]).transform(() => ({ name: 'list' as const })),
  leastRole: 'viewer', confirmation: 'never', roomMayBeInactive: false, options: [],
  role: () => 'viewer', scope: () => 'none', roomOf: () => undefined, visibility: () => 'channel', auditTarget: () => undefined,
  handle: (_command, ctx) => Promise.resolve(done(listView(ctx.deps, ctx.env.actor))),
};

export const showSpec: CommandSpec<RoomCommand<'show'>> = {
  name: 'show', usage: 'show <room>', summary: 'post a live status message for a room here', ...roomOnlyFacts('show'),
  leastRole: 'viewer', roomMayBeInactive: false, role: () => 'viewer', visibility: () => 'channel',
  async handle(_command, ctx) {
    const room = ctx.room();
    if (ctx.deps.watch === undefined) return done(ctx.ops.statusView(room), room.room);
    await ctx.deps.watch.watch(room.pbx, room.room, ctx.env.conversation, ctx.env.actor);
    return done(undefined, room.room);
  },
};

/** May name a room yet to start: its message goes live when it does. */
export const watchSpec: CommandSpec<RoomCommand<'watch'>> = {
  name: 'watch', usage: 'watch <room>', summary: 'same as show', ...roomOnlyFacts('watch'),
  leastRole: 'viewer', roomMayBeInactive: true, role: () => 'viewer', visibility: () => 'channel',
  async handle(_command, ctx) {
    if (ctx.deps.watch === undefined) throw new NotAvailableYetError('Live status messages', 'Use `show` for a snapshot.');
    const room = ctx.room();
    await ctx.deps.watch.watch(room.pbx, room.room, ctx.env.conversation, ctx.env.actor);
    return done(undefined, room.room);
  },
};

/** May name a room that ended. */
export const unwatchSpec: CommandSpec<RoomCommand<'unwatch'>> = {
  name: 'unwatch', usage: 'unwatch <room>', summary: 'stop updating the room\'s status message here', ...roomOnlyFacts('unwatch'),
  leastRole: 'viewer', roomMayBeInactive: true, role: () => 'viewer', visibility: () => 'private',
  async handle(_command, ctx) {
    if (ctx.deps.watch === undefined) throw new NotAvailableYetError('Live status messages');
    const room = ctx.room();
    const was = await ctx.deps.watch.unwatch(room.pbx, room.room, ctx.env.conversation);
    return done(replyView(was ? `Stopped updating room ${room.room} here.` : `Room ${room.room} was not being watched here.`), room.room);
  },
};
