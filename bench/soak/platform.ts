import type { ShownStatus } from './status-reading.ts';

/** What the soak needs from a fake chat platform, whichever it is. */

export interface StatusMessage {
  readonly id: string;
  readonly conversation: string;
  readonly status: ShownStatus;
}

export interface EditSeen {
  readonly messageId: string;
  /** performance.now() when the fake received the edit. */
  readonly at: number;
  /** The fake answered it with success (Slack records no status: always true there). */
  readonly ok: boolean;
}

/** A user action in flight: settled once the bot did it or said it could not. */
export interface PendingAction {
  /** Platform, kind, user (id and role) and target, for a person to read. */
  readonly what: string;
  readonly issuedAt: number;
  settled(): boolean;
  /** What the harness sees of the action now (answer, PBX state, alert state): said when it is lost. */
  lastSeen(): string;
  /**
   * The platform itself told the person it failed (Slack: it could not hand the action over) and
   * the bot's link came back, so an action not settled in time is counted apart from lost ones.
   */
  failedOnPlatform?(): boolean;
}

/** An alert message as a platform shows it, read from its buttons' action ids. */
export interface AlertMessage {
  readonly id: string;
  readonly conversation: string;
  /** The incident every alert button of the message names (`v1|aa|pbx|room|incident`). */
  readonly incident: string;
  /** The Ack button's id while the alert is open; undefined once acked (or silenced, or resolved). */
  readonly ackButton: string | undefined;
  /** The Resolve button's id until the alert is resolved (a resolved alert keeps no buttons). */
  readonly resolveButton: string | undefined;
}

/** The alert buttons simulated users press. */
export type AlertPress = 'ack' | 'resolve';

export interface SimUser {
  readonly id: string;
  readonly role: 'admin' | 'moderator' | 'viewer';
}

export interface FakePlatform {
  readonly name: string;
  readonly conversations: readonly string[];
  /** Asks for a status message of `room` in `conversation` (the `show`/`watch` command). */
  watch(room: string, conversation: string): void;
  statusMessages(): StatusMessage[];
  /** Edits received since the last call; also queues random 429/500 answers for later edits. */
  takeEdits(): EditSeen[];
  /** One random command or button press by one of the platform's users. */
  act(random: () => number, world: ActionWorld): PendingAction | undefined;
  /** Alert messages in posting order, resolved ones (no buttons left) included. */
  alertMessages(): AlertMessage[];
  /** A random user presses Ack on a random open alert, or Resolve on a random unresolved one, if there is one. */
  pressAlert(random: () => number, press: AlertPress): PendingAction | undefined;
  /**
   * Forgets what the fake platform and the harness keep only for their own bookkeeping (answers to
   * settled actions, interaction replies, thread notes, the gateway's replay log) once older than
   * `olderThanMs`, so heap readings measure the bot. Returns the entries dropped.
   */
  pruneLogs(olderThanMs: number): number;
  /** Acknowledgements that came after the platform's deadline (Slack: 3 s), answers included. */
  lateAcknowledgements?(): number;
  /** Edits answered 429 and 500 so far (queued by the soak; the fake answers them in order). */
  readonly injected: { rateLimited: number; serverErrors: number };
  close(): Promise<void>;
}

export interface FailureRates {
  readonly rateLimited: number;
  readonly serverError: number;
  readonly retryAfterSec: number;
}

/** What a simulated user can see of the rooms, and how the soak tells that an action took effect. */
export interface ActionWorld {
  readonly rooms: readonly string[];
  /** A caller's name in the room now, if any. */
  pickCaller(room: string): string | undefined;
  /** The PBX shows the action done: the caller muted as asked, or gone. */
  effect(room: string, caller: string, muted: boolean): boolean;
  /** The caller as the PBX has it now: `muted`, `unmuted` or `not in the room`. */
  callerState(room: string, caller: string): string;
}
