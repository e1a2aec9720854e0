import { discordCommandJson, type DiscordCommandJson } from '../../src/core/commands/discord.ts';
import { COMMAND_SPECS } from '../../src/core/commands/index.ts';

/**
 * The `/meetme` application command: the core's JSON from the command specs (one subcommand per
 * spec, typed options, room and participant options autocompleted), registered for guilds only.
 * @see https://discord.com/developers/docs/interactions/application-commands#application-command-object
 */

export interface CommandJson extends DiscordCommandJson {
  /** Guild only: rooms are a workplace's, not something to use in DMs. */
  readonly contexts: readonly [0];
}

export function meetmeCommand(): CommandJson {
  return { ...discordCommandJson(COMMAND_SPECS), contexts: [0] };
}
