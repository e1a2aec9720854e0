import type { AmiEvent, ChannelSnapshot } from '../ami/events.ts';
import { channelMatchesTarget, channelTech, cleanCallerId } from './channel.ts';
import { OrderedMap } from './ordered-map.ts';
import { PersistentMap } from './persistent-map.ts';
import type { Dialect, Injection, LinkProblem, Participant, PbxState, Room, RoomChange } from './types.ts';

/**
 * Room state as a pure reducer over AMI events: `(state, event, now) → { state, changes }`.
 * State is immutable; an event that changes nothing returns the very same state object, and every
 * change comes with typed records (`joined`, `left`, `muted`, ...) for status messages and alerts.
 *
 * Choices:
 * - A room appears on its first Start or Join (MeetMe has no start event; the bot may connect
 *   mid-conference) and is dropped on End; the `room_ended` record carries its final version.
 * - A Hangup of a participant's channel removes it at once, with the hangup cause; the Leave that
 *   follows is then a no-op. Every Hangup also yields a `hangup` record for alert rules.
 * - Channels the bot originated into a room (muzak, stream) are flagged on the room, not listed:
 *   a pending injection (uniqueid not known yet) claims the first joining channel that is an
 *   instance of its originate target, since Join arrives before OriginateResponse.
 * - Newchannel changes nothing: a channel is no one's business until it joins a room.
 *   MeetmeTalkRequest and the system events change nothing either.
 */

export type InjectionKind = 'muzak' | 'stream';

const NO_CHANGES: readonly RoomChange[] = Object.freeze([]);

export interface Reduction {
  readonly state: PbxState;
  readonly changes: readonly RoomChange[];
}

export function emptyPbxState(pbx: string, dialect: Dialect | undefined, now: number): PbxState {
  return { pbx, dialect, rooms: PersistentMap.empty<Room>(), available: false, since: now, roomsKnown: false };
}

export function newRoom(pbx: string, name: string, dialect: Dialect, now: number): Room {
  return {
    pbx, name, dialect,
    participants: OrderedMap.empty<Participant>(),
    locked: false, recording: false,
    muzak: undefined, stream: undefined,
    startedAt: now, peakSize: 0, endedAt: undefined,
  };
}

function roomsOf(state: PbxState): PersistentMap<Room> {
  return state.rooms instanceof PersistentMap ? (state.rooms as PersistentMap<Room>) : PersistentMap.from(state.rooms);
}

export function putRoom(state: PbxState, room: Room): PbxState {
  return { ...state, rooms: roomsOf(state).with(room.name, room) };
}

export function dropRoom(state: PbxState, name: string): PbxState {
  return { ...state, rooms: roomsOf(state).without(name) };
}

function withParticipant(room: Room, p: Participant): Room {
  const participants = OrderedMap.from(room.participants).with(p.uniqueid, p);
  return { ...room, participants, peakSize: Math.max(room.peakSize, participants.size) };
}

function withoutParticipant(room: Room, uniqueid: string): Room {
  return { ...room, participants: OrderedMap.from(room.participants).without(uniqueid) };
}

function replaceParticipant(room: Room, p: Participant): Room {
  return { ...room, participants: OrderedMap.from(room.participants).with(p.uniqueid, p) };
}

export type NewParticipantFields = Pick<Participant, 'usernum' | 'admin' | 'marked' | 'muted' | 'mutedBy' | 'talking' | 'joinedAt'>;

export function makeParticipant(pbx: string, room: string, snap: Pick<ChannelSnapshot, 'channel' | 'uniqueid' | 'callerIdNum' | 'callerIdName'>, f: NewParticipantFields): Participant {
  return {
    pbx, room,
    uniqueid: snap.uniqueid,
    usernum: f.usernum,
    channel: snap.channel,
    tech: channelTech(snap.channel),
    callerNum: cleanCallerId(snap.callerIdNum),
    callerName: cleanCallerId(snap.callerIdName),
    admin: f.admin, marked: f.marked,
    muted: f.muted, mutedBy: f.muted ? f.mutedBy : undefined,
    talking: f.talking,
    joinedAt: f.joinedAt,
    topic: undefined,
  };
}

/** Which injection of `room`, if any, the channel is (bound by uniqueid, or pending by target). */
export function injectionOf(room: Room, channel: string, uniqueid: string): InjectionKind | undefined {
  for (const kind of ['muzak', 'stream'] as const) {
    const inj = room[kind];
    if (inj === undefined) continue;
    if (inj.uniqueid === uniqueid) return kind;
    if (inj.uniqueid === undefined && channelMatchesTarget(channel, inj.channel)) return kind;
  }
  return undefined;
}

