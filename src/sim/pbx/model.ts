import { randomUUID } from 'node:crypto';
import type { ChannelTech, SimCodec } from './types.ts';

/**
 * The embedded PBX's state: channels, rooms and global variables, with the mutations scenarios and
 * actions perform. It knows nothing of sockets or of the AMI wire: every change is reported as a
 * `PbxEvent` (plain data, copied at the moment of the change) that the event builders turn into
 * the dialect's AMI events.
 */

export const UNKNOWN = '<unknown>';

/** Channel state codes as AMI reports them (`ChannelState`/`ChannelStateDesc`). */
export type ChannelStateCode = 0 | 4 | 6;

/** The fields of a channel that AMI events carry, frozen when the event happens. */
export interface ChannelView {
  readonly name: string;
  readonly uniqueid: string;
  readonly linkedid: string;
  readonly state: ChannelStateCode;
  readonly callerNum: string;
  readonly callerName: string;
  readonly context: string;
  readonly exten: string;
  readonly priority: number;
}

export interface RoomView {
  readonly name: string;
  readonly bridgeId: string;
  /** Channels in the bridge: participants, the announcer, and the recorder while recording. */
  readonly bridgeChannels: number;
}

export interface ParticipantView {
  readonly admin: boolean;
  readonly marked: boolean;
  readonly muted: boolean;
  readonly usernum: number;
}

interface RoomChannelEvent {
  readonly room: RoomView;
  readonly channel: ChannelView;
  readonly participant: ParticipantView;
}

export type PbxEvent =
  | { readonly kind: 'newchannel'; readonly channel: ChannelView }
  | { readonly kind: 'hangup'; readonly channel: ChannelView; readonly cause: number }
  | { readonly kind: 'rename'; readonly channel: ChannelView; readonly newName: string }
  | { readonly kind: 'moh'; readonly channel: ChannelView; readonly on: boolean }
  | { readonly kind: 'room-start'; readonly room: RoomView }
  | { readonly kind: 'room-end'; readonly room: RoomView }
  | ({ readonly kind: 'join' } & RoomChannelEvent)
  | ({ readonly kind: 'leave'; readonly durationSec: number } & RoomChannelEvent)
  | ({ readonly kind: 'mute'; readonly on: boolean } & RoomChannelEvent)
  | ({ readonly kind: 'talking'; readonly on: boolean } & RoomChannelEvent)
  | ({ readonly kind: 'talk-request'; readonly on: boolean } & RoomChannelEvent)
  | { readonly kind: 'record'; readonly room: RoomView; readonly file: string }
  | { readonly kind: 'stop-record'; readonly room: RoomView };

export interface ChannelState {
  name: string;
  readonly uniqueid: string;
  readonly linkedid: string;
  readonly tech: ChannelTech;
  callerNum: string;
  callerName: string;
  context: string;
  exten: string;
  priority: number;
  state: ChannelStateCode;
  application: string;
  applicationData: string;
  readonly createdAt: number;
  readonly vars: Map<string, string>;
  readonly callId: string | undefined;
  readonly codec: SimCodec;
  /** The other half of a Local channel. */
  peer: string | undefined;
  room: string | undefined;
}

export interface Participant {
  readonly uniqueid: string;
  readonly admin: boolean;
  readonly marked: boolean;
  muted: boolean;
  /** Which MeetMe flag holds the mute: ADMINFLAG_MUTED (`By admin`) or ADMINFLAG_SELFMUTED (`By self`). */
  mutedBy: 'admin' | 'self' | undefined;
  talking: boolean;
  talkRequest: boolean;
  readonly usernum: number;
  readonly joinedAt: number;
}

/** A kicked ConfBridge caller still listed while the "you have been kicked" prompt plays. */
interface LingeringParticipant {
  readonly participant: Participant;
  readonly channel: ChannelState;
  readonly until: number;
}

export interface RoomState {
  readonly name: string;
  readonly bridgeId: string;
  readonly createdAt: number;
  locked: boolean;
  recordingFile: string | undefined;
  readonly participants: Map<string, Participant>;
  lingering: LingeringParticipant[];
}

export interface NewChannelSpec {
  readonly name: string;
  readonly uniqueid: string;
  readonly linkedid?: string;
  readonly tech: ChannelTech;
  readonly callerNum?: string;
  readonly callerName?: string;
  readonly context: string;
  readonly exten: string;
  readonly state: ChannelStateCode;
  readonly application?: string;
  readonly applicationData?: string;
  readonly callId?: string;
  readonly codec?: SimCodec;
}

export interface JoinFlags {
  readonly admin: boolean;
  readonly marked: boolean;
  readonly muted: boolean;
}

export type JoinResult = 'joined' | 'locked' | 'no-channel';

export class PbxModel {
  readonly channels = new Map<string, ChannelState>();
  readonly rooms = new Map<string, RoomState>();
  readonly globals = new Map<string, string>();

  constructor(
    private readonly now: () => number,
    private readonly emit: (event: PbxEvent) => void,
    private readonly bridgeIdGenerator: () => string = randomUUID,
  ) {}

