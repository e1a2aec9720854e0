import { randomBytes } from 'node:crypto';
import { InternalError, isBotError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { SensorClient } from '../sensor/client.ts';
import { sameCallref } from '../sensor/listcalls.ts';

/**
 * The audio hub: one sensor listening session per call however many browsers listen, polled with
 * `readaudio` while anyone listens, fanned out to every listener. A slow listener is dropped rather
 * than allowed to stall the others. The session ends when the last listener leaves or the call
 * leaves `listcalls` (readaudio keeps saying "wait for data" for ~19 s after a hangup, so it cannot
 * tell).
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

export interface HubListener {
  audio(pcm: Buffer): void;
  /** State changes, with a short user-safe message for the error states. */
  status(state: HubState, message: string | undefined): void;
  /** Bytes queued towards this listener and not yet sent (WebSocket bufferedAmount). */
  backlog(): number;
  /** The hub let go of this listener: it was too slow, or the call ended. */
  close(reason: 'slow' | 'ended'): void;
}

export interface AudioHubOptions {
  readonly sensors: readonly SensorAudioSource[];
  /** readaudio period (config.listen.pollMs). */
  readonly pollMs: number;
  /** How often listcalls checks the call is still up. */
  readonly callCheckMs?: number;
  /** A listener with more queued than this is dropped (default 64 KiB ≈ 4 s of audio). */
  readonly maxBacklogBytes?: number;
  /** No audio for this long while connected shows "waiting for audio". */
  readonly waitingAfterMs?: number;
  /** Pause between attempts while the sensor fails. */
  readonly retryMs?: number;
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
  /** Ends every session (listen_stop on each) and drops all listeners. */
  close(): Promise<void>;
}

const MAX_LISTEN_ID = 19;

export function defaultListenId(): string {
  return `mb${randomBytes(8).toString('hex')}`;
}

export function createAudioHub(options: AudioHubOptions): AudioHub {
  const log = (options.logger ?? silentLogger()).child({ component: 'listen-hub' });
  const sessions = new Map<string, Session>();
  const settings: SessionSettings = {
    pollMs: options.pollMs,
    callCheckMs: options.callCheckMs ?? 1000,
    maxBacklogBytes: options.maxBacklogBytes ?? 64 * 1024,
    waitingAfterMs: options.waitingAfterMs ?? 600,
    retryMs: options.retryMs ?? 1000,
    now: options.now ?? Date.now,
    log,
  };
  const newListenId = options.newListenId ?? defaultListenId;

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
        const created: Session = new Session(sensor, target, listenId, settings, () => { if (sessions.get(key) === created) sessions.delete(key); });
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
      await Promise.all([...sessions.values()].map((s) => s.end('ended')));
    },
  };
}

interface SessionSettings {
  readonly pollMs: number;
  readonly callCheckMs: number;
  readonly maxBacklogBytes: number;
  readonly waitingAfterMs: number;
  readonly retryMs: number;
  readonly now: () => number;
  readonly log: Logger;
}

class Session {
  private readonly listeners = new Set<HubListener>();
  private state: HubState = 'connecting';
  private message: string | undefined;
  private stopped = false;
  private listening = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private lastAudioAt: number;
  private readonly log: Logger;

  constructor(
    private readonly sensor: SensorAudioSource,
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
    void this.connect();
    this.checkTimer = setInterval(() => void this.checkCall(), this.settings.callCheckMs);
  }

  /** Stops polling, releases the sensor's worker, and tells listeners why (when there is a why). */
  async end(reason: 'ended' | undefined): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearInterval(this.checkTimer);
    this.onStopped();
    const remaining = [...this.listeners];
    this.listeners.clear();
    if (reason === 'ended') {
      for (const l of remaining) {
        l.status('ended', undefined);
        l.close('ended');
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

  /** Re-checks the (callref, callId) pair, then starts the sensor's worker and the poll loop. */
  private async connect(): Promise<void> {
    try {
      if (!(await this.callIsUp())) return void this.end('ended');
      if (this.stopped) return;
      await this.sensor.listen(this.target.callref, this.listenId);
      this.listening = true;
      if (this.stopped) {
        this.listening = false;
        await this.sensor.listenStop(this.target.callref, this.listenId).catch(() => undefined);
        return;
      }
      this.lastAudioAt = this.settings.now();
      this.schedulePoll(0);
    } catch (err) {
      if (isBotError(err, 'call_not_found')) return void this.end('ended');
      this.failed(err);
      if (!this.stopped) this.pollTimer = setTimeout(() => void this.connect(), this.settings.retryMs);
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
      this.failed(err);
      next = this.settings.retryMs;
    }
    this.schedulePoll(Math.max(0, next - (this.settings.now() - started)));
  }

  private async checkCall(): Promise<void> {
    try {
      if (!(await this.callIsUp()) && !this.stopped) await this.end('ended');
    } catch (err) {
      this.log.debug({ err: errorText(err) }, 'call check failed');
    }
  }

  private async callIsUp(): Promise<boolean> {
    const calls = await this.sensor.listCalls();
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

  private failed(err: unknown): void {
    const unreachable = isBotError(err, 'sensor_unreachable') || isBotError(err, 'sensor_timeout');
    const message = isBotError(err) ? err.userMessage : 'The sensor failed.';
    this.log.warn({ err: errorText(err) }, 'sensor error while listening');
    this.setState(unreachable ? 'sensor_unreachable' : 'sensor_error', message);
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
