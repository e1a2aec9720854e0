import type { ConferenceDirectory } from '../conference/backend.ts';
import type { Participant } from '../conference/types.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import { participantLabel } from '../core/views.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { CallWatch, CallWatcher } from '../listen/call-watch.ts';
import { callIdVariable } from '../listen/service.ts';
import type { SensorCall } from '../sensor/listcalls.ts';
import { freshState, QualityTracker, type LineQualityReport, type LineState, type WatchedLine } from './tracker.ts';

export type { LineQualityReport, LineState } from './tracker.ts';

/**
 * The line-quality poller: watches the calls of the participants of watched rooms (every room while
 * someone raised `demand`, e.g. a poor-line alert rule) through each sensor's shared `listcalls`
 * poller, at `intervalMs`, and reports each participant's mark change. It adds no request of its own:
 * however many rooms and participants, one listing per sensor per interval (fewer when listening
 * already polls faster). It polls only while there is something to measure: a watched room with a
 * participant on a SIP channel (the only ones with a Call-ID a sensor can match), or a demand.
 */

const IDLE_CHECK_MS = 1000;

export interface RoomRef {
  readonly pbx: string;
  readonly room: string;
}

export interface QualityMonitorDeps {
  /** Each sensor's shared `listcalls` poller, by sensor id. */
  readonly watches: ReadonlyMap<string, Pick<CallWatch, 'add' | 'remove' | 'calls'>>;
  readonly directory: ConferenceDirectory;
  /** Rooms with a live status message. */
  readonly watchedRooms: () => readonly RoomRef[];
  /** Poll interval (config `quality.pollIntervalSec`). */
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly logger?: Logger;
}

/** A participant's line for `quality` and `show`: figures when a sensor lists the call. */
export interface ParticipantLine {
  readonly participant: Participant;
  readonly state: LineState | undefined;
}

export interface LineQualityMonitor {
  /** Hears every mark change (see LineQualityReport); returns the unsubscribe function. */
  subscribe(listener: (report: LineQualityReport) => void): () => void;
  /** Polls every room's participants until the returned release is called (poor-line alert rules). */
  demand(): () => void;
  /** The lines measured in a room, by Uniqueid (what the status message shows). */
  linesOf(pbx: string, room: string): ReadonlyMap<string, LineState>;
  /**
   * Fresh figures for a room's participants (one listing per sensor, shared with a poll in flight).
   * Throws the sensors' error when none answers.
   */
  lookup(pbx: string, room: string): Promise<ParticipantLine[]>;
  /** True while it watches the sensors' listings. */
  polling(): boolean;
  /** Listings folded in so far, and lines measured now (metrics, tests). */
  stats(): { readonly listings: number; readonly lines: number };
  start(): void;
  stop(): void;
}

