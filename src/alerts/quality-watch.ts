import type { Incident, Rules } from './engine.ts';
import { ruleMatches } from './match.ts';
import { poorLineThresholds, type AlertRule } from './rules.ts';
import type { AlertSignal } from './signals.ts';

/**
 * Poor-line episodes per (rule, line), as a pure reducer: quality samples in, alert signals and
 * recoveries out. A line is bad for a rule while its MOS is below the rule's `mosBelow` or its loss
 * above `lossAbovePct`; it alerts once it stayed bad for `forSec` (one good sample before then ends
 * the episode), and recovers after RECOVER_SAMPLES good samples in a row, so a line hovering at
 * the threshold neither pages twice nor resolves and reopens on every poll.
 */

export const RECOVER_SAMPLES = 2;

/** One participant's line quality from one sensor poll; the alerts' own narrow view of it. */
export interface LineSample {
  readonly pbx: string;
  readonly room: string;
  readonly uniqueid: string;
  readonly channel: string | undefined;
  readonly tech: string | undefined;
  readonly callerNum: string | undefined;
  readonly callerName: string | undefined;
  /** The worse direction's MOS, 1.0–4.5; undefined when the sensor gave none. */
  readonly mos: number | undefined;
  /** Packet loss in the last 10 s, worse direction, percent. */
  readonly lossPct: number | undefined;
  /** How long the line has been in the room, seconds. */
  readonly inRoomSec: number | undefined;
}

interface Episode {
  readonly badSince: number;
  readonly worstMos: number | undefined;
  readonly worstLoss: number | undefined;
  readonly raised: boolean;
  readonly goodRun: number;
  readonly sample: LineSample;
}

/** `rule|pbx|uniqueid` → the line's current bad episode for that rule. */
export type QualityWatchState = ReadonlyMap<string, Episode>;

export const EMPTY_QUALITY_WATCH: QualityWatchState = new Map();

export interface Recovery {
  readonly ruleId: string;
  readonly pbx: string;
  readonly uniqueid: string;
  /** The whole episode: worst figures and how long it lasted. */
  readonly summary: AlertSignal;
}

export interface QualityStep {
  readonly state: QualityWatchState;
  readonly raises: readonly { readonly rule: AlertRule; readonly signal: AlertSignal }[];
  readonly recoveries: readonly Recovery[];
}

function lineKey(ruleId: string, pbx: string, uniqueid: string): string {
  return `${ruleId}|${pbx}|${uniqueid}`;
}

function minOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function maxOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

/** Whether `sample` is bad for `rule`; undefined when it carries none of the figures the rule looks at. */
export function isBad(rule: AlertRule, sample: Pick<LineSample, 'mos' | 'lossPct'>): boolean | undefined {
  const t = poorLineThresholds(rule);
  const mosBad = t.mosBelow === undefined || sample.mos === undefined ? undefined : sample.mos < t.mosBelow;
  const lossBad = t.lossAbovePct === undefined || sample.lossPct === undefined ? undefined : sample.lossPct > t.lossAbovePct;
  if (mosBad === undefined && lossBad === undefined) return undefined;
  return mosBad === true || lossBad === true;
}

/** The signal of an episode: the line's identity and its worst figures so far. */
export function poorLineSignal(sample: LineSample, e: Pick<Episode, 'badSince' | 'worstMos' | 'worstLoss'>, now: number): AlertSignal {
  return {
    kind: 'poor_line', pbx: sample.pbx, room: sample.room, uniqueid: sample.uniqueid, channel: sample.channel, tech: sample.tech,
    callerNum: sample.callerNum, callerName: sample.callerName, cause: undefined, causeText: undefined, techCause: undefined,
    durationSec: sample.inRoomSec, at: now, injection: undefined, talkers: [],
    quality: { mos: e.worstMos, lossPct: e.worstLoss, poorSec: Math.max(0, Math.floor((now - e.badSince) / 1000)), since: e.badSince },
  };
}

/** One sample of one line, judged by every poor_line rule that covers it. */
export function onLineSample(state: QualityWatchState, sample: LineSample, rules: Rules, now: number): QualityStep {
  const next = new Map(state);
  const raises: { rule: AlertRule; signal: AlertSignal }[] = [];
  const recoveries: Recovery[] = [];
  for (const rule of rules.values()) {
    const key = lineKey(rule.id, sample.pbx, sample.uniqueid);
    const episode = state.get(key);
    // The match ignores duration limits: a poor line alerts however long it has been in the room.
    const covered = rule.when === 'poor_line'
      && ruleMatches(rule, { ...poorLineSignal(sample, { badSince: now, worstMos: undefined, worstLoss: undefined }, now), durationSec: undefined });
    // A rule turned off or muted raises nothing new, but a line it already paged for still recovers.
    if (!covered && (episode?.raised !== true || rule.when !== 'poor_line')) {
      if (episode !== undefined) next.delete(key);
      continue;
    }
    const bad = isBad(rule, sample);
    if (bad === undefined) continue;
    if (bad) {
      if (!covered) continue;
      const base = episode ?? { badSince: now, worstMos: undefined, worstLoss: undefined, raised: false, goodRun: 0, sample };
      const updated: Episode = {
        ...base, sample, goodRun: 0, worstMos: minOf(base.worstMos, sample.mos), worstLoss: maxOf(base.worstLoss, sample.lossPct),
      };
      const due = !updated.raised && now - updated.badSince >= poorLineThresholds(rule).forSec * 1000;
      next.set(key, due ? { ...updated, raised: true } : updated);
      if (due) raises.push({ rule, signal: poorLineSignal(sample, updated, now) });
      continue;
    }
    if (episode === undefined) continue;
    if (!episode.raised) {
      next.delete(key);
      continue;
    }
    const goodRun = episode.goodRun + 1;
    if (goodRun < RECOVER_SAMPLES) {
      next.set(key, { ...episode, goodRun, sample });
      continue;
    }
    next.delete(key);
    recoveries.push({ ruleId: rule.id, pbx: sample.pbx, uniqueid: sample.uniqueid, summary: poorLineSignal(episode.sample, episode, now) });
  }
  return { state: next, raises, recoveries };
}

/** The line left its room: its episodes end without a recovery (the incident stays as it is). */
export function onLineGone(state: QualityWatchState, pbx: string, uniqueid: string): QualityWatchState {
  const suffix = `|${pbx}|${uniqueid}`;
  const kept = [...state].filter(([key]) => !key.endsWith(suffix));
  return kept.length === state.size ? state : new Map(kept);
}

/**
 * After a restart: each open poor-line incident waits for its line's recovery again (the episodes
 * live in memory; the incidents, in the store), so a line that recovers resolves it as before.
 */
export function resumeEpisodes(incidents: Iterable<Incident>): QualityWatchState {
  const state = new Map<string, Episode>();
  for (const inc of incidents) {
    const s = inc.latest;
    if (inc.digest || inc.status === 'resolved' || s.kind !== 'poor_line' || s.uniqueid === undefined || s.quality === undefined) continue;
    const sample: LineSample = {
      pbx: s.pbx, room: s.room, uniqueid: s.uniqueid, channel: s.channel, tech: s.tech, callerNum: s.callerNum, callerName: s.callerName,
      mos: s.quality.mos, lossPct: s.quality.lossPct, inRoomSec: s.durationSec,
    };
    state.set(lineKey(inc.ruleId, s.pbx, s.uniqueid), {
      badSince: s.quality.since, worstMos: s.quality.mos, worstLoss: s.quality.lossPct, raised: true, goodRun: 0, sample,
    });
  }
  return state;
}
