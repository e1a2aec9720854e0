import type { Clock, TimerHandle } from '../core/clock.ts';
import { isBotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { isPermanentSensorError, listenerSafeMessage } from '../sensor/errors.ts';
import { sameCallref, type SensorCall } from '../sensor/listcalls.ts';
import type { CallWatch, CallWatcher } from './call-watch.ts';
import type { HubCloseReason, HubListener, HubState, ListenTarget, SensorAudioSource } from './hub-types.ts';

/** One sensor listening session of a call: connects, polls `readaudio`, fans audio out, backs off. */

export interface SessionSettings {
  readonly pollMs: number;
  readonly maxBacklogBytes: number;
  readonly waitingAfterMs: number;
  readonly retryMs: number;
  readonly maxRetryMs: number;
  readonly random: () => number;
  readonly clock: Clock;
  readonly log: Logger;
}

export class Session implements CallWatcher {
  private readonly listeners = new Set<HubListener>();
  private state: HubState = 'connecting';
  private message: string | undefined;
  private stopped = false;
  private listening = false;
  private pollTimer: TimerHandle | undefined;
  private lastAudioAt: number;
  /** Consecutive transient failures: drives the backoff. */
  private failures = 0;
  /** Code of the failure last logged, so a sensor that stays down logs once, not once per attempt. */
  private failingWith: string | undefined;
  private readonly log: Logger;

  constructor(
    private readonly sensor: SensorAudioSource,
    private readonly watch: CallWatch,
    private readonly target: ListenTarget,
    private readonly listenId: string,
    private readonly settings: SessionSettings,
    private readonly onStopped: () => void,
  ) {
    this.lastAudioAt = settings.clock.now();
    this.log = settings.log.child({ sensor: target.sensor, callref: target.callref });
  }

  add(listener: HubListener): void {
    this.listeners.add(listener);
    listener.status(this.state, this.message);
  }

  remove(listener: HubListener): void {
    if (!this.listeners.delete(listener)) return;
    if (this.listeners.size === 0) void this.end(undefined);
  }

  start(): void {
    this.log.info('listen session starting');
    this.watch.add(this);
    void this.connect();
  }

  /**
   * Stops polling, releases the sensor's worker, and tells listeners why (when there is a why):
   * `failed` carries the listener-safe message of a refusal retrying cannot fix. A shutdown sends no
   * status: the call has not ended, and a player shown `ended` would stop for good instead of
   * reconnecting to the restarted bot.
   */
  async end(reason: Exclude<HubCloseReason, 'slow'> | undefined, message?: string): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.pollTimer !== undefined) this.settings.clock.clearTimeout(this.pollTimer);
    this.watch.remove(this);
    this.onStopped();
    const remaining = [...this.listeners];
    this.listeners.clear();
    if (reason !== undefined) {
      for (const l of remaining) {
        if (reason !== 'shutdown') l.status(reason === 'ended' ? 'ended' : 'sensor_error', message);
        l.close(reason);
      }
    }
    if (this.listening) {
      this.listening = false;
      await this.sensor.listenStop(this.target.callref, this.listenId).catch((err: unknown) => {
        this.log.warn({ err: errorText(err) }, 'listen_stop failed');
      });
    }
    this.log.info({ reason: reason ?? 'no listeners' }, 'listen session ended');
  }

  callsListed(calls: readonly SensorCall[]): void {
    if (!this.stopped && !this.isListed(calls)) void this.end('ended');
  }

  callCheckFailed(err: unknown): void {
    if (!this.stopped && isPermanentSensorError(err)) void this.giveUp(err);
  }

  /** Re-checks the (callref, callId) pair, then starts the sensor's worker and the poll loop. */
  private async connect(): Promise<void> {
    try {
      if (!this.isListed(await this.watch.calls())) return void this.end('ended');
      if (this.stopped) return;
      await this.sensor.listen(this.target.callref, this.listenId);
      this.listening = true;
      if (this.stopped) {
        this.listening = false;
        await this.sensor.listenStop(this.target.callref, this.listenId).catch(() => undefined);
        return;
      }
      this.recovered();
      this.lastAudioAt = this.settings.clock.now();
      this.schedulePoll(0);
    } catch (err) {
      if (this.stopped) return;
      if (isBotError(err, 'call_not_found')) return void this.end('ended');
      if (isPermanentSensorError(err)) return void this.giveUp(err);
      const delay = this.failed(err);
      this.pollTimer = this.settings.clock.setTimeout(() => void this.connect(), delay);
    }
  }

  private schedulePoll(delay: number): void {
    if (this.stopped) return;
    this.pollTimer = this.settings.clock.setTimeout(() => void this.poll(), delay);
  }

  private async poll(): Promise<void> {
    const started = this.settings.clock.now();
    let next = this.settings.pollMs;
    try {
      const result = await this.sensor.readAudio(this.target.callref, this.listenId);
      if (this.stopped) return;
      this.recovered();
      switch (result.kind) {
        case 'audio':
          this.lastAudioAt = this.settings.clock.now();
          this.setState('playing', undefined);
          this.fanOut(result.pcm);
          break;
        case 'wait':
          if (this.settings.clock.now() - this.lastAudioAt >= this.settings.waitingAfterMs) this.setState('waiting', undefined);
          break;
        case 'call_not_found':
          return void this.end('ended');
        case 'worker_not_found':
        case 'client_not_found':
          // The sensor dropped us (no poll for 10 s, or a sensor restart): listen again.
          this.listening = false;
          return void this.connect();
      }
    } catch (err) {
      if (this.stopped) return;
      if (isPermanentSensorError(err)) return void this.giveUp(err);
      next = this.failed(err);
    }
    this.schedulePoll(Math.max(0, next - (this.settings.clock.now() - started)));
  }

  private isListed(calls: readonly SensorCall[]): boolean {
    return calls.some((c) => sameCallref(c.callref, this.target.callref) && c.callId === this.target.callId);
  }

  private fanOut(pcm: Buffer): void {
    for (const listener of this.listeners) {
      if (listener.backlog() > this.settings.maxBacklogBytes) {
        this.log.info('dropping a listener that cannot keep up');
        this.listeners.delete(listener);
        listener.close('slow');
        continue;
      }
      listener.audio(pcm);
    }
    if (this.listeners.size === 0) void this.end(undefined);
  }

  /** A transient failure: shows it, logs it when it is new, and returns the capped, jittered backoff. */
  private failed(err: unknown): number {
    this.failures++;
    const code = isBotError(err) ? err.code : 'unknown';
    if (this.failingWith !== code) {
      this.failingWith = code;
      this.log.warn({ err: errorText(err) }, 'sensor failing while listening; retrying with backoff');
    }
    const unreachable = code === 'sensor_unreachable' || code === 'sensor_timeout';
    this.setState(unreachable ? 'sensor_unreachable' : 'sensor_error', listenerSafeMessage(err));
    const backoff = Math.min(this.settings.maxRetryMs, this.settings.retryMs * 2 ** Math.min(this.failures - 1, 30));
    return Math.round(backoff * (0.8 + 0.2 * this.settings.random()));
  }

  private recovered(): void {
    this.failures = 0;
    if (this.failingWith === undefined) return;
    this.failingWith = undefined;
    this.log.info('sensor answers again');
  }

  /** A refusal retrying cannot fix: the full reason (with any config hint) goes to the log only. */
  private async giveUp(err: unknown): Promise<void> {
    this.log.error({ err: errorText(err) }, 'sensor refuses this listen session; ending it');
    await this.end('failed', listenerSafeMessage(err));
  }

  private setState(state: HubState, message: string | undefined): void {
    if (state === this.state && message === this.message) return;
    this.state = state;
    this.message = message;
    for (const l of this.listeners) l.status(state, message);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
