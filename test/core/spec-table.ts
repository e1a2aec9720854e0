import { parseCommand, type Command } from '../../src/core/commands.ts';
import { COMMAND_SPECS, specFor } from '../../src/core/commands/index.ts';

export function ok(text: string): Command {
  const r = parseCommand(text);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${r.error.userMessage}`);
  return r.command;
}

/** What each command was before the specs existed (four switches): the table must say the same. */
export const FACTS: readonly (readonly [typed: string, role: string, visibility: 'private' | 'channel', everywhere: boolean, auditTarget: string | undefined])[] = [
  ['help', 'anyone', 'private', false, undefined],
  ['whoami', 'anyone', 'private', false, undefined],
  ['list', 'viewer', 'channel', false, undefined],
  ['show 200', 'viewer', 'channel', false, '200'],
  ['watch 200', 'viewer', 'channel', false, '200'],
  ['unwatch 200', 'viewer', 'private', false, '200'],
  ['mute 200 3', 'moderator', 'channel', false, '3'],
  ['mute 200 all', 'moderator', 'private', false, 'everyone'],
  ['mute 200 all confirm', 'moderator', 'channel', false, 'everyone'],
  ['unmute 200 all', 'moderator', 'channel', false, 'everyone'],
  ['kick 200 3', 'moderator', 'channel', false, '3'],
  ['kick 200 all', 'moderator', 'private', false, 'everyone'],
  ['lock 200', 'moderator', 'channel', false, '200'],
  ['unlock 200', 'moderator', 'channel', false, '200'],
  ['record start 200', 'moderator', 'channel', false, '200'],
  ['muzak on 200', 'moderator', 'channel', false, '200'],
  ['stream off 200', 'moderator', 'channel', false, '200'],
  ['topic 200 3', 'viewer', 'channel', false, '3'],
  ['topic 200 3 hello', 'moderator', 'channel', false, '3'],
  ['transfer 200 3 600', 'moderator', 'private', false, '3'],
  ['transfer 200 3 600 confirm', 'moderator', 'channel', false, '3'],
  ['invite 200 +15551234', 'moderator', 'channel', false, '+15551234'],
  ['queue 200', 'viewer', 'channel', false, '200'],
  ['bringin 200 1', 'moderator', 'channel', false, '1'],
  ['listen 200 3', 'listener', 'private', false, '3'],
  ['listen call 0x7f00', 'listener', 'private', true, '0x7f00'],
  ['calls', 'listener', 'private', true, undefined],
  ['quality 200', 'viewer', 'private', false, '200'],
  ['quality 200 3', 'viewer', 'private', false, '3'],
  ['alerts list', 'admin', 'private', false, undefined],
  ['audit 200', 'admin', 'private', false, '200'],
  ['config', 'admin', 'private', true, undefined],
];


function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** What the samples of one command show for a column, e.g. `private, channel`. */
function seen(name: string, column: (typed: string, command: Command) => string): string {
  return [...new Set(FACTS.filter(([typed]) => ok(typed).name === name).map(([typed]) => column(typed, ok(typed))))].join(', ');
}

/** The command-spec table of docs/architecture.md, from the specs (sampled by FACTS where a column depends on the typed command). */
export function specTableMarkdown(): string {
  const lines = [
    '| Command | Role | Scope | Inactive room | Reply | Confirmation | Options (Discord) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const spec of COMMAND_SPECS) {
    const role = seen(spec.name, (_t, c) => specFor(c).role(c));
    const scope = seen(spec.name, (_t, c) => specFor(c).scope(c));
    const reply = seen(spec.name, (_t, c) => specFor(c).visibility(c));
    const options = spec.options.map((o) => `${o.name}${o.required ? '' : '?'}${o.autocomplete === undefined ? '' : '*'}`).join(', ');
    lines.push(`| \`${cell(spec.usage)}\` | ${role} | ${scope} | ${spec.roomMayBeInactive ? 'yes' : 'no'} | ${reply} | ${spec.confirmation} | ${cell(options) || '-'} |`);
  }
  return lines.join('\n');
}
