/**
 * Platform-neutral view model. Views are plain data built by pure functions from room state; each
 * adapter's renderer turns them into Block Kit, a Discord embed, or terminal text, and enforces its
 * own platform's limits (pagination, truncation).
 */

export type Tone = 'info' | 'success' | 'warning' | 'error';

export interface ConfirmView {
  readonly title: string;
  readonly text: string;
  readonly confirm: string;
  readonly deny: string;
}

export interface ButtonView {
  /** Compact, versioned action id from core/actions.ts (fits Slack's 255 and Discord's 100 chars). */
  readonly id: string;
  readonly label: string;
  readonly style: 'primary' | 'danger' | 'default';
  /** Ask before acting (kick, mute all, transfer). */
  readonly confirm: ConfirmView | undefined;
}

export interface ParticipantRowView {
  /** Stable key (the Uniqueid). */
  readonly key: string;
  /** Display name, or the number when no name is known. */
  readonly name: string;
  readonly number: string | undefined;
  readonly usernum: number | undefined;
  readonly tech: string;
  readonly muted: boolean;
  readonly mutedBy: 'self' | 'admin' | undefined;
  readonly talking: boolean;
  readonly admin: boolean;
  readonly marked: boolean;
  readonly topic: string | undefined;
  readonly inRoomSec: number;
  readonly buttons: readonly ButtonView[];
}

export interface RoomFlagsView {
  readonly locked: boolean;
  readonly recording: boolean;
  readonly muzak: boolean;
  readonly stream: boolean;
}

export interface RoomSummaryView {
  readonly durationSec: number;
  readonly peakSize: number;
  /** Everyone who was there, in join order. */
  readonly attendees: readonly string[];
  /** Who did what ("alice muted Tim (701)"), oldest first. */
  readonly actions: readonly string[];
}

export interface StatusView {
  readonly kind: 'status';
  readonly pbx: string;
  readonly room: string;
  readonly count: number;
  readonly flags: RoomFlagsView;
  readonly runningSec: number;
  readonly rows: readonly ParticipantRowView[];
  /** Room-level buttons (lock/unlock, mute all...). Empty once the room has ended. */
  readonly buttons: readonly ButtonView[];
  /** A warning banner, e.g. "PBX unreachable since 12:03, reconnecting". */
  readonly banner: string | undefined;
  /** Set when the room has ended: the final summary; rows and buttons are then empty. */
  readonly ended: RoomSummaryView | undefined;
  /** Epoch ms of the state this view shows. */
  readonly updatedAt: number;
}

export interface TableView {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface LinkView {
  readonly url: string;
  readonly label: string;
}

export interface ReplyView {
  readonly kind: 'reply';
  readonly tone: Tone;
  readonly title: string | undefined;
  readonly text: string;
  readonly table: TableView | undefined;
  readonly link: LinkView | undefined;
  readonly buttons: readonly ButtonView[];
  /** Shown with errors so an admin can find the log lines. */
  readonly correlationId: string | undefined;
}

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface AlertView {
  readonly kind: 'alert';
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly text: string;
  readonly fields: readonly (readonly [label: string, value: string])[];
  readonly buttons: readonly ButtonView[];
  /** Set once someone acknowledged it. */
  readonly ackedBy: string | undefined;
  readonly at: number;
}

export type View = StatusView | ReplyView | AlertView;
