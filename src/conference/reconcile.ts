import { channelTech, cleanCallerId } from './channel.ts';
import { dropRoom, injectionOf, makeParticipant, newRoom, putRoom, type InjectionKind, type Reduction } from './model.ts';
import { OrderedMap } from './ordered-map.ts';
import type { Dialect, Participant, PbxState, Room, RoomChange } from './types.ts';

/**
 * Reconciliation: what the list actions say now, diffed against the state held, as change records.
 * Runs after every (re)connect and on the periodic resync. Pure: the dialects fetch the snapshot.
 */

/** One participant as a list action reports it, whatever the dialect. */
export interface ListedParticipant
  extends Pick<Participant, 'uniqueid' | 'channel' | 'callerNum' | 'callerName' | 'usernum' | 'admin' | 'marked' | 'muted' | 'mutedBy' | 'talking'> {
  /** Seconds since the channel answered (ConfbridgeList's AnsweredTime), to backdate a new joiner. */
  readonly answeredSec: number | undefined;
}

export interface ListedRoom {
  readonly name: string;
  /** Undefined when the dialect cannot tell (the held value is kept). */
  readonly locked: boolean | undefined;
  readonly participants: readonly ListedParticipant[];
}

export interface ReconcileOptions {
  readonly dialect: Dialect;
  /**
   * Recognises the bot's own muzak/stream channels by their originate target, for when the bot has
   * restarted and no longer holds them as pending injections.
   */
  readonly injectionByTarget?: (room: string, channel: string) => InjectionKind | undefined;
  /**
   * Only these rooms were listed (a re-list of the rooms a join burst touched): a held room outside
   * them is left as it is, one inside them that is not listed has ended.
   */
  readonly only?: ReadonlySet<string>;
  /** What the bot kept from before a restart: when a room started, who muted whom. */
  readonly remembered?: RememberedRooms;
}

/** Facts no list action carries, kept across restarts (see RoomMemory). */
export interface RememberedRooms {
  /** When `room` started, if the bot knew it with one of `present` (the same session, not a new one of that name). */
  startedAt(room: string, present: readonly string[]): number | undefined;
  mutedBy(uniqueid: string): 'self' | 'admin' | undefined;
}

/**
 * A room first seen in a listing started no later than its earliest participant answered (as the
 * PBX reports it), nor than the bot remembers from before a restart.
 */
function startOf(lr: ListedRoom, now: number, opts: ReconcileOptions): number {
  let start = opts.remembered?.startedAt(lr.name, lr.participants.map((p) => p.uniqueid)) ?? now;
  for (const lp of lr.participants) if (lp.answeredSec !== undefined) start = Math.min(start, now - lp.answeredSec * 1000);
  return start;
}

export function reconcile(state: PbxState, listed: readonly ListedRoom[], now: number, opts: ReconcileOptions): Reduction {
  const changes: RoomChange[] = [];
  let next = state;
  const seen = new Set<string>();
  for (const lr of listed) {
    seen.add(lr.name);
    const held = state.rooms.get(lr.name);
    if (held === undefined) changes.push({ type: 'room_started', pbx: state.pbx, room: lr.name });
    const room = reconcileRoom(held ?? newRoom(state.pbx, lr.name, opts.dialect, startOf(lr, now, opts)), lr, now, opts, changes);
    if (room !== held) next = putRoom(next, room);
  }
  for (const held of state.rooms.values()) {
    if (seen.has(held.name) || (opts.only !== undefined && !opts.only.has(held.name))) continue;
    for (const participant of held.participants.values()) changes.push({ type: 'left', pbx: state.pbx, room: held.name, participant });
    const final: Room = { ...held, participants: OrderedMap.empty<Participant>(), muzak: undefined, stream: undefined, endedAt: now };
    changes.push({ type: 'room_ended', pbx: state.pbx, room: held.name, final });
    next = dropRoom(next, held.name);
  }
  return changes.length === 0 && next === state ? { state, changes: [] } : { state: next, changes };
}

