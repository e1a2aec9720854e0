import { randomBytes } from 'node:crypto';
import { InternalError, isBotError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { SensorClient } from '../sensor/client.ts';
import { isPermanentSensorError, listenerSafeMessage } from '../sensor/errors.ts';
import { sameCallref, type SensorCall } from '../sensor/listcalls.ts';

/**
 * The audio hub: one sensor listening session per call however many browsers listen, polled with
 * `readaudio` while anyone listens, fanned out to every listener. A slow listener is dropped rather
 * than allowed to stall the others. The session ends when the last listener leaves or the call
 * leaves `listcalls` (readaudio keeps saying "wait for data" for ~19 s after a hangup, so it cannot
 * tell). One `listcalls` poller per sensor serves every session on it. Transient sensor failures back
 * off; refusals only an operator can fix (AES, live audio disabled) end the session.
 */

/** What the hub needs from a sensor (SensorClient, or a fake in tests). */
export type SensorAudioSource = Pick<SensorClient, 'id' | 'listCalls' | 'listen' | 'readAudio' | 'listenStop'>;

export interface ListenTarget {
  readonly sensor: string;
  readonly callref: string;
  /** SIP Call-ID: the sensor reuses call references, so the pair is checked before and while listening. */
  readonly callId: string;
}

export type HubState = 'connecting' | 'playing' | 'waiting' | 'ended' | 'sensor_unreachable' | 'sensor_error';

/**
 * Why the hub let go of a listener: too slow, the call ended, the sensor refuses the call for good,
 * or the bot is stopping (the call goes on, so a listener may come back once the bot is up again).
 */
export type HubCloseReason = 'slow' | 'ended' | 'failed' | 'shutdown';

export interface HubListener {
  audio(pcm: Buffer): void;
  /** State changes, with a short user-safe message for the error states. */
  status(state: HubState, message: string | undefined): void;
  /** Bytes queued towards this listener and not yet sent (WebSocket bufferedAmount). */
  backlog(): number;
  /** The hub let go of this listener (see HubCloseReason). */
  close(reason: HubCloseReason): void;
}

export interface AudioHubOptions {
  readonly sensors: readonly SensorAudioSource[];
  /** readaudio period (config.listen.pollMs). */
  readonly pollMs: number;
  /** How often the sensor's shared listcalls poller checks the calls are still up (default 1 s). */
  readonly callCheckMs?: number;
  /** A listener with more queued than this is dropped (default 64 KiB ≈ 4 s of audio). */
  readonly maxBacklogBytes?: number;
  /** No audio for this long while connected shows "waiting for audio". */
  readonly waitingAfterMs?: number;
  /** First pause after a transient sensor failure; doubles per failure up to `maxRetryMs`. */
  readonly retryMs?: number;
  /** Longest pause between attempts while the sensor keeps failing (default 30 s). */
  readonly maxRetryMs?: number;
  /** Jitter source in [0, 1), so sessions that failed together do not retry in lockstep. */
  readonly random?: () => number;
  /** At most 19 characters: the sensor's limit. */
  readonly newListenId?: () => string;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export interface AudioHub {
  /** Adds a listener to the call's session (starting it if needed); returns the unsubscribe function. */
  subscribe(target: ListenTarget, listener: HubListener): () => void;
  /** Active sensor sessions. */
  sessionCount(): number;
  /** Ends every session (listen_stop on each) and drops all listeners with the reason `shutdown`. */
  close(): Promise<void>;
}

const MAX_LISTEN_ID = 19;

export function defaultListenId(): string {
  return `mb${randomBytes(8).toString('hex')}`;
}

export function createAudioHub(options: AudioHubOptions): AudioHub {
  const log = (options.logger ?? silentLogger()).child({ component: 'listen-hub' });
  const sessions = new Map<string, Session>();
  const watches = new Map<string, CallWatch>();
  const settings: SessionSettings = {
    pollMs: options.pollMs,
    maxBacklogBytes: options.maxBacklogBytes ?? 64 * 1024,
    waitingAfterMs: options.waitingAfterMs ?? 600,
    retryMs: options.retryMs ?? 1000,
    maxRetryMs: options.maxRetryMs ?? 30_000,
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
    log,
  };
  const callCheckMs = options.callCheckMs ?? 1000;
  const newListenId = options.newListenId ?? defaultListenId;

  const watchFor = (sensor: SensorAudioSource): CallWatch => {
    let watch = watches.get(sensor.id);
    if (!watch) {
      watch = new CallWatch(sensor, callCheckMs, log);
      watches.set(sensor.id, watch);
    }
    return watch;
  };

  return {
    subscribe(target, listener) {
      const key = `${target.sensor}\n${target.callref}\n${target.callId}`;
      let session = sessions.get(key);
      if (!session) {
        const sensor = options.sensors.find((s) => s.id === target.sensor);
        if (!sensor) {
          listener.status('sensor_error', 'This sensor is not configured any more.');
          listener.close('ended');
          return () => undefined;
        }
        const listenId = newListenId();
        if (listenId.length > MAX_LISTEN_ID || /\s/.test(listenId)) throw new InternalError(`listen id generator gave ${JSON.stringify(listenId)}: at most 19 characters without spaces`);
        const created: Session = new Session(sensor, watchFor(sensor), target, listenId, settings, () => { if (sessions.get(key) === created) sessions.delete(key); });
        sessions.set(key, created);
        session = created;
        session.add(listener);
        session.start();
      } else {
        session.add(listener);
      }
      const joined = session;
      return () => joined.remove(listener);
    },
    sessionCount: () => sessions.size,
    async close() {
      await Promise.all([...sessions.values()].map((s) => s.end('shutdown')));
    },
  };
}

interface SessionSettings {
  readonly pollMs: number;
  readonly maxBacklogBytes: number;
  readonly waitingAfterMs: number;
  readonly retryMs: number;
  readonly maxRetryMs: number;
  readonly random: () => number;
  readonly now: () => number;
  readonly log: Logger;
}

/** What the shared poller tells each session after a `listcalls`. */
interface CallWatcher {
  callsListed(calls: readonly SensorCall[]): void;
  callCheckFailed(err: unknown): void;
}

/**
 * The one `listcalls` poller of a sensor: ticks while any session on the sensor is active and skips a
 * tick while the previous request is still in flight, so a slow sensor (timeouts of seconds) never
 * collects a pile of connections. Sessions starting up join the request in flight too.
 */
class CallWatch {
  private readonly watchers = new Set<CallWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<SensorCall[]> | undefined;
  /** Code of the failing check last logged: a sensor that stays down is logged once, not every second. */
  private failingWith: string | undefined;

  constructor(private readonly sensor: SensorAudioSource, private readonly everyMs: number, private readonly log: Logger) {}

  add(watcher: CallWatcher): void {
    this.watchers.add(watcher);
    this.timer ??= setInterval(() => this.tick(), this.everyMs);
  }

  remove(watcher: CallWatcher): void {
    this.watchers.delete(watcher);
    if (this.watchers.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The sensor's calls, from the request already in flight when there is one. */
  calls(): Promise<SensorCall[]> {
    if (!this.inFlight) {
      this.inFlight = this.sensor.listCalls().finally(() => { this.inFlight = undefined; });
    }
    return this.inFlight;
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
        if (this.failingWith !== code) this.log.warn({ sensor: this.sensor.id, err: errorText(err) }, 'call check failing');
        this.failingWith = code;
        for (const w of [...this.watchers]) w.callCheckFailed(err);
      },
    );
  }
}

class Session implements CallWatcher {
  private readonly listeners = new Set<HubListener>();
  private state: HubState = 'connecting';
  private message: string | undefined;
  private stopped = false;
  private listening = false;
  private pollTimer: NodeJS.Timeout | undefined;
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
    this.lastAudioAt = settings.now();
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
    clearTimeout(this.pollTimer);
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
      this.lastAudioAt = this.settings.now();
      this.schedulePoll(0);
    } catch (err) {
      if (this.stopped) return;
      if (isBotError(err, 'call_not_found')) return void this.end('ended');
      if (isPermanentSensorError(err)) return void this.giveUp(err);
      const delay = this.failed(err);
      this.pollTimer = setTimeout(() => void this.connect(), delay);
    }
  }

  private schedulePoll(delay: number): void {
    if (this.stopped) return;
    this.pollTimer = setTimeout(() => void this.poll(), delay);
  }

  private async poll(): Promise<void> {
    const started = this.settings.now();
    let next = this.settings.pollMs;
    try {
      const result = await this.sensor.readAudio(this.target.callref, this.listenId);
      if (this.stopped) return;
      this.recovered();
      switch (result.kind) {
        case 'audio':
          this.lastAudioAt = this.settings.now();
          this.setState('playing', undefined);
          this.fanOut(result.pcm);
          break;
        case 'wait':
          if (this.settings.now() - this.lastAudioAt >= this.settings.waitingAfterMs) this.setState('waiting', undefined);
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
    this.schedulePoll(Math.max(0, next - (this.settings.now() - started)));
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
