import type { Command } from './commands/index.ts';
import { specFor } from './commands/index.ts';
import type { Requirement } from './policy.ts';

/** The least role a parsed command needs, from its spec. */
export function requiredRoleForCommand(command: Command): Requirement {
  return specFor(command).role(command);
}

/**
 * `calls` lists, and `listen call` opens, any call a sensor sees, whatever its PBX or room, so a
 * grant scoped to some rooms must not unlock them. `config` shows every PBX, sensor and grant.
 */
export function needsAllRooms(command: Command): boolean {
  return specFor(command).scope(command) === 'everywhere';
}