function reconcileRoom(held: Room, lr: ListedRoom, now: number, opts: ReconcileOptions, changes: RoomChange[]): Room {
  const pbx = held.pbx;
  let room = held;
  if (lr.locked !== undefined && lr.locked !== held.locked) {
    room = { ...room, locked: lr.locked };
    changes.push({ type: 'locked', pbx, room: held.name, on: lr.locked });
  }

  const participants = new Map<string, Participant>();
  const present = new Set<string>();
  let changed = false;
  for (const lp of lr.participants) {
    present.add(lp.uniqueid);
    const kind = injectionOf(room, lp.channel, lp.uniqueid) ?? opts.injectionByTarget?.(held.name, lp.channel);
    if (kind !== undefined) {
      if (room[kind]?.uniqueid !== lp.uniqueid) {
        room = { ...room, [kind]: { channel: lp.channel, uniqueid: lp.uniqueid, since: now } };
        changes.push({ type: kind, pbx, room: held.name, on: true });
      }
      continue;
    }
    const old = held.participants.get(lp.uniqueid);
    if (old === undefined) {
      const joinedAt = lp.answeredSec !== undefined ? now - lp.answeredSec * 1000 : now;
      const mutedBy = lp.mutedBy ?? (lp.muted ? opts.remembered?.mutedBy(lp.uniqueid) : undefined);
      const participant = makeParticipant(pbx, held.name, { channel: lp.channel, uniqueid: lp.uniqueid, callerIdNum: lp.callerNum ?? '', callerIdName: lp.callerName ?? '' }, { ...lp, mutedBy, joinedAt });
      participants.set(lp.uniqueid, participant);
      changes.push({ type: 'joined', pbx, room: held.name, participant });
      changed = true;
      continue;
    }
    const updated = updatedParticipant(old, lp);
    participants.set(lp.uniqueid, updated);
    if (updated === old) continue;
    changed = true;
    if (updated.channel !== old.channel) changes.push({ type: 'renamed', pbx, room: held.name, participant: updated, oldChannel: old.channel });
    if (updated.muted !== old.muted) changes.push({ type: 'muted', pbx, room: held.name, participant: updated, on: updated.muted });
    if (updated.talking !== old.talking) changes.push({ type: 'talking', pbx, room: held.name, participant: updated, on: updated.talking });
    // Who muted goes with the `muted` record when muting changed too; otherwise it is news of its own.
    // Every other field updatedParticipant() compares must be here too, or a re-list that changes only
    // that field commits the new state with no change record and the status messages never show it.
    const learned = updated.admin !== old.admin || updated.marked !== old.marked || updated.usernum !== old.usernum ||
      updated.callerNum !== old.callerNum || updated.callerName !== old.callerName ||
      (updated.muted === old.muted && updated.mutedBy !== old.mutedBy);
    if (learned) changes.push({ type: 'updated', pbx, room: held.name, participant: updated });
  }
  for (const kind of ['muzak', 'stream'] as const) {
    const inj = room[kind];
    if (inj?.uniqueid !== undefined && !present.has(inj.uniqueid)) {
      room = { ...room, [kind]: undefined };
      changes.push({ type: kind, pbx, room: held.name, on: false });
    }
  }
  for (const old of held.participants.values()) {
    if (present.has(old.uniqueid)) continue;
    changes.push({ type: 'left', pbx, room: held.name, participant: old });
    changed = true;
  }
  if (!changed) return room;
  // Keep the held join order; newcomers go last in list order.
  const ordered = new Map<string, Participant>();
  for (const id of held.participants.keys()) {
    const p = participants.get(id);
    if (p) ordered.set(id, p);
  }
  for (const [id, p] of participants) if (!ordered.has(id)) ordered.set(id, p);
  return { ...room, participants: OrderedMap.from(ordered), peakSize: Math.max(room.peakSize, ordered.size) };
}

function updatedParticipant(old: Participant, lp: ListedParticipant): Participant {
  const callerNum = cleanCallerId(lp.callerNum) ?? old.callerNum;
  const callerName = cleanCallerId(lp.callerName) ?? old.callerName;
  const mutedBy = lp.muted ? (lp.mutedBy ?? old.mutedBy) : undefined;
  const usernum = lp.usernum ?? old.usernum;
  if (old.channel === lp.channel && old.muted === lp.muted && old.talking === lp.talking && old.admin === lp.admin &&
      old.marked === lp.marked && old.mutedBy === mutedBy && old.usernum === usernum && old.callerNum === callerNum &&
      old.callerName === callerName) return old;
  return { ...old, channel: lp.channel, tech: channelTech(lp.channel), muted: lp.muted, mutedBy, talking: lp.talking, admin: lp.admin, marked: lp.marked, usernum, callerNum, callerName };
}
