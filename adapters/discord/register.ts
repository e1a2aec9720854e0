import { REST, Routes } from 'discord.js';
import { ConfigError, loadConfig, type DiscordConfig } from '../../src/config.ts';
import { meetmeCommand, type CommandJson } from './command-json.ts';

/**
 * Registers `/meetme` with Discord: in one guild when DISCORD_GUILD_ID is set (instant), otherwise
 * globally (Discord may take a while to show it everywhere). `--global` registers globally even
 * with a guild set; `--dry-run` prints the JSON and calls nothing.
 *
 *   node --import tsx adapters/discord/register.ts [--dry-run] [--global]
 *
 * @see https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands
 */

export interface RegisterOptions {
  readonly global: boolean;
  readonly fetch?: typeof fetch;
}

export interface Registration {
  readonly scope: 'global' | 'guild';
  readonly route: string;
  readonly body: readonly CommandJson[];
}

export function registrationFor(config: Pick<DiscordConfig, 'applicationId' | 'guildId'>, options: { readonly global: boolean }): Registration {
  const body = [meetmeCommand()];
  if (config.guildId !== undefined && !options.global) {
    return { scope: 'guild', route: Routes.applicationGuildCommands(config.applicationId, config.guildId), body };
  }
  return { scope: 'global', route: Routes.applicationCommands(config.applicationId), body };
}

/** Overwrites the application's commands in the chosen scope with `/meetme`; returns what Discord stored. */
export async function register(config: DiscordConfig, options: RegisterOptions): Promise<{ scope: string; count: number }> {
  const registration = registrationFor(config, options);
  const rest = new REST(config.apiUrl !== undefined ? { api: config.apiUrl.replace(/\/+$/, '') } : {}).setToken(config.token);
  const stored = (await rest.put(registration.route as `/${string}`, { body: registration.body })) as unknown[];
  return { scope: registration.scope, count: stored.length };
}

async function main(argv: readonly string[]): Promise<number> {
  const dryRun = argv.includes('--dry-run');
  const global = argv.includes('--global');
  if (dryRun) {
    process.stdout.write(`${JSON.stringify([meetmeCommand()], null, 2)}\n`);
    return 0;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.userMessage}\n`);
      return 2;
    }
    throw err;
  }
  if (config.discord === undefined) {
    process.stderr.write('Discord is not configured: set DISCORD_TOKEN and DISCORD_APPLICATION_ID (and DISCORD_GUILD_ID for one server).\n');
    return 2;
  }
  const done = await register(config.discord, { global });
  process.stdout.write(`Registered /meetme ${done.scope === 'guild' ? `in guild ${config.discord.guildId ?? ''}` : 'globally'} (${done.count} command).\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await main(process.argv.slice(2));
}
