import { z } from 'zod';
import { SLASH_COMMAND } from '../command-names.ts';
import { replyView, type View } from '../views.ts';
import { done, type CommandContext, type CommandSpec, type SpecFacts } from './spec.ts';

export interface HelpCommand { readonly name: 'help'; readonly topic: string | undefined }
export interface WhoamiCommand { readonly name: 'whoami' }

function helpView(topic: string | undefined, specs: readonly SpecFacts[]): View {
  const spec = specs.find((s) => s.name === topic);
  if (spec !== undefined) return replyView(`\`${SLASH_COMMAND} ${spec.usage}\`: ${spec.summary}.`, { title: `${SLASH_COMMAND} ${spec.name}` });
  return replyView(
    'Write a room as `pbx/room` when several PBXs are configured. Quote text with spaces: `topic 200 3 "bob from cincinnati"`.',
    { title: `${SLASH_COMMAND} commands`, table: { columns: ['Command', 'What it does'], rows: specs.map((s) => [s.usage, s.summary]) } },
  );
}

function whoamiView(ctx: CommandContext): View {
  const { actor, localAdmin } = ctx.env;
  const { role, reason } = ctx.deps.policy.roleOf(actor, { pbx: undefined, room: undefined });
  const roleText = role === undefined ? 'no role (you can use help and whoami)' : role;
  const local = localAdmin ? ' You are the local user, so this bot gave you admin.' : '';
  return replyView(`You are ${actor.displayName} (${actor.platform}:${actor.userId}). Role: ${roleText}; ${reason}.${local}`);
}

/** Checked by the parser against the table (it alone knows every name); lowercased here. */
export const helpSpec: CommandSpec<HelpCommand> = {
  name: 'help', usage: 'help [command]', summary: 'this help, or one command in detail', minArgs: 0, maxArgs: 1,
  grammar: z.array(z.string()).transform(([topic]) => ({ name: 'help' as const, topic: topic?.toLowerCase() })),
  leastRole: 'anyone', confirmation: 'never', roomMayBeInactive: false,
  options: [{ name: 'command', description: 'one command in detail', type: 'string', required: false }],
  role: () => 'anyone', scope: () => 'none', roomOf: () => undefined, visibility: () => 'private', auditTarget: () => undefined,
  handle: (command, ctx) => Promise.resolve(done(helpView(command.topic, ctx.specs))),
};

export const whoamiSpec: CommandSpec<WhoamiCommand> = {
  name: 'whoami', usage: 'whoami', summary: 'who the bot thinks you are, and your role', minArgs: 0, maxArgs: 0,
  grammar: z.tuple([]).transform(() => ({ name: 'whoami' as const })),
  leastRole: 'anyone', confirmation: 'never', roomMayBeInactive: false, options: [],
  role: () => 'anyone', scope: () => 'none', roomOf: () => undefined, visibility: () => 'private', auditTarget: () => undefined,
  handle: (_command, ctx) => Promise.resolve(done(whoamiView(ctx))),
};
