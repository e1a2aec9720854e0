import { z } from 'zod';
import type { Dialect, Participant, Room, RoomChange } from '../conference/types.ts';
import { formatDuration, participantLabel } from './views.ts';

/**
 * What a room's final summary needs and the live state forgets: when it started, its peak size,
 * everyone who was there, who did what, and how bad each measured line was and for how long. Pure functions; status.ts keeps one per watched room and
 * saves it in the key-value store so a summary survives a restart.
 */

export interface Attendee {
  /** Uniqueid: one entry per call, even when a person rejoins under the same name. */
  readonly key: string;
  readonly label: string;
}

export interface RoomHistory {
  readonly pbx: string;
  readonly room: string;
  readonly dialect: Dialect | undefined;
  /** Epoch ms; undefined while the room has not been seen running. */
  readonly startedAt: number | undefined;
  readonly endedAt: number | undefined;
  /** Last time anything was seen happening in the room (the end estimate when it ended unseen). */
  readonly lastSeenAt: number;
  readonly peakSize: number;
  readonly attendees: readonly Attendee[];
  readonly actions: readonly string[];
  /** Lines the sensor measured; absent when it measured none. */
  readonly lines?: readonly LineRecord[];
}

/** One call's line quality over the session, for the summary's "worst line". */
export interface LineRecord {
  /** Uniqueid, as for attendees. */
  readonly key: string;
  readonly label: string;
  /** The lowest MOS (worse direction) reported with a mark (marks change seldom: not every poll's). */
  readonly worstMos: number | undefined;
  /** Time spent poor in closed spells, ms. */
  readonly poorMs: number;
  /** Epoch ms the line's current poor spell began; undefined while it is not poor. */
  readonly poorSince: number | undefined;
}

/** Subscribes to line-quality marks as they change; returns the unsubscribe. */
export type LineMarkSource = (listener: (pbx: string, room: string, note: LineQualityNote) => void) => () => void;

/** One line-quality mark of a participant, from the sensor poller; undefined: no longer measured. */
export interface LineQualityNote {
  readonly uniqueid: string;
  readonly label: string;
  readonly mark: 'good' | 'fair' | 'poor' | undefined;
  readonly mos: number | undefined;
  /** Epoch ms the mark has held since. */
  readonly since: number;
}

/** Bounds that keep a stored history small; the oldest attendees and newest actions are kept. */
export const MAX_ATTENDEES = 300;
export const MAX_ACTIONS = 100;

/**
 * Adds each call not held yet and relabels the ones held: a re-list or a rename can learn a better
 * label (a MeetMe `<no name>` that turns out to be "Bob") after the join, and the summary should say
 * what is known last, not first.
 */
function withAttendees(h: RoomHistory, people: Iterable<Participant>): RoomHistory {
  const labels = new Map<string, string>();
  for (const p of people) labels.set(p.uniqueid, participantLabel(p));
  let relabelled = false;
  const kept = h.attendees.map((a) => {
    const label = labels.get(a.key);
    labels.delete(a.key);
    if (label === undefined || label === a.label) return a;
    relabelled = true;
    return { key: a.key, label };
  });
  if (!relabelled && labels.size === 0) return h;
  const added = [...labels].map(([key, label]) => ({ key, label }));
  return { ...h, attendees: [...kept, ...added].slice(0, MAX_ATTENDEES) };
}

/** A history for `name`, seeded from the room's current state when it is running. */
export function historyFromRoom(pbx: string, name: string, room: Room | undefined, now: number): RoomHistory {
  const empty: RoomHistory = {
    pbx, room: name, dialect: room?.dialect, startedAt: room?.startedAt, endedAt: room?.endedAt,
    lastSeenAt: now, peakSize: Math.max(room?.peakSize ?? 0, room?.participants.size ?? 0), attendees: [], actions: [],
  };
  return room === undefined ? empty : withAttendees(empty, room.participants.values());
}

/**
 * True while `h` may still describe the room's current session: it was not seen ending. Start
 * times are not compared, since a reconnect may re-list a running room with a new start time.
 */
export function isOpenSession(h: RoomHistory): boolean {
  return h.endedAt === undefined;
}

/** Folds one change for this room into its history. `room` is the room's state after the change. */
export function applyChange(h: RoomHistory, change: RoomChange, room: Room | undefined, now: number): RoomHistory {
  let next: RoomHistory = { ...h, lastSeenAt: now };
  if (change.type === 'left') next = closeLines(next, now, new Set([change.participant.uniqueid]));
  if (change.type === 'room_ended') {
    const final = change.final;
    next = withAttendees(closeLines(next, final.endedAt ?? now), final.participants.values());
    return {
      ...next,
      dialect: final.dialect,
      startedAt: next.startedAt ?? final.startedAt,
      endedAt: final.endedAt ?? now,
      peakSize: Math.max(next.peakSize, final.peakSize),
    };
  }
  if (change.type === 'room_started' && h.endedAt !== undefined) {
    return historyFromRoom(h.pbx, h.room, room, now);
  }
  if (room !== undefined) {
    next = {
      ...next,
      dialect: room.dialect,
      startedAt: next.startedAt ?? room.startedAt,
      peakSize: Math.max(next.peakSize, room.peakSize, room.participants.size),
    };
  }
  if (change.type === 'joined' || change.type === 'updated' || change.type === 'renamed') next = withAttendees(next, [change.participant]);
  return next;
}

/**
 * Folds one quality mark into the history: a poor mark opens a spell (from when the mark turned
 * poor), any other mark closes it. Returns `h` itself when nothing a summary shows changed, so a
 * steady line costs no store write.
 */
