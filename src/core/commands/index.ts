import { auditSpec, configSpec } from './admin.ts';
import { alertsSpec } from './alerts.ts';
import { helpSpec, whoamiSpec } from './help.ts';
import { callsSpec, listenSpec } from './listen.ts';
import { bringinSpec, inviteSpec, queueSpec } from './lobby.ts';
import { kickSpec, muteSpec, unmuteSpec } from './participants.ts';
import { qualitySpec } from './quality.ts';
import { lockSpec, muzakSpec, recordSpec, streamSpec, unlockSpec } from './room-controls.ts';
import { listSpec, showSpec, unwatchSpec, watchSpec } from './rooms.ts';
import type { AnyCommandSpec, CommandOf } from './spec.ts';
import { topicSpec } from './topic.ts';
import { transferSpec } from './transfer.ts';

/**
 * Every `/meetme` subcommand, in help order. A new command is one module exporting its spec, and
 * one line here.
 */
export const COMMAND_SPECS = [
  helpSpec, whoamiSpec, listSpec, showSpec, watchSpec, unwatchSpec, muteSpec, unmuteSpec, kickSpec, lockSpec, unlockSpec,
  recordSpec, muzakSpec, streamSpec, topicSpec, transferSpec, inviteSpec, queueSpec, bringinSpec, listenSpec, callsSpec, qualitySpec,
  alertsSpec, auditSpec, configSpec,
] as const;

/** A parsed command: what one of the specs' grammars produces. */
export type Command = CommandOf<(typeof COMMAND_SPECS)[number]>;

export type SubcommandName = Command['name'];

const BY_NAME: ReadonlyMap<string, AnyCommandSpec> = new Map(COMMAND_SPECS.map((s): [string, AnyCommandSpec] => [s.name, s as AnyCommandSpec]));

export const SUBCOMMAND_NAMES: readonly SubcommandName[] = COMMAND_SPECS.map((s) => s.name);

export function specOf(name: string): AnyCommandSpec | undefined {
  return BY_NAME.get(name);
}

/** The spec of a parsed command (every parsed command has one). */
export function specFor(command: Command): AnyCommandSpec {
  return BY_NAME.get(command.name) as AnyCommandSpec;
}

export function isSubcommandName(word: string): word is SubcommandName {
  return BY_NAME.has(word);
}
