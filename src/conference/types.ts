/**
 * The conference domain's data: rooms and participants as the bot holds them, and the change records
 * the reducer emits. Plain immutable data: views, status messages and alerts read it, only the
 * reducer (model.ts) makes new versions of it.
 */

export type Dialect = 'confbridge' | 'meetme';

/** Channel technology parsed from a channel name (`PJSIP/alice-00000001` → `PJSIP`). */
export type ChannelTech = 'SIP' | 'PJSIP' | 'IAX2' | 'Local' | 'DAHDI' | 'Motif' | 'WebRTC' | 'Unknown' | (string & {});

export interface Participant {
  readonly pbx: string;
  readonly room: string;
  /** Asterisk channel Uniqueid: with `pbx`, the participant's identity. */
  readonly uniqueid: string;
  /** MeetMe user number (reused after a participant leaves: never an identity on its own). */
  readonly usernum: number | undefined;
  readonly channel: string;
  readonly tech: ChannelTech;
  /** Caller number and name; undefined when Asterisk says `<unknown>` or leaves it empty. */
  readonly callerNum: string | undefined;
  readonly callerName: string | undefined;
  readonly admin: boolean;
  readonly marked: boolean;
  readonly muted: boolean;
  /** Who muted: the caller (self) or a moderator/admin; undefined when not muted or not known. */
  readonly mutedBy: 'self' | 'admin' | undefined;
  readonly talking: boolean;
  /** Epoch milliseconds. */
  readonly joinedAt: number;
  readonly topic: string | undefined;
}

/** A channel the bot originated into a room (muzak, Icecast stream). */
export interface Injection {
  readonly channel: string;
  readonly uniqueid: string | undefined;
  readonly since: number;
}

export interface Room {
  readonly pbx: string;
  readonly name: string;
  readonly dialect: Dialect;
  /** Keyed by Uniqueid, in join order. */
  readonly participants: ReadonlyMap<string, Participant>;
  readonly locked: boolean;
  readonly recording: boolean;
  readonly muzak: Injection | undefined;
  readonly stream: Injection | undefined;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly peakSize: number;
  /** Set once the room has ended (kept briefly so status messages can show a summary). */
  readonly endedAt: number | undefined;
}

/** Why a PBX's link or listing does not work, when the bot can tell (shown to admins with the fix). */
export type LinkProblem =
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'login_refused' }
  /** Asterisk answered `Permission denied`: the AMI user's `write` lacks `writeClass`. */
  | { readonly kind: 'permission_denied'; readonly action: string; readonly writeClass: string }
  /** The configured dialect's actions are unknown to the PBX (its conference application is not loaded). */
  | { readonly kind: 'dialect_refused'; readonly dialect: Dialect };

export interface PbxState {
  readonly pbx: string;
  readonly dialect: Dialect | undefined;
  readonly rooms: ReadonlyMap<string, Room>;
  readonly available: boolean;
  /** Epoch ms: when the link went down (if unavailable) or came up (if available). */
  readonly since: number;
  /**
   * False until a full room listing has succeeded since the link came up: a room missing meanwhile
   * may just not be listed yet. Absent: known.
   */
  readonly roomsKnown?: boolean;
  readonly problem?: LinkProblem;
}

/** Typed change records emitted by the reducer; status messages and alerts consume them. */
export type RoomChange =
  | { readonly type: 'room_started'; readonly pbx: string; readonly room: string }
  | { readonly type: 'room_ended'; readonly pbx: string; readonly room: string; readonly final: Room }
  | { readonly type: 'joined'; readonly pbx: string; readonly room: string; readonly participant: Participant }
  | {
      readonly type: 'left';
      readonly pbx: string;
      readonly room: string;
      readonly participant: Participant;
      /** Hangup cause, when the leave came with (or was followed by) a Hangup event. */
      readonly cause?: number;
      readonly causeText?: string;
      /** The channel driver's own cause (the SIP response code), when Asterisk sends `TechCause`. */
      readonly techCause?: number;
    }
  | { readonly type: 'muted'; readonly pbx: string; readonly room: string; readonly participant: Participant; readonly on: boolean }
  | { readonly type: 'talking'; readonly pbx: string; readonly room: string; readonly participant: Participant; readonly on: boolean }
  | { readonly type: 'topic'; readonly pbx: string; readonly room: string; readonly participant: Participant }
  /**
   * A re-list learned something events do not carry: admin or marked (MeetmeJoin has neither), who
   * muted, or a changed caller number/name. `participant` is the new version.
   */
  | { readonly type: 'updated'; readonly pbx: string; readonly room: string; readonly participant: Participant }
  | { readonly type: 'renamed'; readonly pbx: string; readonly room: string; readonly participant: Participant; readonly oldChannel: string }
  | { readonly type: 'locked'; readonly pbx: string; readonly room: string; readonly on: boolean }
  | { readonly type: 'recording'; readonly pbx: string; readonly room: string; readonly on: boolean }
  | { readonly type: 'muzak'; readonly pbx: string; readonly room: string; readonly on: boolean }
  | { readonly type: 'stream'; readonly pbx: string; readonly room: string; readonly on: boolean }
  | { readonly type: 'hangup'; readonly pbx: string; readonly channel: string; readonly uniqueid: string; readonly cause: number; readonly causeText: string; readonly techCause?: number; readonly callerNum: string | undefined; readonly callerName: string | undefined }
  /** PBX-level facts other than availability changed: the dialect in use, or a link problem. */
  | { readonly type: 'pbx_info'; readonly pbx: string }
  | { readonly type: 'pbx_down'; readonly pbx: string; readonly since: number }
  | { readonly type: 'pbx_up'; readonly pbx: string; readonly since: number };

export type RoomChangeType = RoomChange['type'];