export function withLineQuality(h: RoomHistory, note: LineQualityNote, now: number): RoomHistory {
  const lines = h.lines ?? [];
  const held = lines.find((l) => l.key === note.uniqueid);
  const base: LineRecord = held ?? { key: note.uniqueid, label: note.label, worstMos: undefined, poorMs: 0, poorSince: undefined };
  const worstMos = note.mos === undefined ? base.worstMos : Math.min(base.worstMos ?? note.mos, note.mos);
  const poor = note.mark === 'poor';
  const next: LineRecord = {
    key: base.key, label: note.label, worstMos,
    poorMs: !poor && base.poorSince !== undefined ? base.poorMs + Math.max(0, now - base.poorSince) : base.poorMs,
    poorSince: poor ? (base.poorSince ?? Math.min(note.since, now)) : undefined,
  };
  if (held !== undefined && next.label === held.label && next.worstMos === held.worstMos && next.poorMs === held.poorMs && next.poorSince === held.poorSince) return h;
  const kept = held === undefined ? [...lines, next].slice(-MAX_ATTENDEES) : lines.map((l) => (l === held ? next : l));
  return { ...h, lastSeenAt: now, lines: kept };
}

/** Closes the poor spells of `keys` (every line when undefined) at `at`: the call left or the room ended. */
function closeLines(h: RoomHistory, at: number, keys?: ReadonlySet<string>): RoomHistory {
  if (h.lines === undefined || !h.lines.some((l) => l.poorSince !== undefined && (keys === undefined || keys.has(l.key)))) return h;
  return {
    ...h,
    lines: h.lines.map((l) => (l.poorSince === undefined || (keys !== undefined && !keys.has(l.key))
      ? l
      : { ...l, poorMs: l.poorMs + Math.max(0, at - l.poorSince), poorSince: undefined })),
  };
}

function poorMsOf(l: LineRecord, now: number): number {
  return l.poorMs + (l.poorSince === undefined ? 0 : Math.max(0, now - l.poorSince));
}

/**
 * The summary's quality line: the line poor the longest (the lowest MOS breaks a tie), or, when no
 * line was poor, the lowest MOS measured. Undefined when the sensor measured no line.
 */
export function qualitySummary(h: RoomHistory, now: number): string | undefined {
  const lines = h.lines ?? [];
  if (lines.length === 0) return undefined;
  const mos = (l: LineRecord): string => (l.worstMos === undefined ? '' : ` (MOS ${l.worstMos.toFixed(1)})`);
  const ranked = [...lines].sort((a, b) => poorMsOf(b, now) - poorMsOf(a, now) || (a.worstMos ?? 5) - (b.worstMos ?? 5));
  const worst = ranked[0];
  if (worst === undefined) return undefined;
  const poorSec = Math.floor(poorMsOf(worst, now) / 1000);
  if (poorMsOf(worst, now) > 0) return `Worst line: ${worst.label}, poor for ${formatDuration(Math.max(1, poorSec))}${mos(worst)}`;
  return `No poor lines (${lines.length} measured${worst.worstMos === undefined ? '' : `; lowest MOS ${worst.worstMos.toFixed(1)}, ${worst.label}`})`;
}

export function withAction(h: RoomHistory, text: string, now: number): RoomHistory {
  return { ...h, lastSeenAt: now, actions: [...h.actions, text].slice(-MAX_ACTIONS) };
}

/**
 * Changes that may alter what a summary would say (worth saving); talking and muting do not.
 * `updated` and `renamed` can carry a new attendee label.
 */
export function changesSummary(change: RoomChange): boolean {
  return change.type === 'room_started' || change.type === 'joined' || change.type === 'updated' || change.type === 'renamed' ||
    change.type === 'room_ended';
}

/** The summary part of a StatusViewInput. */
export function summaryOf(h: RoomHistory): { attendees: readonly string[]; actions: readonly string[]; quality?: string } {
  const quality = qualitySummary(h, h.endedAt ?? h.lastSeenAt);
  return { attendees: h.attendees.map((a) => a.label), actions: h.actions, ...(quality === undefined ? {} : { quality }) };
}

/** A Room that ended while nobody was looking: rebuilt from its history, to render a summary. */
export function endedRoomFromHistory(h: RoomHistory, endedAt: number): Room {
  return {
    pbx: h.pbx,
    name: h.room,
    dialect: h.dialect ?? 'confbridge',
    participants: new Map(),
    locked: false,
    recording: false,
    muzak: undefined,
    stream: undefined,
    startedAt: h.startedAt ?? endedAt,
    peakSize: h.peakSize,
    endedAt,
  };
}

const historySchema = z.object({
  pbx: z.string(),
  room: z.string(),
  dialect: z.enum(['confbridge', 'meetme']).optional(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  lastSeenAt: z.number(),
  peakSize: z.number().int().min(0),
  attendees: z.array(z.object({ key: z.string(), label: z.string() })),
  actions: z.array(z.string()),
  lines: z.array(z.object({
    key: z.string(), label: z.string(), worstMos: z.number().optional(), poorMs: z.number().min(0), poorSince: z.number().optional(),
  })).optional(),
});

export function serializeHistory(h: RoomHistory): string {
  return JSON.stringify(h);
}

/** Undefined when `text` is not a history this build wrote (corrupt or from another format). */
export function parseHistory(text: string): RoomHistory | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = historySchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const d = parsed.data;
  const lines = d.lines?.map((l): LineRecord => ({ key: l.key, label: l.label, worstMos: l.worstMos, poorMs: l.poorMs, poorSince: l.poorSince }));
  return {
    pbx: d.pbx, room: d.room, dialect: d.dialect, startedAt: d.startedAt, endedAt: d.endedAt,
    lastSeenAt: d.lastSeenAt, peakSize: d.peakSize, attendees: d.attendees, actions: d.actions, ...(lines === undefined ? {} : { lines }),
  };
}
