import { COMMAND_DESCRIPTION, SLASH_COMMAND } from '../command-names.ts';
import type { OptionSpec, SpecFacts } from './spec.ts';

/**
 * Discord application-command JSON for `/meetme`, from the command specs: one subcommand per spec,
 * with typed options. Plain data (no discord.js import): the Discord adapter registers it.
 * @see https://discord.com/developers/docs/interactions/application-commands#application-command-object
 */

/** ApplicationCommandOptionType values. */
export const DISCORD_OPTION_TYPE = { subcommand: 1, string: 3, integer: 4, boolean: 5 } as const;
/** ApplicationCommandType.ChatInput. */
const CHAT_INPUT = 1;
/** Discord's bound on command and option descriptions. */
export const MAX_DISCORD_DESCRIPTION = 100;

export interface DiscordOptionJson {
  readonly type: number;
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly choices?: readonly { readonly name: string; readonly value: string }[];
  readonly autocomplete?: boolean;
  readonly options?: readonly DiscordOptionJson[];
}

export interface DiscordCommandJson {
  readonly type: number;
  readonly name: string;
  readonly description: string;
  readonly options: readonly DiscordOptionJson[];
}

function fit(text: string): string {
  return text.length <= MAX_DISCORD_DESCRIPTION ? text : `${text.slice(0, MAX_DISCORD_DESCRIPTION - 1)}…`;
}

function optionJson(option: OptionSpec): DiscordOptionJson {
  return {
    type: DISCORD_OPTION_TYPE[option.type],
    name: option.name,
    description: fit(option.description),
    required: option.required,
    ...(option.choices === undefined ? {} : { choices: option.choices.map((c) => ({ name: c, value: c })) }),
    ...(option.autocomplete === undefined ? {} : { autocomplete: true }),
  };
}

/** `/meetme` with a subcommand per spec; Discord wants required options before optional ones. */
export function discordCommandJson(specs: readonly SpecFacts[]): DiscordCommandJson {
  return {
    type: CHAT_INPUT,
    name: SLASH_COMMAND.slice(1),
    description: fit(COMMAND_DESCRIPTION),
    options: specs.map((spec) => ({
      type: DISCORD_OPTION_TYPE.subcommand,
      name: spec.name,
      description: fit(spec.summary),
      options: [...spec.options.filter((o) => o.required), ...spec.options.filter((o) => !o.required)].map(optionJson),
    })),
  };
}
