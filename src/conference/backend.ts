import type { Dialect, Participant, PbxState, Room, RoomChange } from './types.ts';

/** Who an operation targets: everyone, or one participant as typed by a user. */
export type Who = { readonly kind: 'all' } | { readonly kind: 'one'; readonly text: string };

export interface TransferTarget {
  readonly exten: string;
  readonly context: string | undefined;
}

export type InviteState = 'pending' | 'answered' | 'failed';

export interface InviteProgress {
  readonly state: InviteState;
  readonly number: string;
  /** Human-readable reason for a failure (busy, no answer, congestion...). */
  readonly reason: string | undefined;
  readonly channel: string | undefined;
}

export interface QueuedCaller {
  readonly uniqueid: string;
  readonly channel: string;
  readonly callerNum: string | undefined;
  readonly callerName: string | undefined;
  /** Epoch ms when the caller started waiting. */
  readonly waitingSince: number;
  /** 1-based position in arrival order. */
  readonly position: number;
}

/**
 * One PBX's conference operations, whatever the dialect. Methods resolve with typed results and
 * reject with typed BotErrors (`room_not_found`, `participant_not_found`, `ambiguous_participant`,
 * `action_refused`, `pbx_unavailable`, `outcome_unknown`): never AMI strings.
 * `who` text may be a MeetMe user number, a channel name or unique prefix, a caller number, or a
 * unique prefix of a caller name.
 */
export interface ConferenceBackend {
  readonly pbx: string;
  /** Configured, or detected on connect; undefined until known. */
  readonly dialect: Dialect | undefined;
  readonly available: boolean;

  /** Current state, held from events and reconciled from list actions. Synchronous: no AMI round-trip. */
  state(): PbxState;
  rooms(): Promise<Room[]>;
  room(name: string): Promise<Room>;
  participants(room: string): Promise<Participant[]>;
  /** Resolve `who` text to exactly one participant of `room`. */
  resolve(room: string, who: string): Promise<Participant>;

  mute(room: string, who: Who, on: boolean): Promise<Participant[]>;
  kick(room: string, who: Who): Promise<Participant[]>;
  /** Re-reads the room's lock state from the PBX (nothing announces a lock made at the PBX). */
  refreshLock(room: string): Promise<void>;
  lock(room: string, on: boolean): Promise<void>;
  record(room: string, on: boolean): Promise<void>;
  muzak(room: string, on: boolean): Promise<void>;
  stream(room: string, on: boolean): Promise<void>;
  /** Dial `number` into the room; `onProgress` sees pending, then answered or failed. */
  invite(room: string, number: string, onProgress?: (p: InviteProgress) => void): Promise<InviteProgress>;
  transfer(room: string, who: string, target: TransferTarget): Promise<Participant>;
  getTopic(room: string, who: string): Promise<{ readonly participant: Participant; readonly topic: string | undefined }>;
  setTopic(room: string, who: string, text: string): Promise<Participant>;
  /** Callers waiting in the room's lobby, in arrival order. Refused (`action_refused`) when the room has no lobby. */
  queue(room: string): Promise<QueuedCaller[]>;
  /** Move one waiting caller (`who` as for participants, or a queue position) into the room. */
  bringIn(room: string, who: string): Promise<QueuedCaller>;
  /** Read a channel variable (e.g. the SIP Call-ID for live listening). Undefined when unset. */
  getChannelVar(channel: string, variable: string): Promise<string | undefined>;
}

/** Every PBX the bot serves, and their change feed. */
export interface ConferenceDirectory {
  pbxIds(): readonly string[];
  /** Throws `pbx_not_found` for an unknown id. */
  backend(pbx: string): ConferenceBackend;
  /** Subscribe to change records from every PBX; returns an unsubscribe function. */
  onChange(listener: (changes: readonly RoomChange[]) => void): () => void;
}
