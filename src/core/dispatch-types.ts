import type { ConferenceDirectory } from '../conference/backend.ts';
import type { Actor, Conversation } from '../kernel/chat.ts';
import type { AuditStore } from '../store/types.ts';
import type { AlertControl } from './alert-control.ts';
import type { Policy } from './policy.ts';
import type { ConfigSummary, ListenService, QualityService, WatchService } from './services.ts';
import type { View } from './views.ts';

/** The directory the core needs: every PBX, plus lookup of typed room names (`200`, `pbx/200`). */
export type RoomDirectory = ConferenceDirectory & {
  findRoom(name: string): { readonly pbx: string; readonly room: string } | undefined;
};

export interface RoomTarget {
  readonly pbx: string;
  readonly room: string;
}

export interface DispatchEnv {
  readonly actor: Actor;
  readonly conversation: Conversation;
  /** Whether the actor was given admin as the local user (shown by `whoami`). */
  readonly localAdmin: boolean;
}

/**
 * What a command or press produced: a reply (or nothing, when a service posted its own message).
 * Who sees the reply is not here: it is the command spec's (or, for presses, always private).
 */
export interface Outcome {
  readonly view: View | undefined;
  /** The target as people know it, for the audit trail. */
  readonly target: string | undefined;
  /** For presses on a one-shot status message: the room whose message should be refreshed. */
  readonly refresh?: RoomTarget;
  /** Audit detail when the outcome is not the change itself (CONFIRMATION_ASKED). */
  readonly detail?: string;
  /** For page presses: the message the button sat on is to show this page of the room. */
  readonly page?: PageTurn;
}

export interface PageTurn extends RoomTarget {
  /** Zero-based; clamped when the message is drawn. */
  readonly page: number;
}

/** Audit detail of a typed command that only answered with a confirm button. */
export const CONFIRMATION_ASKED = 'confirmation asked';

/** Audit detail of a command that asked for the state the room or participant was already in. */
export const NO_CHANGE = 'no change: already in that state';

export interface DispatcherDeps {
  readonly directory: RoomDirectory;
  readonly policy: Policy;
  readonly now: () => number;
  readonly audit?: AuditStore | undefined;
  readonly watch?: WatchService | undefined;
  readonly listen?: ListenService | undefined;
  /** Line quality; without it `quality` says it is not available. */
  readonly quality?: QualityService | undefined;
  /** The running configuration, without secrets, for `config`. */
  readonly configSummary?: (() => ConfigSummary) | undefined;
  /** Hangup alerts; without them `alerts` says they are not set up. */
  readonly alerts?: AlertControl | undefined;
}