  addChannel(spec: NewChannelSpec): ChannelState {
    const ch: ChannelState = {
      name: spec.name,
      uniqueid: spec.uniqueid,
      linkedid: spec.linkedid ?? spec.uniqueid,
      tech: spec.tech,
      callerNum: spec.callerNum ?? UNKNOWN,
      callerName: spec.callerName ?? UNKNOWN,
      context: spec.context,
      exten: spec.exten,
      priority: 1,
      state: spec.state,
      application: spec.application ?? '',
      applicationData: spec.applicationData ?? '',
      createdAt: this.now(),
      vars: new Map(),
      callId: spec.callId,
      codec: spec.codec ?? 'PCMU',
      peer: undefined,
      room: undefined,
    };
    this.channels.set(ch.uniqueid, ch);
    this.emit({ kind: 'newchannel', channel: channelView(ch) });
    return ch;
  }

  findByName(name: string): ChannelState | undefined {
    for (const ch of this.channels.values()) if (ch.name === name) return ch;
    return undefined;
  }

  /** Joins `room` (created on first join). A locked room refuses everyone but admins. */
  enterRoom(uniqueid: string, room: string, flags: JoinFlags): JoinResult {
    const ch = this.channels.get(uniqueid);
    if (!ch) return 'no-channel';
    const existing = this.rooms.get(room);
    if (existing?.locked && !flags.admin) return 'locked';
    if (ch.room !== undefined) this.leaveRoom(ch);
    let r = existing;
    if (!r) {
      r = {
        name: room, bridgeId: this.bridgeIdGenerator(), createdAt: this.now(), locked: false,
        recordingFile: undefined, participants: new Map(), lingering: [],
      };
      this.rooms.set(room, r);
      this.emit({ kind: 'room-start', room: roomView(r) });
    }
    const p: Participant = {
      uniqueid, admin: flags.admin, marked: flags.marked, muted: flags.muted, mutedBy: flags.muted ? 'self' : undefined, talking: false,
      talkRequest: false, usernum: nextUsernum(r), joinedAt: this.now(),
    };
    r.participants.set(uniqueid, p);
    ch.room = room;
    ch.state = 6;
    ch.application = 'ConfBridge';
    ch.priority = Math.max(ch.priority, 3);
    this.emit({ kind: 'join', room: roomView(r), channel: channelView(ch), participant: participantView(p) });
    return 'joined';
  }

  /** Takes the channel out of its room; the room ends when its last participant goes. */
  leaveRoom(ch: ChannelState, lingerUntil?: number): boolean {
    const r = ch.room === undefined ? undefined : this.rooms.get(ch.room);
    const p = r?.participants.get(ch.uniqueid);
    ch.room = undefined;
    if (!r || !p) return false;
    const durationSec = Math.max(0, Math.floor((this.now() - p.joinedAt) / 1000));
    this.emit({ kind: 'leave', room: roomView(r), channel: channelView(ch), participant: participantView(p), durationSec });
    r.participants.delete(ch.uniqueid);
    if (lingerUntil !== undefined) r.lingering.push({ participant: p, channel: ch, until: lingerUntil });
    if (r.participants.size === 0) {
      this.rooms.delete(r.name);
      this.emit({ kind: 'room-end', room: { ...roomView(r), bridgeChannels: 1 } });
    }
    return true;
  }

  /**
   * Hangs up the channel and the other half of a Local pair. A caller hanging up leaves the room
   * first; a channel hung up from AMI reports Hangup before it leaves, as Asterisk 22 does.
   */
  hangup(uniqueid: string, cause: number, order: 'leave-first' | 'hangup-first' = 'leave-first'): boolean {
    const ch = this.channels.get(uniqueid);
    if (!ch) return false;
    this.hangupOne(ch, cause, order);
    const peer = ch.peer === undefined ? undefined : this.channels.get(ch.peer);
    if (peer) this.hangupOne(peer, cause, 'leave-first');
    return true;
  }

  private hangupOne(ch: ChannelState, cause: number, order: 'leave-first' | 'hangup-first'): void {
    this.channels.delete(ch.uniqueid);
    if (order === 'hangup-first') this.emit({ kind: 'hangup', channel: channelView(ch), cause });
    this.leaveRoom(ch);
    this.dropLingering(ch.uniqueid);
    if (order === 'leave-first') this.emit({ kind: 'hangup', channel: channelView(ch), cause });
  }

  private dropLingering(uniqueid: string): void {
    for (const r of this.rooms.values()) r.lingering = r.lingering.filter((l) => l.channel.uniqueid !== uniqueid);
  }

  participant(uniqueid: string): { room: RoomState; participant: Participant; channel: ChannelState } | undefined {
    const ch = this.channels.get(uniqueid);
    const room = ch?.room === undefined ? undefined : this.rooms.get(ch.room);
    const participant = room?.participants.get(uniqueid);
    return ch && room && participant ? { room, participant, channel: ch } : undefined;
  }