function findByUniqueid(state: PbxState, uniqueid: string): { room: Room; participant: Participant } | undefined {
  for (const room of state.rooms.values()) {
    const participant = room.participants.get(uniqueid);
    if (participant) return { room, participant };
  }
  return undefined;
}

function findInjection(state: PbxState, uniqueid: string): { room: Room; kind: InjectionKind } | undefined {
  for (const room of state.rooms.values()) {
    if (room.muzak?.uniqueid === uniqueid) return { room, kind: 'muzak' };
    if (room.stream?.uniqueid === uniqueid) return { room, kind: 'stream' };
  }
  return undefined;
}

interface JoinInfo extends Omit<NewParticipantFields, 'joinedAt' | 'mutedBy' | 'talking' | 'marked'> {
  readonly dialect: Dialect;
  readonly room: string;
  readonly snap: ChannelSnapshot;
}

function join(state: PbxState, j: JoinInfo, now: number): Reduction {
  const changes: RoomChange[] = [];
  let room = state.rooms.get(j.room);
  if (room === undefined) {
    room = newRoom(state.pbx, j.room, j.dialect, now);
    changes.push({ type: 'room_started', pbx: state.pbx, room: j.room });
  }
  const kind = injectionOf(room, j.snap.channel, j.snap.uniqueid);
  if (kind !== undefined) {
    const inj = room[kind] as Injection;
    if (inj.uniqueid === j.snap.uniqueid && changes.length === 0) return { state, changes: NO_CHANGES };
    room = { ...room, [kind]: { channel: j.snap.channel, uniqueid: j.snap.uniqueid, since: now } };
    changes.push({ type: kind, pbx: state.pbx, room: j.room, on: true });
    return { state: putRoom(state, room), changes };
  }
  if (room.participants.has(j.snap.uniqueid) && changes.length === 0) return { state, changes: NO_CHANGES };
  const participant = makeParticipant(state.pbx, j.room, j.snap, {
    usernum: j.usernum, admin: j.admin, marked: false, muted: j.muted, mutedBy: undefined, talking: false, joinedAt: now,
  });
  room = withParticipant(room, participant);
  changes.push({ type: 'joined', pbx: state.pbx, room: j.room, participant });
  return { state: putRoom(state, room), changes };
}

function leave(state: PbxState, roomName: string, uniqueid: string, cause?: { cause: number; causeText: string; techCause: number | undefined }): Reduction {
  const room = state.rooms.get(roomName);
  if (room === undefined) return { state, changes: NO_CHANGES };
  for (const kind of ['muzak', 'stream'] as const) {
    if (room[kind]?.uniqueid === uniqueid) {
      return { state: putRoom(state, { ...room, [kind]: undefined }), changes: [{ type: kind, pbx: state.pbx, room: roomName, on: false }] };
    }
  }
  const participant = room.participants.get(uniqueid);
  if (participant === undefined) return { state, changes: NO_CHANGES };
  const change: RoomChange = cause
    ? { type: 'left', pbx: state.pbx, room: roomName, participant, cause: cause.cause, causeText: cause.causeText, ...(cause.techCause === undefined ? {} : { techCause: cause.techCause }) }
    : { type: 'left', pbx: state.pbx, room: roomName, participant };
  return { state: putRoom(state, withoutParticipant(room, uniqueid)), changes: [change] };
}

function endRoom(state: PbxState, roomName: string, now: number): Reduction {
  const room = state.rooms.get(roomName);
  if (room === undefined) return { state, changes: NO_CHANGES };
  const final: Room = { ...room, endedAt: now };
  return { state: dropRoom(state, roomName), changes: [{ type: 'room_ended', pbx: state.pbx, room: roomName, final }] };
}

function startRoom(state: PbxState, roomName: string, dialect: Dialect, now: number): Reduction {
  if (state.rooms.has(roomName)) return { state, changes: NO_CHANGES };
  return { state: putRoom(state, newRoom(state.pbx, roomName, dialect, now)), changes: [{ type: 'room_started', pbx: state.pbx, room: roomName }] };
}

type Flag = 'muted' | 'talking';

function setFlag(state: PbxState, roomName: string, uniqueid: string, flag: Flag, on: boolean): Reduction {
  const room = state.rooms.get(roomName);
  const p = room?.participants.get(uniqueid);
  if (room === undefined || p === undefined || p[flag] === on) return { state, changes: NO_CHANGES };
  const participant: Participant = flag === 'muted'
    ? { ...p, muted: on, mutedBy: on ? p.mutedBy : undefined }
    : { ...p, talking: on };
  return {
    state: putRoom(state, replaceParticipant(room, participant)),
    changes: [{ type: flag, pbx: state.pbx, room: roomName, participant, on }],
  };
}

