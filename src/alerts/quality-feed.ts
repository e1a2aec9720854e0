import type { ConferenceDirectory } from '../conference/backend.ts';
import type { Participant } from '../conference/types.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { LineSample } from './quality-watch.ts';
import type { AlertService } from './service.ts';

/**
 * Line quality from the sensor poller into the alert service, and the poller's demand: it polls
 * every room for alerts only while a poor-line rule is on. The poller reports mark changes (good /
 * fair / poor), but a rule has thresholds of its own (MOS below 3.0, say, where "poor" starts at
 * 3.6), so the figures are read after every poll: each interval, every measured line of every
 * running room, each listing once (the poller keeps one state object per line per listing).
 */

/** A line as the poller last measured it (its `LineState`, narrowed to what alerts read). */
export interface MeasuredLine {
  readonly line: {
    /** The worse direction's MOS. */
    readonly mos: number | undefined;
    /** Packet loss in the last 10 s, worse direction, percent. */
    readonly loss10s: number | undefined;
  };
}

/** What the alerts need of the poller (the quality monitor). */
export interface LineQualityFeed {
  /** The lines measured in a room, by Uniqueid. */
  linesOf(pbx: string, room: string): ReadonlyMap<string, MeasuredLine>;
  /** Keeps the poller polling every room until the returned release is called. */
  demand(): () => void;
}

type Rooms = Pick<ConferenceDirectory, 'backend' | 'pbxIds'>;

export function sampleOf(p: Participant, measured: MeasuredLine, now: number): LineSample {
  return {
    pbx: p.pbx, room: p.room, uniqueid: p.uniqueid, channel: p.channel, tech: p.tech, callerNum: p.callerNum, callerName: p.callerName,
    mos: measured.line.mos, lossPct: measured.line.loss10s, inRoomSec: Math.max(0, Math.floor((now - p.joinedAt) / 1000)),
  };
}

export interface QualityFeedHandle {
  /** Takes or releases the poller's demand to match the rules (call after every rule change). */
  sync(): void;
  stop(): void;
}

export interface QualityFeedOptions {
  readonly feed: LineQualityFeed;
  readonly directory: Rooms;
  readonly service: Pick<AlertService, 'observeLine'>;
  /** Whether a poor-line rule is on. */
  readonly wanted: () => boolean;
  readonly clock: Clock;
  /** How often to read the figures: the poll interval. */
  readonly everyMs: number;
}

export function feedLineQuality(o: QualityFeedOptions): QualityFeedHandle {
  let release: (() => void) | undefined;
  let timer: TimerHandle | undefined;
  /** The listing last read per `pbx|uniqueid`: a line not polled again is not sampled again. */
  let seen = new Map<string, MeasuredLine>();

  const read = (): void => {
    const now = o.clock.now();
    const next = new Map<string, MeasuredLine>();
    for (const pbx of o.directory.pbxIds()) {
      let rooms;
      try {
        rooms = o.directory.backend(pbx).state().rooms;
      } catch {
        continue;
      }
      for (const room of rooms.values()) {
        if (room.endedAt !== undefined) continue;
        for (const [uniqueid, measured] of o.feed.linesOf(pbx, room.name)) {
          const p = room.participants.get(uniqueid);
          if (p === undefined) continue;
          const key = `${pbx}|${uniqueid}`;
          next.set(key, measured);
          if (seen.get(key) !== measured) o.service.observeLine(sampleOf(p, measured, now));
        }
      }
    }
    seen = next;
  };
  const schedule = (): void => {
    timer = o.clock.setTimeout(() => {
      schedule();
      read();
    }, o.everyMs);
  };
  const stopReading = (): void => {
    if (timer !== undefined) o.clock.clearTimeout(timer);
    timer = undefined;
    release?.();
    release = undefined;
    seen = new Map();
  };
  const sync = (): void => {
    const want = o.wanted();
    if (want && release === undefined) {
      release = o.feed.demand();
      schedule();
    }
    if (!want && release !== undefined) stopReading();
  };
  sync();
  return { sync, stop: stopReading };
}
