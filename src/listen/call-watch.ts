import type { Clock, TimerHandle } from '../core/clock.ts';
import { isBotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { SensorCall } from '../sensor/listcalls.ts';
import type { SensorAudioSource } from './hub-types.ts';

/** What the shared poller tells each watcher after a `listcalls`. */
export interface CallWatcher {
  callsListed(calls: readonly SensorCall[]): void;
  callCheckFailed(err: unknown): void;
}

/** What a CallWatch needs from its sensor. */
export type CallListSource = Pick<SensorAudioSource, 'id' | 'listCalls'>;

interface WatcherPace {
  readonly everyMs: number;
  lastAt: number | undefined;
}

/**
 * The one `listcalls` poller of a sensor, shared by listening sessions (call still up?) and line
 * quality: however many watchers, one request per beat, the beat being the fastest watcher's period;
 * a slower watcher hears every result once its own period has passed. It ticks only while anyone
 * watches and skips a tick while the previous request is still in flight, so a slow sensor (timeouts
 * of seconds) never collects a pile of connections. Callers asking between beats join the request
 * in flight too.
 */
export class CallWatch {
  private readonly watchers = new Map<CallWatcher, WatcherPace>();
  private timer: { readonly handle: TimerHandle; readonly everyMs: number } | undefined;
  private inFlight: Promise<SensorCall[]> | undefined;
  /** Code of the failing check last logged: a sensor that stays down is logged once, not every second. */
  private failingWith: string | undefined;

  constructor(private readonly sensor: CallListSource, private readonly everyMs: number, private readonly clock: Clock, private readonly log: Logger) {}

  get sensorId(): string {
    return this.sensor.id;
  }

  /** Watches the sensor's calls every `everyMs` (default: the watch's own period). */
  add(watcher: CallWatcher, everyMs: number = this.everyMs): void {
    this.watchers.set(watcher, { everyMs, lastAt: undefined });
    // A faster watcher shortens the beat at once; a slower one leaves it alone.
    if (this.timer !== undefined && this.timer.everyMs <= everyMs) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer.handle);
    this.schedule();
  }

  remove(watcher: CallWatcher): void {
    this.watchers.delete(watcher);
    if (this.watchers.size > 0 || this.timer === undefined) return;
    this.clock.clearTimeout(this.timer.handle);
    this.timer = undefined;
  }

  watching(): boolean {
    return this.watchers.size > 0;
  }

  /** The sensor's calls, from the request already in flight when there is one. */
  calls(): Promise<SensorCall[]> {
    if (!this.inFlight) {
      this.inFlight = this.sensor.listCalls().finally(() => { this.inFlight = undefined; });
    }
    return this.inFlight;
  }

  private beatMs(): number {
    let beat = Number.POSITIVE_INFINITY;
    for (const pace of this.watchers.values()) beat = Math.min(beat, pace.everyMs);
    return beat;
  }

  /** A fixed beat (not "after the previous answer"), so a slow sensor is checked as often as it can answer. */
  private schedule(): void {
    const everyMs = this.beatMs();
    this.timer = {
      everyMs,
      handle: this.clock.setTimeout(() => {
        this.schedule();
        this.tick(everyMs);
      }, everyMs),
    };
  }

  /** Watchers whose period has passed; half a beat of slack keeps a 5 s watcher on a 1 s beat at every fifth. */
  private due(beatMs: number): CallWatcher[] {
    const now = this.clock.now();
    const due: CallWatcher[] = [];
    for (const [watcher, pace] of this.watchers) {
      if (pace.lastAt !== undefined && now - pace.lastAt < pace.everyMs - beatMs / 2) continue;
      pace.lastAt = now;
      due.push(watcher);
    }
    return due;
  }

  private tick(beatMs: number): void {
    if (this.inFlight) return;
    const due = this.due(beatMs);
    if (due.length === 0) return;
    this.calls().then(
      (calls) => {
        if (this.failingWith !== undefined) this.log.info({ sensor: this.sensor.id }, 'call check works again');
        this.failingWith = undefined;
        for (const w of due) if (this.watchers.has(w)) w.callsListed(calls);
      },
      (err: unknown) => {
        const code = isBotError(err) ? err.code : 'unknown';
        if (this.failingWith !== code) this.log.warn({ sensor: this.sensor.id, err: err instanceof Error ? err.message : String(err) }, 'call check failing');
        this.failingWith = code;
        for (const w of due) if (this.watchers.has(w)) w.callCheckFailed(err);
      },
    );
  }
}
