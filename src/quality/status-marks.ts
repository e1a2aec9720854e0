import type { Clock, TimerHandle } from '../core/clock.ts';
import { buildStatusView, type LineMarkView, type StatusView, type StatusViewInput } from '../core/views.ts';
import { LOSS_FAIR_PCT } from './line-quality.ts';
import type { LineQualityMonitor, LineState } from './monitor.ts';

/**
 * Line-quality marks in status messages: the render step adds each measured participant's mark, and
 * a mark change asks the room's messages for a minor edit (paced like talking, so it folds into the
 * next scheduled edit and never adds to the room's edit budget), at most once per `minIntervalMs`.
 */

export const MARK_REFRESH_MS = 10_000;

/** What a status row shows of a line: the mark, and for a fair or poor line its MOS, and the loss when that is what makes it bad. */
export function lineMarkOf(state: LineState): LineMarkView | undefined {
  const mark = state.mark.mark;
  if (mark === undefined) return undefined;
  const loss = state.line.loss10s;
  const mos = mark === 'good' ? undefined : state.line.mos;
  return { mark, ...(mos === undefined ? {} : { mos }), lossPct: loss !== undefined && loss >= LOSS_FAIR_PCT ? Math.round(loss) : undefined };
}

export function marksOf(monitor: Pick<LineQualityMonitor, 'linesOf'>, pbx: string, room: string): ReadonlyMap<string, LineMarkView> {
  const marks = new Map<string, LineMarkView>();
  for (const [uniqueid, state] of monitor.linesOf(pbx, room)) {
    const view = lineMarkOf(state);
    if (view !== undefined) marks.set(uniqueid, view);
  }
  return marks;
}

/** The status renderer with the room's line marks folded in. */
export function renderWithLineMarks(
  monitor: Pick<LineQualityMonitor, 'linesOf'>, render: (input: StatusViewInput) => StatusView = buildStatusView,
): (input: StatusViewInput) => StatusView {
  return (input) => {
    const lines = marksOf(monitor, input.pbx, input.roomName);
    return render(lines.size === 0 ? input : { ...input, lines });
  };
}

export interface RoomRefresher {
  refreshRoom(pbx: string, room: string): void;
}

/** Asks a room's status messages for an edit at most once per `minIntervalMs`; a later ask waits for the gap. */
export class RoomRefreshThrottle {
  readonly #lastAt = new Map<string, number>();
  readonly #timers = new Map<string, TimerHandle>();

  constructor(private readonly clock: Clock, private readonly minIntervalMs: number, private readonly target: RoomRefresher) {}

  request(pbx: string, room: string): void {
    const key = `${pbx}\n${room}`;
    if (this.#timers.has(key)) return;
    const wait = (this.#lastAt.get(key) ?? Number.NEGATIVE_INFINITY) + this.minIntervalMs - this.clock.now();
    if (wait <= 0) return this.#refresh(key, pbx, room);
    this.#timers.set(key, this.clock.setTimeout(() => {
      this.#timers.delete(key);
      this.#refresh(key, pbx, room);
    }, wait));
  }

  stop(): void {
    for (const timer of this.#timers.values()) this.clock.clearTimeout(timer);
    this.#timers.clear();
  }

  #refresh(key: string, pbx: string, room: string): void {
    this.#lastAt.set(key, this.clock.now());
    // Rooms refreshed long ago need no memory: the gap has passed.
    for (const [k, at] of this.#lastAt) if (this.clock.now() - at >= this.minIntervalMs && k !== key) this.#lastAt.delete(k);
    this.target.refreshRoom(pbx, room);
  }
}

/** Mark changes → throttled status refreshes; returns the stop function. */
export function refreshStatusOnMarks(monitor: Pick<LineQualityMonitor, 'subscribe'>, status: RoomRefresher, clock: Clock, minIntervalMs = MARK_REFRESH_MS): () => void {
  const throttle = new RoomRefreshThrottle(clock, minIntervalMs, status);
  const unsubscribe = monitor.subscribe((report) => throttle.request(report.pbx, report.room));
  return () => {
    unsubscribe();
    throttle.stop();
  };
}
