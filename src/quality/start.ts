import type { ConferenceDirectory } from '../conference/backend.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { StatusView, StatusViewInput } from '../core/views.ts';
import { CallWatch, type CallListSource } from '../listen/call-watch.ts';
import type { Logger } from '../log.ts';
import type { QualityService } from '../core/services.ts';
import { createQualityMonitor, type LineQualityMonitor, type RoomRef } from './monitor.ts';
import { createQualityService } from './service.ts';
import { refreshStatusOnMarks, renderWithLineMarks, type RoomRefresher } from './status-marks.ts';

/** Wiring of line quality for main.ts: the shared pollers, the monitor, and its status-message side. */

/** How often a listening session checks its call is still up (the hub's default). */
const CALL_CHECK_MS = 1000;

/** One shared `listcalls` poller per sensor, for listening and line quality alike. */
export function sensorCallWatches(sensors: readonly CallListSource[], logger: Logger, clock: Clock = systemClock): Map<string, CallWatch> {
  const log = logger.child({ component: 'call-watch' });
  return new Map(sensors.map((s) => [s.id, new CallWatch(s, CALL_CHECK_MS, clock, log)]));
}

export interface LineQuality {
  readonly monitor: LineQualityMonitor;
  /** For the `quality` command. */
  readonly service: QualityService;
  /** The status renderer with line marks. */
  readonly render: (input: StatusViewInput) => StatusView;
  /** Starts polling for the status service's watched rooms, refreshing their messages on mark changes. */
  attach(status: RoomRefresher & { watchedRooms(): readonly RoomRef[] }): void;
  stop(): void;
}

export interface LineQualityOptions {
  readonly callWatches: ReadonlyMap<string, CallWatch>;
  readonly directory: ConferenceDirectory;
  readonly pollIntervalSec: number;
  readonly logger: Logger;
  readonly clock?: Clock;
}

export function startLineQuality(options: LineQualityOptions): LineQuality {
  const clock = options.clock ?? systemClock;
  let watched: () => readonly RoomRef[] = () => [];
  const monitor = createQualityMonitor({
    watches: options.callWatches, directory: options.directory, watchedRooms: () => watched(), intervalMs: options.pollIntervalSec * 1000, clock,
    logger: options.logger,
  });
  let stopRefresh: (() => void) | undefined;
  return {
    monitor,
    service: createQualityService(monitor),
    render: renderWithLineMarks(monitor),
    attach(status) {
      watched = () => status.watchedRooms();
      stopRefresh = refreshStatusOnMarks(monitor, status, clock);
      monitor.start();
    },
    stop() {
      stopRefresh?.();
      monitor.stop();
    },
  };
}
