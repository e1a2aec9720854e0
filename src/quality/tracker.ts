import type { SensorCall } from '../sensor/listcalls.ts';
import { lineQuality, nextMark, NO_MARK, type LineQuality, type MarkState, type QualityMark } from './line-quality.ts';

/**
 * The line-quality poller's bookkeeping, without timers or sockets: each sensor listing updates the
 * mark of every watched participant whose call (by SIP Call-ID) the sensor lists, and yields one
 * report per participant whose shown mark changed. Keyed by Call-ID: the participant is the call.
 */

/** A participant the poller watches, with the SIP Call-ID read from their channel. */
export interface WatchedLine {
  readonly pbx: string;
  readonly room: string;
  /** Asterisk Uniqueid (with `pbx`, the participant's identity). */
  readonly uniqueid: string;
  /** "Tim (701)": how a person names the participant. */
  readonly label: string;
  readonly callId: string;
}

/** Whose line: the participant (by PBX, room and Uniqueid) and the call a sensor measures. */
export interface LineOwner {
  readonly pbx: string;
  readonly room: string;
  readonly uniqueid: string;
  readonly label: string;
  readonly callId: string;
  readonly sensor: string;
}

/** A participant's line as the sensor last measured it, and the mark shown for it. */
export interface LineState extends LineOwner {
  readonly callref: string;
  readonly line: LineQuality;
  readonly mark: MarkState;
  /** Epoch ms since the shown mark has been shown. */
  readonly since: number;
}

/**
 * One participant's shown mark changed: `mark` undefined means the mark is gone (the participant
 * left, or the sensor stopped listing the call). The alert side reads `mark.poorSince` for "poor for 40 s".
 */
export interface LineQualityReport extends LineOwner {
  readonly mark: QualityMark | undefined;
  readonly previous: QualityMark | undefined;
  /** The figures: MOS both ways and worst, loss last 10 s and overall, jitter, codec. */
  readonly line: LineQuality;
  /** Epoch ms since `mark` has been shown. */
  readonly since: number;
  /** Epoch ms since the line has been marked poor (undefined unless `mark` is poor). */
  readonly poorSince: number | undefined;
}

function report(state: LineState, previous: QualityMark | undefined, gone: boolean): LineQualityReport {
  const mark = gone ? undefined : state.mark.mark;
  return {
    pbx: state.pbx, room: state.room, uniqueid: state.uniqueid, label: state.label, callId: state.callId, sensor: state.sensor,
    mark, previous, line: state.line, since: state.since, poorSince: gone ? undefined : state.mark.poorSince,
  };
}

/**
 * A line measured outside the poll (the `quality` command): today's figures, and the mark the poll
 * shows when it tracks the call (hysteresis intact), else this sample's class.
 */
export function freshState(w: WatchedLine, sensor: string, call: SensorCall, known: LineState | undefined, now: number): LineState {
  const line = lineQuality(call.fields);
  const mark = known?.callId === w.callId ? known.mark : nextMark(NO_MARK, line.sample, now);
  return { ...w, sensor, callref: call.callref, line, mark, since: known?.callId === w.callId ? known.since : now };
}

export class QualityTracker {
  readonly #lines = new Map<string, LineState>();

  /** Folds one listing of `sensor` in; `watched` is everyone watched now (all sensors). */
  observe(sensor: string, calls: readonly SensorCall[], watched: readonly WatchedLine[], now: number): LineQualityReport[] {
    const reports: LineQualityReport[] = [];
    const byCallId = new Map<string, SensorCall>();
    for (const call of calls) if (call.callId !== '') byCallId.set(call.callId, call);
    const wanted = new Map(watched.map((w) => [w.callId, w]));
    for (const [callId, state] of this.#lines) {
      const stillWatched = wanted.get(callId);
      const left = stillWatched === undefined || stillWatched.pbx !== state.pbx || stillWatched.uniqueid !== state.uniqueid ||
        stillWatched.room !== state.room;
      // A call this sensor measured and no longer lists has ended (or moved out of its sight).
      if (left || (state.sensor === sensor && !byCallId.has(callId))) this.#drop(callId, state, reports);
    }
    for (const w of watched) {
      const call = byCallId.get(w.callId);
      if (call === undefined) continue;
      const before = this.#lines.get(w.callId);
      const line = lineQuality(call.fields);
      const mark = nextMark(before?.mark ?? NO_MARK, line.sample, now);
      const changed = mark.mark !== before?.mark.mark;
      const next: LineState = {
        pbx: w.pbx, room: w.room, uniqueid: w.uniqueid, label: w.label, callId: w.callId, sensor, callref: call.callref,
        line, mark, since: changed || before === undefined ? now : before.since,
      };
      this.#lines.set(w.callId, next);
      if (changed && mark.mark !== undefined) reports.push(report(next, before?.mark.mark, false));
    }
    return reports;
  }

  /** Forgets the lines a sensor measured (it stopped answering: its figures are stale); reports the marks that go. */
  forgetSensor(sensor: string): LineQualityReport[] {
    const reports: LineQualityReport[] = [];
    for (const [callId, state] of this.#lines) if (state.sensor === sensor) this.#drop(callId, state, reports);
    return reports;
  }

  /** Forgets every line (nobody watches any more); reports the marks that go. */
  clear(): LineQualityReport[] {
    const reports: LineQualityReport[] = [];
    for (const [callId, state] of this.#lines) this.#drop(callId, state, reports);
    return reports;
  }

  /** The lines of a room's participants, by Uniqueid. */
  linesOf(pbx: string, room: string): ReadonlyMap<string, LineState> {
    const out = new Map<string, LineState>();
    for (const state of this.#lines.values()) if (state.pbx === pbx && state.room === room) out.set(state.uniqueid, state);
    return out;
  }

  get size(): number {
    return this.#lines.size;
  }

  #drop(callId: string, state: LineState, reports: LineQualityReport[]): void {
    this.#lines.delete(callId);
    if (state.mark.mark !== undefined) reports.push(report(state, state.mark.mark, true));
  }
}
