import { z } from 'zod';
import { CONFIRMATION_ASKED, NO_CHANGE, type RoomTarget } from '../dispatch-types.ts';
import { NotAvailableYetError } from '../errors.ts';
import { configView, formatClock, replyView, type View } from '../views.ts';
import { done, roomOnlyFacts, type CommandContext, type CommandSpec } from './spec.ts';

export interface AuditCommand { readonly name: 'audit'; readonly room: string }
export interface ConfigCommand { readonly name: 'config' }

async function auditView(ctx: CommandContext, target: RoomTarget): Promise<View> {
  const store = ctx.deps.audit;
  if (store === undefined) throw new NotAvailableYetError('The audit log', 'Configure a store to keep one.');
  const records = await store.query({ pbx: target.pbx, room: target.room, limit: 20 });
  if (records.length === 0) return replyView(`No audit entries for ${target.room}.`);
  const entries = records.length === 1 ? 'audit entry' : `${records.length} audit entries`;
  const result = (r: (typeof records)[number]): string =>
    (r.decision === 'denied' ? 'denied' : r.detail === CONFIRMATION_ASKED ? 'asked to confirm' : r.detail === NO_CHANGE ? 'no change' : r.outcome);
  return replyView(`Last ${entries} for ${target.room} (times UTC, newest first).`, {
    table: {
      columns: ['Time', 'Who', 'Command', 'Target', 'Result', 'Ref'],
      rows: records.map((r) => [
        `${new Date(r.at).toISOString().slice(0, 10)} ${formatClock(r.at)}`, `${r.actor.displayName} (${r.actor.platform})`,
        r.command, r.target ?? '', result(r), r.correlationId,
      ]),
    },
  });
}

/** May name a room that ended: its trail outlives it. */
export const auditSpec: CommandSpec<AuditCommand> = {
  name: 'audit', usage: 'audit <room>', summary: 'the last 20 audit entries for a room (admins)', ...roomOnlyFacts('audit'),
  leastRole: 'admin', roomMayBeInactive: true, role: () => 'admin', visibility: () => 'private',
  handle: async (_c, ctx) => done(await auditView(ctx, ctx.room()), ctx.room().room),
};

/** Shows every PBX, sensor and grant: only an admin of every room may see it. */
export const configSpec: CommandSpec<ConfigCommand> = {
  name: 'config', usage: 'config', summary: 'the running configuration, without secrets (admins of every room)', minArgs: 0, maxArgs: 0,
  grammar: z.tuple([]).transform(() => ({ name: 'config' as const })),
  options: [], leastRole: 'admin', confirmation: 'never', roomMayBeInactive: false,
  role: () => 'admin', scope: () => 'everywhere', roomOf: () => undefined, visibility: () => 'private', auditTarget: () => undefined,
  handle(_c, ctx) {
    const summary = ctx.deps.configSummary;
    if (summary === undefined) return Promise.reject(new NotAvailableYetError('The configuration view'));
    return Promise.resolve(done(configView(summary())));
  },
};