function setRoomFlag(state: PbxState, roomName: string, flag: 'locked' | 'recording', on: boolean): Reduction {
  const room = state.rooms.get(roomName);
  if (room === undefined || room[flag] === on) return { state, changes: NO_CHANGES };
  return { state: putRoom(state, { ...room, [flag]: on }), changes: [{ type: flag, pbx: state.pbx, room: roomName, on }] };
}

function hangup(state: PbxState, ev: Extract<AmiEvent, { event: 'Hangup'; typed: true }>): Reduction {
  const record: RoomChange = {
    type: 'hangup', pbx: state.pbx, channel: ev.channel, uniqueid: ev.uniqueid, cause: ev.cause, causeText: ev.causeText,
    ...(ev.techCause === undefined ? {} : { techCause: ev.techCause }),
    callerNum: cleanCallerId(ev.callerIdNum), callerName: cleanCallerId(ev.callerIdName),
  };
  const found = findByUniqueid(state, ev.uniqueid);
  const inj = found ? undefined : findInjection(state, ev.uniqueid);
  const roomName = found?.room.name ?? inj?.room.name;
  if (roomName === undefined) return { state, changes: [record] };
  const left = leave(state, roomName, ev.uniqueid, { cause: ev.cause, causeText: ev.causeText, techCause: ev.techCause });
  return { state: left.state, changes: [...left.changes, record] };
}

function rename(state: PbxState, uniqueid: string, newname: string): Reduction {
  const found = findByUniqueid(state, uniqueid);
  if (found) {
    const { room, participant: old } = found;
    const participant: Participant = { ...old, channel: newname, tech: channelTech(newname) };
    return {
      state: putRoom(state, replaceParticipant(room, participant)),
      changes: [{ type: 'renamed', pbx: state.pbx, room: room.name, participant, oldChannel: old.channel }],
    };
  }
  const inj = findInjection(state, uniqueid);
  if (inj) {
    const current = inj.room[inj.kind] as Injection;
    return { state: putRoom(state, { ...inj.room, [inj.kind]: { ...current, channel: newname } }), changes: NO_CHANGES };
  }
  return { state, changes: NO_CHANGES };
}

export function reduceConference(state: PbxState, event: AmiEvent, now: number): Reduction {
  if (!event.typed) return { state, changes: NO_CHANGES };
  switch (event.event) {
    case 'ConfbridgeStart':
      return startRoom(state, event.conference, 'confbridge', now);
    case 'ConfbridgeEnd':
      return endRoom(state, event.conference, now);
    case 'ConfbridgeJoin':
      return join(state, { dialect: 'confbridge', room: event.conference, snap: event, usernum: undefined, admin: event.admin, muted: event.muted }, now);
    case 'ConfbridgeLeave':
      return leave(state, event.conference, event.uniqueid);
    case 'ConfbridgeMute':
      return setFlag(state, event.conference, event.uniqueid, 'muted', true);
    case 'ConfbridgeUnmute':
      return setFlag(state, event.conference, event.uniqueid, 'muted', false);
    case 'ConfbridgeTalking':
      return setFlag(state, event.conference, event.uniqueid, 'talking', event.talking);
    case 'ConfbridgeRecord':
      return setRoomFlag(state, event.conference, 'recording', true);
    case 'ConfbridgeStopRecord':
      return setRoomFlag(state, event.conference, 'recording', false);
    case 'ConfbridgeLock':
      return setRoomFlag(state, event.conference, 'locked', true);
    case 'ConfbridgeUnlock':
      return setRoomFlag(state, event.conference, 'locked', false);
    case 'MeetmeJoin':
      return join(state, { dialect: 'meetme', room: event.meetme, snap: event, usernum: event.usernum, admin: false, muted: false }, now);
    case 'MeetmeLeave':
      return leave(state, event.meetme, event.uniqueid);
    case 'MeetmeEnd':
      return endRoom(state, event.meetme, now);
    case 'MeetmeMute':
      return setFlag(state, event.meetme, event.uniqueid, 'muted', event.muted);
    case 'MeetmeTalking':
      return setFlag(state, event.meetme, event.uniqueid, 'talking', event.talking);
    case 'Hangup':
      return hangup(state, event);
    case 'Rename':
      return rename(state, event.uniqueid, event.newname);
    case 'MeetmeTalkRequest':
    case 'Newchannel':
    case 'OriginateResponse':
    case 'FullyBooted':
    case 'Shutdown':
    case 'Reload':
      return { state, changes: NO_CHANGES };
  }
}

