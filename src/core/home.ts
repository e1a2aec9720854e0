import type { ConferenceDirectory } from '../conference/backend.ts';
import type { RoleName } from '../config.ts';
import type { Actor } from './adapter.ts';
import { commandTable, SLASH_COMMAND } from './commands.ts';
import type { Policy } from './policy.ts';

/**
 * What a person's home page shows (Slack's App Home tab): their role, the active rooms they may
 * view with head counts, which PBXs are unreachable, and the command list. Pure: built from the
 * policy and the PBXs' held state, no AMI round-trip.
 */

export interface HomeRoom {
  readonly pbx: string;
  readonly room: string;
  readonly people: number;
  readonly locked: boolean;
}

export interface HomeView {
  readonly role: RoleName | undefined;
  /** Why that role ("moderator via group S0MODS (pbx *, rooms 2*)"). */
  readonly roleReason: string;
  readonly rooms: readonly HomeRoom[];
  /** Ids of PBXs the bot cannot reach now: their rooms are unknown. */
  readonly unreachable: readonly string[];
  /** More than one PBX: rooms are written `pbx/room`. */
  readonly multiPbx: boolean;
  readonly slashCommand: string;
  readonly commands: readonly (readonly [usage: string, summary: string])[];
}

export interface HomeDeps {
  readonly policy: Policy;
  readonly directory: ConferenceDirectory;
}

export function homeView(actor: Actor, deps: HomeDeps): HomeView {
  const { role, reason } = deps.policy.roleOf(actor, { pbx: undefined, room: undefined });
  const ids = deps.directory.pbxIds();
  const rooms: HomeRoom[] = [];
  const unreachable: string[] = [];
  for (const pbx of ids) {
    const state = deps.directory.backend(pbx).state();
    if (!state.available) unreachable.push(pbx);
    for (const room of state.rooms.values()) {
      if (room.endedAt !== undefined) continue;
      if (!deps.policy.decide(actor, 'viewer', { pbx, room: room.name }).allowed) continue;
      rooms.push({ pbx, room: room.name, people: room.participants.size, locked: room.locked });
    }
  }
  return { role, roleReason: reason, rooms, unreachable, multiPbx: ids.length > 1, slashCommand: SLASH_COMMAND, commands: commandTable() };
}
