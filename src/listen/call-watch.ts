import type { Clock, TimerHandle } from '../core/clock.ts';
import { isBotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { SensorCall } from '../sensor/listcalls.ts';
import type { SensorAudioSource } from './hub-types.ts';

/** What the shared poller tells each session after a `listcalls`. */
export interface CallWatcher {
  callsListed(calls: readonly SensorCall[]): void;
  callCheckFailed(err: unknown): void;
}

/**
 * The one `listcalls` poller of a sensor: ticks while any session on the sensor is active and skips a
 * tick while the previous request is still in flight, so a slow sensor (timeouts of seconds) never
 * collects a pile of connections. Sessions starting up join the request in flight too.
 */
export class CallWatch {
  private readonly watchers = new Set<CallWatcher>();
  private timer: TimerHandle | undefined;
  private inFlight: Promise<SensorCall[]> | undefined;
  /** Code of the failing check last logged: a sensor that stays down is logged once, not every second. */
  private failingWith: string | undefined;

  constructor(private readonly sensor: SensorAudioSource, private readonly everyMs: number, private readonly clock: Clock, private readonly log: Logger) {}

  add(watcher: CallWatcher): void {
    this.watchers.add(watcher);
    if (this.timer === undefined) this.schedule();
  }

  remove(watcher: CallWatcher): void {
    this.watchers.delete(watcher);
    if (this.watchers.size > 0 || this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The sensor's calls, from the request already in flight when there is one. */
  calls(): Promise<SensorCall[]> {
    if (!this.inFlight) {
      this.inFlight = this.sensor.listCalls().finally(() => { this.inFlight = undefined; });
    }
    return this.inFlight;
  }

  /** A fixed beat (not "after the previous answer"), so a slow sensor is checked as often as it can answer. */
  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.schedule();
      this.tick();
    }, this.everyMs);
  }

  private tick(): void {
    if (this.inFlight) return;
    this.calls().then(
      (calls) => {
        if (this.failingWith !== undefined) this.log.info({ sensor: this.sensor.id }, 'call check works again');
        this.failingWith = undefined;
        for (const w of [...this.watchers]) w.callsListed(calls);
      },
      (err: unknown) => {
        const code = isBotError(err) ? err.code : 'unknown';
        if (this.failingWith !== code) this.log.warn({ sensor: this.sensor.id, err: err instanceof Error ? err.message : String(err) }, 'call check failing');
        this.failingWith = code;
        for (const w of [...this.watchers]) w.callCheckFailed(err);
      },
    );
  }
}