export function createQualityMonitor(deps: QualityMonitorDeps): LineQualityMonitor {
  const log = (deps.logger ?? silentLogger()).child({ component: 'quality' });
  const tracker = new QualityTracker();
  const listeners = new Set<(report: LineQualityReport) => void>();
  /** Call-IDs by `pbx\nuniqueid`: read once per participant (undefined: the channel has none). */
  const callIds = new Map<string, Promise<string | undefined>>();
  const busy = new Set<string>();
  let demands = 0;
  let listings = 0;
  let registered = false;
  let started = false;
  let checkTimer: TimerHandle | undefined;

  const emit = (reports: readonly LineQualityReport[]): void => {
    for (const r of reports) {
      for (const listener of [...listeners]) {
        try {
          listener(r);
        } catch (err) {
          log.error({ err, pbx: r.pbx, room: r.room }, 'line quality listener threw');
        }
      }
    }
  };

  function roomsInScope(): RoomRef[] {
    if (demands === 0) return [...deps.watchedRooms()];
    const all: RoomRef[] = [];
    for (const pbx of deps.directory.pbxIds()) for (const room of deps.directory.backend(pbx).state().rooms.keys()) all.push({ pbx, room });
    return all;
  }

  function participantsInScope(): Participant[] {
    const out: Participant[] = [];
    for (const { pbx, room } of roomsInScope()) {
      let state;
      try {
        state = deps.directory.backend(pbx).state();
      } catch {
        continue;
      }
      const r = state.rooms.get(room);
      if (r !== undefined && r.endedAt === undefined) out.push(...r.participants.values());
    }
    return out;
  }

  const wanted = (): boolean => demands > 0 || participantsInScope().some((p) => callIdVariable(p.tech) !== undefined);

  function callIdOf(p: Participant): Promise<string | undefined> {
    const key = `${p.pbx}\n${p.uniqueid}`;
    let pending = callIds.get(key);
    if (pending !== undefined) return pending;
    const variable = callIdVariable(p.tech);
    pending = variable === undefined
      ? Promise.resolve(undefined)
      : deps.directory.backend(p.pbx).getChannelVar(p.channel, variable).then(
        (v) => v?.trim() || undefined,
        (err: unknown) => {
          // Not cached: the next poll asks again.
          callIds.delete(key);
          log.warn({ pbx: p.pbx, err: err instanceof Error ? err.message : String(err) }, 'cannot read a SIP Call-ID');
          return undefined;
        },
      );
    callIds.set(key, pending);
    return pending;
  }

  async function watchedLines(participants: readonly Participant[]): Promise<WatchedLine[]> {
    const ids = await Promise.all(participants.map(callIdOf));
    const lines: WatchedLine[] = [];
    participants.forEach((p, i) => {
      const callId = ids[i];
      if (callId !== undefined) lines.push({ pbx: p.pbx, room: p.room, uniqueid: p.uniqueid, label: participantLabel(p), callId });
    });
    return lines;
  }

  async function listed(sensor: string, calls: readonly SensorCall[]): Promise<void> {
    const participants = participantsInScope();
    const present = new Set(participants.map((p) => `${p.pbx}\n${p.uniqueid}`));
    for (const key of callIds.keys()) if (!present.has(key)) callIds.delete(key);
    const lines = await watchedLines(participants);
    if (!registered) return;
    emit(tracker.observe(sensor, calls, lines, deps.clock.now()));
    listings += 1;
    if (!wanted()) unregister();
  }

  const watchers = new Map<string, CallWatcher>();
  for (const sensor of deps.watches.keys()) {
    watchers.set(sensor, {
      callsListed(calls) {
        if (busy.has(sensor)) return;
        busy.add(sensor);
        listed(sensor, calls)
          .catch((err: unknown) => log.error({ err, sensor }, 'line quality update failed'))
          .finally(() => busy.delete(sensor));
      },
      // A sensor that does not answer has no current figures: its marks go rather than go stale (the
      // call watch logs the failure).
      callCheckFailed: () => {
        if (registered) emit(tracker.forgetSensor(sensor));
      },
    });
  }

  function register(): void {
    if (registered) return;
    registered = true;
    if (checkTimer !== undefined) deps.clock.clearTimeout(checkTimer);
    checkTimer = undefined;
    for (const [sensor, watch] of deps.watches) {
      const watcher = watchers.get(sensor);
      if (watcher === undefined) continue;
      watch.add(watcher, deps.intervalMs);
      // Marks show as soon as a room is watched, not one interval later (shares a listing in flight).
      watch.calls().then((calls) => watcher.callsListed(calls), () => undefined);
    }
    log.debug('line quality polling started');
  }

  function unregister(): void {
    if (registered) {
      registered = false;
      for (const [sensor, watch] of deps.watches) {
        const watcher = watchers.get(sensor);
        if (watcher !== undefined) watch.remove(watcher);
      }
      callIds.clear();
      emit(tracker.clear());
      log.debug('line quality polling stopped');
    }
    if (started) scheduleCheck();
  }

  /** While idle, a look at the watched rooms every second or so (no I/O) notices when there is work. */
  function scheduleCheck(): void {
    if (checkTimer !== undefined) return;
    checkTimer = deps.clock.setTimeout(() => {
      checkTimer = undefined;
      check();
    }, Math.min(deps.intervalMs, IDLE_CHECK_MS));
  }

  function check(): void {
    if (!started || registered) return;
    if (wanted()) register();
    else scheduleCheck();
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    demand() {
      demands += 1;
      check();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        demands -= 1;
      };
    },
    linesOf: (pbx, room) => tracker.linesOf(pbx, room),
    async lookup(pbx, room) {
      const r = deps.directory.backend(pbx).state().rooms.get(room);
      const participants = r === undefined ? [] : [...r.participants.values()];
      const lines = await watchedLines(participants);
      const listings = await Promise.allSettled([...deps.watches].map(async ([sensor, watch]) => ({ sensor, calls: await watch.calls() })));
      const failed = listings.find((l) => l.status === 'rejected');
      if (failed !== undefined && listings.every((l) => l.status === 'rejected')) throw failed.reason;
      const known = tracker.linesOf(pbx, room);
      return participants.map((participant) => {
        const line = lines.find((l) => l.uniqueid === participant.uniqueid);
        if (line === undefined) return { participant, state: undefined };
        for (const listing of listings) {
          if (listing.status !== 'fulfilled') continue;
          const call = listing.value.calls.find((c) => c.callId === line.callId);
          if (call !== undefined) return { participant, state: freshState(line, listing.value.sensor, call, known.get(participant.uniqueid), deps.clock.now()) };
        }
        return { participant, state: undefined };
      });
    },
    polling: () => registered,
    stats: () => ({ listings, lines: tracker.size }),
    start() {
      if (started) return;
      started = true;
      check();
    },
    stop() {
      started = false;
      if (checkTimer !== undefined) deps.clock.clearTimeout(checkTimer);
      checkTimer = undefined;
      unregister();
      listeners.clear();
    },
  };
}
