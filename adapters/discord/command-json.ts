import {
  COMMAND_DESCRIPTION, MAX_FILTER_LENGTH, MAX_PBX_LENGTH, MAX_ROOM_LENGTH, MAX_TOPIC_LENGTH, MAX_WHO_LENGTH, SLASH_COMMAND,
  SUBCOMMAND_NAMES, summaryOf, usageOf, type SubcommandName,
} from '../../src/core/commands.ts';
import { truncate } from './text.ts';

/**
 * The `/meetme` application command, generated from the grammar: one subcommand per command, its
 * options read from the command's usage line (`mute <room> <who|all> [confirm]`). `<x>` is a
 * required option, `[x]` an optional one, `a|b` a choice, `[confirm]` a boolean. Room and
 * participant options autocomplete from live state.
 * @see https://discord.com/developers/docs/interactions/application-commands#application-command-object
 */

/** Option types (APIApplicationCommandOptionType). */
export const OPTION_TYPE = { subcommand: 1, string: 3, boolean: 5 } as const;

export interface CommandOptionJson {
  readonly type: typeof OPTION_TYPE.string | typeof OPTION_TYPE.boolean;
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
  readonly autocomplete?: boolean;
  readonly choices?: readonly { readonly name: string; readonly value: string }[];
  readonly max_length?: number;
}

export interface SubcommandJson {
  readonly type: typeof OPTION_TYPE.subcommand;
  readonly name: SubcommandName;
  readonly description: string;
  readonly options: readonly CommandOptionJson[];
}

export interface CommandJson {
  readonly name: string;
  readonly description: string;
  readonly type: 1;
  /** Guild only: rooms are a workplace's, not something to use in DMs. */
  readonly contexts: readonly [0];
  readonly options: readonly SubcommandJson[];
}

/** Fields whose values come from live state. */
export const AUTOCOMPLETE_FIELDS = ['room', 'who'] as const;
export type CompletionField = (typeof AUTOCOMPLETE_FIELDS)[number];

const DESCRIPTION_MAX = 100;

const CHOICE_NAMES: Readonly<Record<string, string>> = { 'start|stop': 'action', 'on|off': 'state', 'on|off|list': 'op' };

const PLACEHOLDERS: Readonly<Record<string, Omit<CommandOptionJson, 'required' | 'type'> & { readonly type?: CommandOptionJson['type'] }>> = {
  room: { name: 'room', description: 'Room name (pbx/room to pick a PBX)', autocomplete: true, max_length: MAX_PBX_LENGTH + 1 + MAX_ROOM_LENGTH },
  who: { name: 'who', description: 'Participant: user number, channel, caller number or name', autocomplete: true, max_length: MAX_WHO_LENGTH },
  'who|all': { name: 'who', description: 'Participant (number, channel, caller number or name), or all', autocomplete: true, max_length: MAX_WHO_LENGTH },
  'exten[@context]': { name: 'target', description: 'Extension, optionally @context (e.g. 600@default)', max_length: 81 },
  number: { name: 'number', description: 'Number to dial, up to 32 digits, optional leading +', max_length: 33 },
  text: { name: 'text', description: 'New topic (leave out to show the current one)', max_length: MAX_TOPIC_LENGTH },
  filter: { name: 'filter', description: 'Only calls whose number or name contains this', max_length: MAX_FILTER_LENGTH },
  rule: { name: 'rule', description: 'Alert rule name, or *', max_length: 40 },
  command: { name: 'command', description: 'A command to explain' },
  confirm: { name: 'confirm', description: 'Act without asking first', type: OPTION_TYPE.boolean },
};

function optionFor(token: string, subcommand: SubcommandName): CommandOptionJson {
  const optional = token.startsWith('[');
  const inner = token.replace(/^[<[]|[>\]]$/g, '');
  const bracketed = token.startsWith('<') || optional;
  if (!bracketed) {
    const name = CHOICE_NAMES[inner];
    if (name === undefined) throw new Error(`${subcommand}: no option name for the choice ${inner}`);
    return {
      type: OPTION_TYPE.string, name, description: `One of: ${inner.split('|').join(', ')}`, required: true,
      choices: inner.split('|').map((v) => ({ name: v, value: v })),
    };
  }
  const known = PLACEHOLDERS[inner];
  if (known === undefined) throw new Error(`${subcommand}: no option for ${token}`);
  const choices = inner === 'command' ? { choices: SUBCOMMAND_NAMES.map((n) => ({ name: n, value: n })) } : {};
  return { type: OPTION_TYPE.string, ...known, required: !optional, ...choices };
}

/**
 * `listen <room> <who> | listen call <callref> [sensor]`: Discord has no alternatives, so every
 * option is optional and the text says which form was meant.
 */
const LISTEN_OPTIONS: readonly CommandOptionJson[] = [
  { ...optionFor('[room]', 'listen') },
  { ...optionFor('[who]', 'listen') },
  { type: OPTION_TYPE.string, name: 'call', description: 'Or: a call reference from `calls` (e.g. 0x7fdcfc00b2e0)', required: false, max_length: 20 },
  { type: OPTION_TYPE.string, name: 'sensor', description: 'The sensor that sees the call', required: false, max_length: 40 },
];

export function subcommandOptions(name: SubcommandName): readonly CommandOptionJson[] {
  if (name === 'listen') return LISTEN_OPTIONS;
  const [, ...tokens] = usageOf(name).split(/\s+/);
  return tokens.map((t) => optionFor(t, name));
}

export function meetmeCommand(): CommandJson {
  return {
    name: SLASH_COMMAND.slice(1),
    description: truncate(COMMAND_DESCRIPTION, DESCRIPTION_MAX),
    type: 1,
    contexts: [0],
    options: SUBCOMMAND_NAMES.map((name) => ({
      type: OPTION_TYPE.subcommand,
      name,
      description: truncate(summaryOf(name), DESCRIPTION_MAX),
      options: subcommandOptions(name),
    })),
  };
}