  /**
   * Emits a mute event even when the state does not change: ConfBridge does (`Unmute all`). `by`:
   * the caller's own keypad (`self`) or an admin action; unmuting clears both, as MeetmeUnmute does.
   */
  setMuted(uniqueid: string, on: boolean, by: 'admin' | 'self' = 'admin'): boolean {
    const found = this.participant(uniqueid);
    if (!found) return false;
    found.participant.muted = on;
    found.participant.mutedBy = on ? by : undefined;
    this.emit({ kind: 'mute', on, ...this.roomChannel(found) });
    return true;
  }

  setTalking(uniqueid: string, on: boolean): boolean {
    const found = this.participant(uniqueid);
    if (!found) return false;
    if (found.participant.talking === on) return true;
    found.participant.talking = on;
    this.emit({ kind: 'talking', on, ...this.roomChannel(found) });
    return true;
  }

  setTalkRequest(uniqueid: string, on: boolean): boolean {
    const found = this.participant(uniqueid);
    if (!found) return false;
    found.participant.talkRequest = on;
    this.emit({ kind: 'talk-request', on, ...this.roomChannel(found) });
    return true;
  }

  setLocked(room: string, on: boolean): boolean {
    const r = this.rooms.get(room);
    if (!r) return false;
    r.locked = on;
    return true;
  }

  /** Starts recording; `X.wav` is written as `X-<epoch>.wav`, as Asterisk 22 does. */
  startRecord(room: string, requestedFile: string | undefined): 'started' | 'already' | 'no-room' {
    const r = this.rooms.get(room);
    if (!r) return 'no-room';
    if (r.recordingFile !== undefined) return 'already';
    const base = requestedFile ?? `/var/spool/asterisk/confbridge/confbridge-${room}.wav`;
    const epoch = Math.floor(this.now() / 1000);
    const dot = base.lastIndexOf('.');
    r.recordingFile = dot > base.lastIndexOf('/') ? `${base.slice(0, dot)}-${epoch}${base.slice(dot)}` : `${base}-${epoch}`;
    this.emit({ kind: 'record', room: roomView(r), file: r.recordingFile });
    return 'started';
  }

  stopRecord(room: string): 'stopped' | 'not-recording' | 'no-room' {
    const r = this.rooms.get(room);
    if (!r) return 'no-room';
    if (r.recordingFile === undefined) return 'not-recording';
    this.emit({ kind: 'stop-record', room: roomView(r) });
    r.recordingFile = undefined;
    return 'stopped';
  }

  rename(uniqueid: string, newName: string): boolean {
    const ch = this.channels.get(uniqueid);
    if (!ch) return false;
    const before = channelView(ch);
    ch.name = newName;
    this.emit({ kind: 'rename', channel: before, newName });
    return true;
  }

  /** Sends a channel to an extension outside any room (music on hold or another application). */
  park(uniqueid: string, context: string, exten: string, musicOnHold: boolean): boolean {
    const ch = this.channels.get(uniqueid);
    if (!ch) return false;
    ch.context = context;
    ch.exten = exten;
    ch.priority = 1;
    if (ch.room !== undefined) this.leaveRoom(ch);
    ch.state = 6;
    ch.application = musicOnHold ? 'MusicOnHold' : 'Wait';
    ch.applicationData = musicOnHold ? 'default' : '3600';
    if (musicOnHold) this.emit({ kind: 'moh', channel: channelView(ch), on: true });
    return true;
  }

  /** Participants as `ConfbridgeList` shows them: including kicked callers whose prompt still plays. */
  listed(room: RoomState): { participant: Participant; channel: ChannelState }[] {
    const now = this.now();
    const out: { participant: Participant; channel: ChannelState }[] = [];
    for (const p of room.participants.values()) {
      const channel = this.channels.get(p.uniqueid);
      if (channel) out.push({ participant: p, channel });
    }
    for (const l of room.lingering) if (l.until > now) out.push({ participant: l.participant, channel: l.channel });
    return out;
  }

  /** Forgets every call (a restart without keeping calls). */
  clear(): void {
    this.channels.clear();
    this.rooms.clear();
  }

  private roomChannel(found: { room: RoomState; participant: Participant; channel: ChannelState }): RoomChannelEvent {
    return { room: roomView(found.room), channel: channelView(found.channel), participant: participantView(found.participant) };
  }
}

/** MeetMe numbers a newcomer one above the highest number present, so numbers come back after leaves. */
function nextUsernum(room: RoomState): number {
  let max = 0;
  for (const p of room.participants.values()) max = Math.max(max, p.usernum);
  return max + 1;
}

export function channelView(ch: ChannelState): ChannelView {
  return {
    name: ch.name, uniqueid: ch.uniqueid, linkedid: ch.linkedid, state: ch.state, callerNum: ch.callerNum,
    callerName: ch.callerName, context: ch.context, exten: ch.exten, priority: ch.priority,
  };
}

export function roomView(r: RoomState): RoomView {
  return { name: r.name, bridgeId: r.bridgeId, bridgeChannels: r.participants.size + 1 + (r.recordingFile === undefined ? 0 : 1) };
}

function participantView(p: Participant): ParticipantView {
  return { admin: p.admin, marked: p.marked, muted: p.muted, usernum: p.usernum };
}
