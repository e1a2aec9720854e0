import { z } from 'zod';
import type { Visibility } from '../../kernel/chat.ts';
import type { DispatchEnv, DispatcherDeps, Outcome, RoomTarget } from '../dispatch-types.ts';
import type { Requirement } from '../policy.ts';
import type { RoomOps } from '../room-ops.ts';
import { room } from './grammar.ts';

/**
 * One command's facts in one place: its grammar, who may run it and where, who sees its answer,
 * what the audit trail records, whether it asks first, and what it does. Policy, help, usage, the
 * parser, the dispatcher, the manifest check and Discord's command registration read these.
 */

/** What every parsed command has. */
export interface BaseCommand {
  readonly name: string;
}

/**
 * Where the policy looks: `room` (the room the command names, once resolved), `none` (nothing
 * room-specific: any grant counts), `everywhere` (only a grant for every PBX and room counts).
 */
export type ScopeKind = 'room' | 'none' | 'everywhere';

/** Whether the command asks before acting: never, only for everyone at once, or every time. */
export type Confirmation = 'never' | 'for-everyone' | 'always';

/** A typed option of the command on platforms that have them (Discord subcommand options). */
export interface OptionSpec {
  /** Lowercase, 1–32 characters (Discord's rule). */
  readonly name: string;
  readonly description: string;
  readonly type: 'string' | 'integer' | 'boolean';
  readonly required: boolean;
  /** Fixed choices (`on`/`off`), given as typed words. */
  readonly choices?: readonly string[];
  /** Filled in from live state as the user types. */
  readonly autocomplete?: 'room' | 'participant';
}

/** What a handler may use: the services, the room operations shared with button presses, and who asked. */
export interface CommandContext {
  readonly deps: DispatcherDeps;
  readonly ops: RoomOps;
  readonly env: DispatchEnv;
  /** The resolved room; throws UnknownRoomError for a command that names none. */
  room(): RoomTarget;
  /** The resolved room, when the command names one. */
  readonly target: RoomTarget | undefined;
  /** Every command's facts, in help order (for `help`). */
  readonly specs: readonly SpecFacts[];
}

/** The facts of a spec without its grammar and handler: what help, docs and registration need. */
export interface SpecFacts {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly confirmation: Confirmation;
  readonly roomMayBeInactive: boolean;
  readonly options: readonly OptionSpec[];
  /** The least role, as shown in docs (`topic`: viewer to read, moderator to set). */
  readonly leastRole: Requirement;
}

export interface CommandSpec<C extends BaseCommand> extends SpecFacts {
  readonly name: C['name'];
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Validates the argument words and builds the command. */
  readonly grammar: z.ZodType<C, readonly string[]>;
  /** A second form told apart by its argument words (`listen call <ref>`). */
  readonly alternative?: { readonly when: (args: readonly string[]) => boolean; readonly grammar: z.ZodType<C, readonly string[]> };
  // Methods, not function-valued fields: a table of specs for different commands must be one type.
  role(command: C): Requirement;
  scope(command: C): ScopeKind;
  /** The room as typed, for commands that act on one. */
  roomOf(command: C): string | undefined;
  /** Who sees the answer, known before the command runs (the adapter's ack is told). */
  visibility(command: C): Visibility;
  /** The target as typed, so a failed command's audit record still says whom it was aimed at. */
  auditTarget(command: C): string | undefined;
  /** The argument words from typed option values (Discord), fed to the same grammar. */
  wordsFromOptions?(values: Readonly<Record<string, string | number | boolean>>): string[];
  handle(command: C, ctx: CommandContext): Promise<Outcome>;
}

export type AnyCommandSpec = CommandSpec<BaseCommand>;

/** The command type a spec parses to. */
export type CommandOf<S> = S extends CommandSpec<infer C> ? C : never;

/** The room of commands whose command carries `room`. */
export function roomField(command: { readonly room: string }): string {
  return command.room;
}

/** A reply with nothing else to record, shown as the spec says. */
export function done(view: Outcome['view'], target?: string): Outcome {
  return { view, target };
}

/** The room option most commands take, autocompleted from live rooms. */
export const ROOM_OPTION: OptionSpec = { name: 'room', description: 'room name, or pbx/room', type: 'string', required: true, autocomplete: 'room' };

/** The facts shared by commands whose only argument is a room. */
export function roomOnlyFacts<N extends string>(name: N) {
  return {
    minArgs: 1, maxArgs: 1, confirmation: 'never' as const, options: [ROOM_OPTION],
    grammar: z.tuple([room]).transform(([r]) => ({ name, room: r })),
    scope: () => 'room' as const,
    roomOf: roomField,
    auditTarget: roomField,
  };
}