/** Folds events in order, collecting every change. */
export function reduceAll(state: PbxState, events: Iterable<AmiEvent>, now: number): Reduction {
  const changes: RoomChange[] = [];
  let s = state;
  for (const ev of events) {
    const r = reduceConference(s, ev, now);
    s = r.state;
    if (r.changes.length > 0) changes.push(...r.changes);
  }
  return { state: s, changes };
}

/* State updates made by the bot itself rather than by AMI events. */

export function setAvailability(state: PbxState, available: boolean, now: number): Reduction {
  if (state.available === available) return { state, changes: NO_CHANGES };
  return {
    state: { ...state, available, since: now },
    changes: [{ type: available ? 'pbx_up' : 'pbx_down', pbx: state.pbx, since: now }],
  };
}

/** The dialect in use, detected or configured: PBX-level news, like a link problem. */
export function setDialect(state: PbxState, dialect: Dialect): Reduction {
  if (state.dialect === dialect) return { state, changes: NO_CHANGES };
  return { state: { ...state, dialect }, changes: [{ type: 'pbx_info', pbx: state.pbx }] };
}

/** Whether the room list is known (a full listing succeeded since the link came up). */
export function setRoomsKnown(state: PbxState, known: boolean): Reduction {
  if ((state.roomsKnown ?? true) === known) return { state, changes: NO_CHANGES };
  return { state: { ...state, roomsKnown: known }, changes: [{ type: 'pbx_info', pbx: state.pbx }] };
}

/** Records (or clears, with undefined) what keeps the link or the listing from working. */
export function setLinkProblem(state: PbxState, problem: LinkProblem | undefined): Reduction {
  if (JSON.stringify(state.problem) === JSON.stringify(problem)) return { state, changes: NO_CHANGES };
  const { problem: _old, ...rest } = state;
  return { state: problem === undefined ? rest : { ...rest, problem }, changes: [{ type: 'pbx_info', pbx: state.pbx }] };
}

/**
 * Marks (or clears, with undefined) a channel the bot originates into the room. The record goes out
 * at once: the status shows the music or stream from the moment it starts, whichever of the join and
 * the OriginateResponse comes first.
 */
export function setInjection(state: PbxState, roomName: string, kind: InjectionKind, injection: Injection | undefined): Reduction {
  const room = state.rooms.get(roomName);
  if (room === undefined || room[kind] === injection) return { state, changes: NO_CHANGES };
  return { state: putRoom(state, { ...room, [kind]: injection }), changes: [{ type: kind, pbx: state.pbx, room: roomName, on: injection !== undefined }] };
}

/** Reflects a topic the bot set on a participant's channel. */
export function setParticipantTopic(state: PbxState, roomName: string, uniqueid: string, topic: string | undefined): Reduction {
  const room = state.rooms.get(roomName);
  const p = room?.participants.get(uniqueid);
  if (room === undefined || p === undefined || p.topic === topic) return { state, changes: NO_CHANGES };
  const participant: Participant = { ...p, topic };
  return { state: putRoom(state, replaceParticipant(room, participant)), changes: [{ type: 'topic', pbx: state.pbx, room: roomName, participant }] };
}

/** Records who muted a participant when the bot knows (it did it, or a list action said so). */
export function setMutedBy(state: PbxState, roomName: string, uniqueid: string, by: 'self' | 'admin'): Reduction {
  const room = state.rooms.get(roomName);
  const p = room?.participants.get(uniqueid);
  if (room === undefined || p === undefined || !p.muted || p.mutedBy === by) return { state, changes: NO_CHANGES };
  const participant: Participant = { ...p, mutedBy: by };
  return { state: putRoom(state, replaceParticipant(room, participant)), changes: [{ type: 'updated', pbx: state.pbx, room: roomName, participant }] };
}

/** Reflects a lock state read from the PBX: Asterisk 22 and MeetMe send no lock event. */
export function setRoomLocked(state: PbxState, roomName: string, on: boolean): Reduction {
  return setRoomFlag(state, roomName, 'locked', on);
}

/**
 * Turns a participant into the room's muzak/stream channel: a join the bot recognised by its
 * originate target only after the reducer listed it.
 */
export function claimInjection(state: PbxState, roomName: string, uniqueid: string, kind: InjectionKind, now: number): Reduction {
  const room = state.rooms.get(roomName);
  const p = room?.participants.get(uniqueid);
  if (room === undefined || p === undefined) return { state, changes: NO_CHANGES };
  return {
    state: putRoom(state, { ...withoutParticipant(room, uniqueid), [kind]: { channel: p.channel, uniqueid, since: now } }),
    changes: [{ type: kind, pbx: state.pbx, room: roomName, on: true }],
  };
}
