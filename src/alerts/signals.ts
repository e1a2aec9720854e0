import type { Participant, Room, RoomChange } from '../conference/types.ts';
import type { SignalKind } from './rules.ts';

/**
 * Turns the conference reducer's change records into alert signals. Pure: state in, state and
 * signals out, time passed in.
 *
 * `ConfbridgeLeave` carries no hangup cause; the `Hangup` of the same Uniqueid does, and on a real
 * Asterisk it usually comes just after the leave. A leave without a cause waits here up to
 * HANGUP_WAIT_MS for that Hangup; a leave that never gets one (a transfer out of the room) is a
 * leave, not a hangup.
 */

export const HANGUP_WAIT_MS = 3_000;
/** How long a leave while talking still counts when the room then ends. */
export const TALKING_CUT_WINDOW_MS = 5_000;

export interface AlertSignal {
  readonly kind: SignalKind;
  readonly pbx: string;
  readonly room: string;
  /** The participant's channel Uniqueid; undefined for room-level signals. */
  readonly uniqueid: string | undefined;
  readonly channel: string | undefined;
  readonly tech: string | undefined;
  readonly callerNum: string | undefined;
  readonly callerName: string | undefined;
  readonly cause: number | undefined;
  readonly causeText: string | undefined;
  readonly techCause: number | undefined;
  /** Time in the room (participants) or the room's running time (room signals). */
  readonly durationSec: number | undefined;
  readonly at: number;
  /** For injection_died: which injected channel died. */
  readonly injection: 'muzak' | 'stream' | undefined;
  /** For ended_while_talking: who was still talking. */
  readonly talkers: readonly string[];
  /** For room_emptied and ended_while_talking: the Uniqueid that ended it, so every replica keys the signal alike. */
  readonly causedBy?: string;
  /** For poor_line: how bad the line has been, and since when. */
  readonly quality?: PoorLineFigures;
}

export interface PoorLineFigures {
  /** The worst MOS (worse direction) seen while the line was bad. */
  readonly mos: number | undefined;
  /** The worst packet loss in the last 10 s, percent. */
  readonly lossPct: number | undefined;
  /** How long the line has been (or was) bad, seconds. */
  readonly poorSec: number;
  /** Epoch ms the line turned bad: one episode, one alert identity. */
  readonly since: number;
}

interface PendingLeave {
  readonly participant: Participant;
  readonly emptied: boolean;
  readonly roomStartedAt: number;
  readonly at: number;
}

export interface SignalState {
  /** Leaves without a cause yet, by `pbx|uniqueid`. */
  readonly pending: ReadonlyMap<string, PendingLeave>;
  /** Muzak/stream stops the bot asked for, by `pbx|room|kind`, until an expiry. */
  readonly expectedStops: ReadonlyMap<string, number>;
  /** Recent leaves of talking participants, by `pbx|room`. */
  readonly talkingLeaves: ReadonlyMap<string, readonly { readonly name: string; readonly uniqueid: string; readonly at: number }[]>;
}

export const EMPTY_SIGNAL_STATE: SignalState = { pending: new Map(), expectedStops: new Map(), talkingLeaves: new Map() };

export interface SignalStep {
  readonly state: SignalState;
  readonly signals: readonly AlertSignal[];
}

/** The bot itself is about to stop an injection: its end is no alert. */
export function expectStop(state: SignalState, pbx: string, room: string, kind: 'muzak' | 'stream', now: number): SignalState {
  const expectedStops = new Map(state.expectedStops);
  expectedStops.set(`${pbx}|${room}|${kind}`, now + 30_000);
  return { ...state, expectedStops };
}

export function displayName(p: Pick<Participant, 'callerName' | 'callerNum' | 'channel'>): string {
  if (p.callerName !== undefined && p.callerNum !== undefined) return `${p.callerName} (${p.callerNum})`;
  return p.callerName ?? p.callerNum ?? p.channel;
}

/** `before` is the room as it was before the change (undefined when the bot did not know it). */
export function onChange(state: SignalState, change: RoomChange, before: Room | undefined, now: number): SignalStep {
  switch (change.type) {
    case 'left': return onLeft(state, change, before, now);
    case 'hangup': return onHangup(state, change, now);
    case 'room_ended': return onRoomEnded(state, change.final, now);
    case 'muzak':
    case 'stream': return change.on ? { state, signals: [] } : onInjectionOff(state, change.pbx, change.room, change.type, before, now);
    default: return { state, signals: [] };
  }
}

/** Leaves whose Hangup never came are settled as plain leaves; old bookkeeping is dropped. */
export function onTick(state: SignalState, now: number): SignalStep {
  const signals: AlertSignal[] = [];
  const pending = new Map(state.pending);
  for (const [key, leave] of state.pending) {
    if (now - leave.at < HANGUP_WAIT_MS) continue;
    pending.delete(key);
    signals.push(...leaveSignals(leave, undefined, now));
  }
  const expectedStops = new Map([...state.expectedStops].filter(([, until]) => until > now));
  const talkingLeaves = new Map(
    [...state.talkingLeaves]
      .map(([key, list]) => [key, list.filter((l) => now - l.at < TALKING_CUT_WINDOW_MS)] as const)
      .filter(([, list]) => list.length > 0),
  );
  return { state: { pending, expectedStops, talkingLeaves }, signals };
}

type LeftChange = Extract<RoomChange, { type: 'left' }>;
type HangupChange = Extract<RoomChange, { type: 'hangup' }>;
interface CauseInfo { readonly cause: number; readonly causeText: string; readonly techCause: number | undefined }

