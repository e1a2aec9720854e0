import { snowflake } from './state.ts';

/**
 * INTERACTION_CREATE payloads as Discord sends them (API v10), for a guild text channel. Only the
 * fields discord.js reads are filled in, with realistic shapes.
 */

export interface FakeUser {
  readonly id: string;
  readonly username: string;
  /** Guild role ids: the adapter turns them into `discord:<roleId>` groups. */
  readonly roles: readonly string[];
}

export interface Place {
  readonly applicationId: string;
  readonly guildId: string;
  readonly channelId: string;
}

/** Application command option types used by /meetme. */
export const OPTION = { subcommand: 1, string: 3, integer: 4, boolean: 5 } as const;

export interface CommandOption {
  readonly name: string;
  readonly type: number;
  readonly value?: string | number | boolean;
  readonly focused?: boolean;
  readonly options?: readonly CommandOption[];
}

function base(place: Place, user: FakeUser, type: number): Record<string, unknown> {
  return {
    id: snowflake(),
    application_id: place.applicationId,
    type,
    token: `itoken-${snowflake()}`,
    version: 1,
    guild_id: place.guildId,
    channel_id: place.channelId,
    channel: { id: place.channelId, type: 0, guild_id: place.guildId, name: 'ops', position: 0, permission_overwrites: [], nsfw: false, parent_id: null },
    member: {
      user: { id: user.id, username: user.username, discriminator: '0', global_name: user.username, avatar: null },
      roles: [...user.roles],
      permissions: '2248473465835073',
      joined_at: '2024-01-01T00:00:00.000Z',
      nick: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      premium_since: null,
    },
    app_permissions: '2248473465835073',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': place.guildId },
    context: 0,
  };
}

/** `/meetme <subcommand> <options…>` (type 2, chat input). */
export function slashCommand(place: Place, user: FakeUser, subcommand: string, options: readonly CommandOption[], commandName = 'meetme'): Record<string, unknown> {
  return {
    ...base(place, user, 2),
    data: { id: snowflake(), name: commandName, type: 1, guild_id: place.guildId, options: [{ name: subcommand, type: OPTION.subcommand, options }] },
  };
}

/** Autocomplete of the focused option (type 4). */
export function autocomplete(place: Place, user: FakeUser, subcommand: string, options: readonly CommandOption[], commandName = 'meetme'): Record<string, unknown> {
  return {
    ...base(place, user, 4),
    data: { id: snowflake(), name: commandName, type: 1, guild_id: place.guildId, options: [{ name: subcommand, type: OPTION.subcommand, options }] },
  };
}

/** A button press (type 3, component type 2) on `message` (an API message object). */
export function buttonPress(place: Place, user: FakeUser, message: Record<string, unknown>, customId: string): Record<string, unknown> {
  return { ...base(place, user, 3), message, data: { custom_id: customId, component_type: 2 } };
}

/** A string select choice (type 3, component type 3). */
export function selectChoice(place: Place, user: FakeUser, message: Record<string, unknown>, customId: string, values: readonly string[]): Record<string, unknown> {
  return { ...base(place, user, 3), message, data: { custom_id: customId, component_type: 3, values: [...values] } };
}
