import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../core/clock.ts';
import { InternalError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { CallWatch } from './call-watch.ts';
import type { HubListener, ListenTarget, SensorAudioSource } from './hub-types.ts';
import { Session, type SessionSettings } from './session.ts';

export type { HubCloseReason, HubListener, HubState, ListenTarget, SensorAudioSource } from './hub-types.ts';

/**
 * The audio hub: one sensor listening session per call however many browsers listen, polled with
 * `readaudio` while anyone listens, fanned out to every listener. A slow listener is dropped rather
 * than allowed to stall the others. The session ends when the last listener leaves or the call
 * leaves `listcalls` (readaudio keeps saying "wait for data" for ~19 s after a hangup, so it cannot
 * tell). One `listcalls` poller per sensor serves every session on it. Transient sensor failures back
 * off; refusals only an operator can fix (AES, live audio disabled) end the session.
 */

export interface AudioHubOptions {
  readonly sensors: readonly SensorAudioSource[];
  /** readaudio period (config.listen.pollMs). */
  readonly pollMs: number;
  /** How often the sensor's shared listcalls poller checks the calls are still up (default 1 s). */
  readonly callCheckMs?: number;
  /** The sensors' shared listcalls pollers (line quality polls through them too); missing ones are made here. */
  readonly callWatches?: ReadonlyMap<string, CallWatch>;
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
  /** Timers of the polls, retries and call checks, and "now" (default: the system clock). */
  readonly clock?: Clock;
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
    clock: options.clock ?? systemClock,
    log,
  };
  const callCheckMs = options.callCheckMs ?? 1000;
  const newListenId = options.newListenId ?? defaultListenId;

  const watchFor = (sensor: SensorAudioSource): CallWatch => {
    let watch = options.callWatches?.get(sensor.id) ?? watches.get(sensor.id);
    if (!watch) {
      watch = new CallWatch(sensor, callCheckMs, settings.clock, log);
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