function onLeft(state: SignalState, change: LeftChange, before: Room | undefined, now: number): SignalStep {
  const remaining = before === undefined ? 0 : [...before.participants.keys()].filter((u) => u !== change.participant.uniqueid).length;
  const leave: PendingLeave = {
    participant: change.participant,
    emptied: before !== undefined && remaining === 0,
    roomStartedAt: before?.startedAt ?? change.participant.joinedAt,
    at: now,
  };
  const withTalking = change.participant.talking ? rememberTalking(state, change.pbx, change.room, change.participant, now) : state;
  if (change.cause !== undefined) {
    const cause = { cause: change.cause, causeText: change.causeText ?? '', techCause: change.techCause };
    return { state: withTalking, signals: leaveSignals(leave, cause, now) };
  }
  const pending = new Map(withTalking.pending);
  pending.set(`${change.pbx}|${change.participant.uniqueid}`, leave);
  return { state: { ...withTalking, pending }, signals: [] };
}

function onHangup(state: SignalState, change: HangupChange, now: number): SignalStep {
  const key = `${change.pbx}|${change.uniqueid}`;
  const leave = state.pending.get(key);
  if (leave === undefined) return { state, signals: [] };
  const pending = new Map(state.pending);
  pending.delete(key);
  const cause = { cause: change.cause, causeText: change.causeText, techCause: change.techCause };
  return { state: { ...state, pending }, signals: leaveSignals(leave, cause, now) };
}

function leaveSignals(leave: PendingLeave, cause: CauseInfo | undefined, now: number): AlertSignal[] {
  const p = leave.participant;
  const base = {
    pbx: p.pbx, room: p.room, uniqueid: p.uniqueid, channel: p.channel, tech: p.tech,
    callerNum: p.callerNum, callerName: p.callerName,
    cause: cause?.cause, causeText: cause?.causeText, techCause: cause?.techCause,
    durationSec: Math.max(0, Math.floor((leave.at - p.joinedAt) / 1000)), at: leave.at,
    injection: undefined, talkers: [],
  } as const;
  const signals: AlertSignal[] = [{ ...base, kind: 'vip_left' }];
  if (cause !== undefined) signals.push({ ...base, kind: 'hangup' });
  if (leave.emptied) {
    signals.push({
      ...base, kind: 'room_emptied', uniqueid: undefined, channel: undefined, tech: undefined, causedBy: p.uniqueid,
      durationSec: Math.max(0, Math.floor((now - leave.roomStartedAt) / 1000)),
    });
  }
  return signals;
}

function rememberTalking(state: SignalState, pbx: string, room: string, p: Participant, now: number): SignalState {
  const key = `${pbx}|${room}`;
  const talkingLeaves = new Map(state.talkingLeaves);
  const entry = { name: displayName(p), uniqueid: p.uniqueid, at: now };
  talkingLeaves.set(key, [...(state.talkingLeaves.get(key) ?? []).filter((l) => now - l.at < TALKING_CUT_WINDOW_MS), entry]);
  return { ...state, talkingLeaves };
}

function onRoomEnded(state: SignalState, final: Room, now: number): SignalStep {
  const key = `${final.pbx}|${final.name}`;
  const cut = (state.talkingLeaves.get(key) ?? []).filter((l) => now - l.at < TALKING_CUT_WINDOW_MS);
  const still = [...final.participants.values()].filter((p) => p.talking);
  const talkers = [...cut.map((l) => l.name), ...still.map(displayName)];
  const talkingLeaves = new Map(state.talkingLeaves);
  talkingLeaves.delete(key);
  const next = { ...state, talkingLeaves };
  if (talkers.length === 0) return { state: next, signals: [] };
  // Keyed by a talker's channel, not the clock: every replica sees the same channels end the room.
  const causedBy = [...cut.map((l) => l.uniqueid), ...still.map((p) => p.uniqueid)].sort()[0];
  const signal = roomSignal('ended_while_talking', final, now, { talkers });
  return { state: next, signals: [causedBy === undefined ? signal : { ...signal, causedBy }] };
}

function onInjectionOff(state: SignalState, pbx: string, room: string, kind: 'muzak' | 'stream', before: Room | undefined, now: number): SignalStep {
  const key = `${pbx}|${room}|${kind}`;
  const until = state.expectedStops.get(key);
  if (until !== undefined) {
    const expectedStops = new Map(state.expectedStops);
    expectedStops.delete(key);
    if (until > now) return { state: { ...state, expectedStops }, signals: [] };
  }
  const injected = before?.[kind];
  const signal: AlertSignal = {
    kind: 'injection_died', pbx, room, uniqueid: injected?.uniqueid, channel: injected?.channel, tech: undefined,
    callerNum: undefined, callerName: undefined, cause: undefined, causeText: undefined, techCause: undefined,
    durationSec: injected === undefined ? undefined : Math.max(0, Math.floor((now - injected.since) / 1000)),
    at: now, injection: kind, talkers: [],
  };
  return { state, signals: [signal] };
}

function roomSignal(kind: SignalKind, room: Room, now: number, extra: { readonly talkers: readonly string[] }): AlertSignal {
  return {
    kind, pbx: room.pbx, room: room.name, uniqueid: undefined, channel: undefined, tech: undefined,
    callerNum: undefined, callerName: undefined, cause: undefined, causeText: undefined, techCause: undefined,
    durationSec: Math.max(0, Math.floor((now - room.startedAt) / 1000)), at: now, injection: undefined, talkers: extra.talkers,
  };
}
