import type { ConferenceDirectory } from '../conference/backend.ts';
import type { LineSample } from './quality-watch.ts';
import type { AlertService } from './service.ts';

/**
 * Line-quality reports from the sensor poller into the alert service, and the poller's demand: it
 * polls for alerts only while a poor-line rule is on. A report names the participant; who it is
 * (number, name, channel) is read from the conference state, so an alert names the person as the
 * room's status message does, and a report for someone who already left is dropped.
 */

/** One participant's figures from one poll, as the poller reports them. */
export interface LineReport {
  readonly pbx: string;
  readonly room: string;
  /** The participant's channel Uniqueid. */
  readonly uniqueid: string;
  /** The worse direction's MOS over the last interval. */
  readonly mos: number | undefined;
  /** Packet loss in the last 10 s, worse direction, percent. */
  readonly lossPct: number | undefined;
}

/** What the alerts need of the poller. */
export interface LineQualityFeed {
  /** Every participant report of every poll; returns the unsubscribe. */
  subscribe(listener: (report: LineReport) => void): () => void;
  /** Keeps the poller polling until the returned release is called. */
  demand(): () => void;
}

export function sampleOf(directory: Pick<ConferenceDirectory, 'backend'>, report: LineReport, now: number): LineSample | undefined {
  let room;
  try {
    room = directory.backend(report.pbx).state().rooms.get(report.room);
  } catch {
    return undefined;
  }
  const p = room?.participants.get(report.uniqueid);
  if (p === undefined) return undefined;
  return {
    pbx: report.pbx, room: report.room, uniqueid: report.uniqueid, channel: p.channel, tech: p.tech,
    callerNum: p.callerNum, callerName: p.callerName, mos: report.mos, lossPct: report.lossPct,
    inRoomSec: Math.max(0, Math.floor((now - p.joinedAt) / 1000)),
  };
}

export interface QualityFeedHandle {
  /** Takes or releases the poller's demand to match the rules (call after every rule change). */
  sync(): void;
  stop(): void;
}

export function feedLineQuality(
  feed: LineQualityFeed, directory: Pick<ConferenceDirectory, 'backend'>, service: Pick<AlertService, 'observeLine'>, wanted: () => boolean, now: () => number,
): QualityFeedHandle {
  let release: (() => void) | undefined;
  const unsubscribe = feed.subscribe((report) => {
    const sample = sampleOf(directory, report, now());
    if (sample !== undefined) service.observeLine(sample);
  });
  const sync = (): void => {
    const want = wanted();
    if (want && release === undefined) release = feed.demand();
    if (!want && release !== undefined) {
      release();
      release = undefined;
    }
  };
  sync();
  return {
    sync,
    stop() {
      unsubscribe();
      release?.();
      release = undefined;
    },
  };
}
