import { globMatch } from '../core/policy.ts';
import { ruleMatches } from './match.ts';
import { ruleTargets, type AlertRule } from './rules.ts';
import type { AlertSignal } from './signals.ts';
import {
  DEDUP_TTL_MS, RESOLVED_RETENTION_MS,
  type AlertCounters, type AlertEffect, type AlertState, type AlertStep, type AuditKind, type Incident, type Rules,
} from './incident.ts';

export * from './incident.ts';

/**
 * Incidents as a pure reducer: signals, presses and clock ticks in; new state and effects (post to a
 * target, edit the incident's messages, audit) out. The effect runner does the I/O and the store
 * keeps the state, so a restart neither re-sends an acked alert nor forgets a pending escalation.
 *
 * - One incident per (rule, Uniqueid): a signal seen before for the rule is dropped.
 * - Flapping: the same caller dropping from the same room again within the rule's window folds into
 *   the open incident (its count goes up, its message is edited) instead of paging again.
 * - Storms: more than `storm.perMinute` signals in a minute for one rule open one digest incident;
 *   later signals fold into it until `storm.quietSec` pass without one, then the digest closes with
 *   a summary.
 * - Escalation: an incident nobody acked is posted to the next target every `afterMinutes`.
 * - Poor lines: one incident per bad episode of a line; the line's recovery resolves it, and the
 *   same line going bad again within the flap window reopens it instead of paging again.
 */

/**
 * An acked incident nobody resolved closes itself this long after the ack, or after its latest
 * signal if one folded in since (a storm still going, a caller still flapping): a hangup has no "all
 * clear" of its own, and without it incidents acked and forgotten would be kept for ever. A poor
 * line has one (its recovery) and is left to it.
 */
export const ACKED_AUTO_RESOLVE_MS = 24 * 3_600_000;

/** When `inc` closes itself for want of a Resolve, if it does. */
function autoResolveAt(inc: Incident): number | undefined {
  if (inc.status !== 'acked' || inc.ack === undefined || inc.first.kind === 'poor_line') return undefined;
  return Math.max(inc.ack.at, inc.latest.at) + ACKED_AUTO_RESOLVE_MS;
}
/** Who resolves an incident acked a day ago, as the message and the audit trail say it. */
export const ACK_EXPIRY = 'the bot, a day after the ack';
const MINUTE_MS = 60_000;


/**
 * Signals in, incidents out. `newId` names a new incident from its dedup key (short: it travels in
 * button ids; replicas derive it alike, see ownership.ts).
 */
export function raise(state: AlertState, signal: AlertSignal, rules: Rules, now: number, newId: (dedupKey: string) => string): AlertStep {
  let st = state;
  const effects: AlertEffect[] = [];
  for (const rule of rules.values()) {
    if (!ruleMatches(rule, signal)) continue;
    const step = raiseFor(st, rule, signal, now, newId);
    st = step.state;
    effects.push(...step.effects);
  }
  return { state: st, effects };
}

/**
 * One signal for one rule, bypassing the match: poor-line signals are judged per rule by the
 * quality watch, which has already applied the rule's thresholds.
 */
export function raiseFor(state: AlertState, rule: AlertRule, signal: AlertSignal, now: number, newId: (dedupKey: string) => string): AlertStep {
  if (isSilenced(state, rule.id, signal.pbx, signal.room, now)) return { state: count(state, 'suppressed'), effects: [] };
  const key = signal.quality !== undefined ? poorLineKey(state, rule.id, signal) : `${rule.id}|${signalKey(signal)}`;
  if (state.dedup.has(key)) return { state, effects: [] };
  const dedup = new Map(state.dedup).set(key, now + DEDUP_TTL_MS);
  const recent = [...(state.rates.get(rule.id) ?? []).filter((t) => now - t < MINUTE_MS), now];
  const rates = new Map(state.rates).set(rule.id, recent);
  const st: AlertState = { ...state, dedup, rates };

  const stormId = st.storms.get(rule.id);
  const storm = stormId === undefined ? undefined : st.incidents.get(stormId);
  if (storm !== undefined) return fold(count(st, 'folded'), storm, signal, now);

  const flap = findFlap(st, rule, signal, now);
  if (flap !== undefined) return fold(count(st, 'folded'), flap, signal, now);

  if (recent.length > rule.storm.perMinute) return openIncident(count(st, 'digests'), rule, signal, now, newId(key), recent.length);
  return openIncident(count(st, 'raised'), rule, signal, now, newId(key), undefined);
}

/**
 * A poor line's signal is one per bad episode of the channel, numbered by the episodes already keyed
 * (kept as long as their dedup keys). Not by when the episode began: each replica polls the sensor
 * at its own moments, but all count the same episodes, so all derive the same incident.
 */
function poorLineKey(state: AlertState, ruleId: string, signal: AlertSignal): string {
  const prefix = `${ruleId}|${signal.kind}|${signal.pbx}|${signal.uniqueid ?? signal.room}|#`;
  let episodes = 0;
  for (const key of state.dedup.keys()) if (key.startsWith(prefix)) episodes += 1;
  return `${prefix}${episodes + 1}`;
}

/** A participant's signal is one per channel; a room's is one per leave that emptied it, else one per moment. */
function signalKey(signal: AlertSignal): string {
  return signal.uniqueid !== undefined
    ? `${signal.kind}|${signal.pbx}|${signal.uniqueid}`
    : `${signal.kind}|${signal.pbx}|${signal.room}|${signal.causedBy ?? signal.at}`;
}

function findFlap(state: AlertState, rule: AlertRule, signal: AlertSignal, now: number): Incident | undefined {
  if (rule.flapWindowSec === 0 || signal.callerNum === undefined) return undefined;
  for (const inc of state.incidents.values()) {
    if (inc.digest || inc.ruleId !== rule.id || (inc.status === 'resolved' && inc.recoveredAt === undefined)) continue;
    const l = inc.latest;
    if (l.pbx === signal.pbx && l.room === signal.room && l.callerNum === signal.callerNum && now - l.at <= rule.flapWindowSec * 1000) return inc;
  }
  return undefined;
}

function fold(state: AlertState, inc: Incident, signal: AlertSignal, now: number): AlertStep {
  const tallyKey = tallyOf(signal);
  // A recovered line that went bad again: the incident is open again (or acked, if it was).
  const reopened = inc.recoveredAt === undefined ? {} : { status: inc.ack === undefined ? 'open' as const : 'acked' as const, resolved: undefined, recoveredAt: undefined };
  const next: Incident = {
    ...inc,
    ...reopened,
    latest: signal,
    count: inc.count + 1,
    tally: inc.digest ? { ...inc.tally, [tallyKey]: (inc.tally[tallyKey] ?? 0) + 1 } : inc.tally,
    pbxs: inc.pbxs.includes(signal.pbx) ? inc.pbxs : [...inc.pbxs, signal.pbx],
    updatedAt: now,
  };
  return { state: putIncident(state, next), effects: [{ type: 'update', incidentId: inc.id }] };
}

function tallyOf(signal: AlertSignal): string {
  return signal.cause !== undefined ? String(signal.cause) : signal.kind;
}

function openIncident(state: AlertState, rule: AlertRule, signal: AlertSignal, now: number, id: string, stormCount: number | undefined): AlertStep {
  const digest = stormCount !== undefined;
  const inc: Incident = {
    id, ruleId: rule.id, digest, first: signal, latest: signal, count: stormCount ?? 1,
    tally: digest ? { [tallyOf(signal)]: 1 } : {}, pbxs: [signal.pbx],
    status: 'open', openedAt: now, updatedAt: now, ack: undefined, resolved: undefined, silencedUntil: undefined,
    stormEndedAt: undefined, paged: rule.targets.length,
    nextEscalationAt: rule.escalation === undefined ? undefined : now + rule.escalation.afterMinutes * MINUTE_MS,
    recoveredAt: undefined, muted: undefined,
  };
  let st = putIncident(state, inc);
  if (digest) st = { ...st, storms: new Map(st.storms).set(rule.id, id) };
  const effects: AlertEffect[] = rule.targets.map((_, targetIndex) => ({ type: 'post', incidentId: id, targetIndex }));
  effects.push({ type: 'audit', kind: digest ? 'storm_started' : 'alert_raised', incidentId: id, ruleId: rule.id, by: undefined });
  return { state: st, effects };
}

export type PressOutcome = 'done' | 'not_found' | 'already_acked' | 'already_resolved';

export interface PressStep extends AlertStep {
  readonly outcome: PressOutcome;
  readonly incident: Incident | undefined;
}

export function ack(state: AlertState, id: string, by: string, now: number): PressStep {
  const inc = state.incidents.get(id);
  if (inc === undefined) return unchanged(state, 'not_found', undefined);
  if (inc.status === 'resolved') return unchanged(state, 'already_resolved', inc);
  if (inc.status === 'acked') return unchanged(state, 'already_acked', inc);
  const next: Incident = { ...inc, status: 'acked', ack: { by, at: now }, nextEscalationAt: undefined, updatedAt: now };
  return pressed(count(putIncident(state, next), 'acked'), next, 'alert_acked', by);
}

export function resolve(state: AlertState, id: string, by: string, now: number): PressStep {
  const inc = state.incidents.get(id);
  if (inc === undefined) return unchanged(state, 'not_found', undefined);
  if (inc.status === 'resolved') return unchanged(state, 'already_resolved', inc);
  const next: Incident = {
    ...inc, status: 'resolved', resolved: { by, at: now }, nextEscalationAt: undefined, updatedAt: now, recoveredAt: undefined,
    stormEndedAt: inc.digest ? (inc.stormEndedAt ?? now) : undefined,
  };
  let st = count(putIncident(state, next), 'resolved');
  if (inc.digest && st.storms.get(inc.ruleId) === id) st = { ...st, storms: withoutKey(st.storms, inc.ruleId) };
  return pressed(st, next, 'alert_resolved', by);
}

/** Who resolves an incident whose line recovered, as the message and the audit trail say it. */
export const RECOVERY = 'line recovered';

/**
 * A poor line recovered: its open incident is resolved and keeps the whole episode (`summary`: worst
 * figures, how long) as its latest signal. A line with no open incident changes nothing.
 */
export function recover(state: AlertState, ruleId: string, pbx: string, uniqueid: string, summary: AlertSignal, now: number): AlertStep {
  const inc = [...state.incidents.values()].find((i) => !i.digest && i.ruleId === ruleId && i.status !== 'resolved'
    && i.first.kind === 'poor_line' && i.latest.pbx === pbx && i.latest.uniqueid === uniqueid);
  if (inc === undefined) return { state, effects: [] };
  const next: Incident = {
    ...inc, latest: summary, status: 'resolved', resolved: { by: RECOVERY, at: now }, recoveredAt: now, nextEscalationAt: undefined, updatedAt: now,
  };
  return {
    state: count(putIncident(state, next), 'resolved'),
    effects: [{ type: 'update', incidentId: inc.id }, { type: 'audit', kind: 'alert_resolved', incidentId: inc.id, ruleId, by: undefined }],
  };
}

/** Someone muted the incident's participant from its Mute button: the message says so. */
export function noteMuted(state: AlertState, id: string, by: string, now: number): AlertStep {
  const inc = state.incidents.get(id);
  if (inc === undefined) return { state, effects: [] };
  return { state: putIncident(state, { ...inc, muted: { by, at: now }, updatedAt: now }), effects: [{ type: 'update', incidentId: id }] };
}

/**
 * Mutes the incident's rule for its room (a digest's: every room) for `durationMs`, and acks the
 * incident so that it stops escalating.
 */
export function silence(state: AlertState, id: string, durationMs: number, by: string, now: number): PressStep {
  const inc = state.incidents.get(id);
  if (inc === undefined) return unchanged(state, 'not_found', undefined);
  if (inc.status === 'resolved') return unchanged(state, 'already_resolved', inc);
  const until = now + durationMs;
  const room = inc.digest ? '*' : inc.first.room;
  const pbx = inc.digest ? '*' : inc.first.pbx;
  const silences = [...state.silences.filter((s) => !(s.ruleId === inc.ruleId && s.pbx === pbx && s.room === room)), { ruleId: inc.ruleId, pbx, room, until, by }];
  const next: Incident = {
    ...inc, status: 'acked', ack: inc.ack ?? { by, at: now }, silencedUntil: until, nextEscalationAt: undefined, updatedAt: now,
  };
  return pressed(count({ ...putIncident(state, next), silences }, 'silenced'), next, 'alert_silenced', by);
}

function isSilenced(state: AlertState, ruleId: string, pbx: string, room: string, now: number): boolean {
  return state.silences.some((s) => s.ruleId === ruleId && s.until > now && globMatch(s.pbx, pbx) && globMatch(s.room, room));
}

/** Escalations that are due, storms that have passed, and bookkeeping that has expired. */
export function tick(state: AlertState, rules: Rules, now: number): AlertStep {
  let st = state;
  const effects: AlertEffect[] = [];
  for (const inc of state.incidents.values()) {
    const rule = rules.get(inc.ruleId);
    if (inc.status === 'open' && inc.nextEscalationAt !== undefined && inc.nextEscalationAt <= now) {
      const step = escalate(st, inc, rule, now);
      st = step.state;
      effects.push(...step.effects);
    }
    const autoAt = autoResolveAt(inc);
    if (autoAt !== undefined && now >= autoAt) {
      const step = resolve(st, inc.id, ACK_EXPIRY, now);
      st = step.state;
      // Nobody pressed anything: the audit line names no one.
      effects.push(...step.effects.map((e) => (e.type === 'audit' ? { ...e, by: undefined } : e)));
      continue;
    }
    const stormOver = inc.digest && inc.stormEndedAt === undefined && now - inc.latest.at >= (rule?.storm.quietSec ?? 0) * 1000;
    if (stormOver) {
      const closed: Incident = { ...(st.incidents.get(inc.id) ?? inc), stormEndedAt: now, updatedAt: now };
      st = { ...putIncident(st, closed), storms: withoutKey(st.storms, inc.ruleId) };
      effects.push({ type: 'update', incidentId: inc.id }, { type: 'audit', kind: 'storm_ended', incidentId: inc.id, ruleId: inc.ruleId, by: undefined });
    }
  }
  return { state: prune(st, now), effects };
}

function escalate(state: AlertState, inc: Incident, rule: AlertRule | undefined, now: number): AlertStep {
  const targets = rule === undefined ? [] : ruleTargets(rule);
  if (rule?.escalation === undefined || inc.paged >= targets.length) {
    return { state: putIncident(state, { ...inc, nextEscalationAt: undefined }), effects: [] };
  }
  const paged = inc.paged + 1;
  const next: Incident = {
    ...inc, paged, updatedAt: now,
    nextEscalationAt: paged < targets.length ? now + rule.escalation.afterMinutes * MINUTE_MS : undefined,
  };
  return {
    state: count(putIncident(state, next), 'escalated'),
    effects: [
      { type: 'post', incidentId: inc.id, targetIndex: inc.paged },
      { type: 'update', incidentId: inc.id },
      { type: 'audit', kind: 'alert_escalated', incidentId: inc.id, ruleId: inc.ruleId, by: undefined },
    ],
  };
}

function prune(state: AlertState, now: number): AlertState {
  const dedup = new Map([...state.dedup].filter(([, until]) => until > now));
  const rates = new Map([...state.rates].map(([id, times]) => [id, times.filter((t) => now - t < MINUTE_MS)] as const).filter(([, t]) => t.length > 0));
  const silences = state.silences.filter((s) => s.until > now);
  const incidents = new Map([...state.incidents].filter(([, inc]) => inc.resolved === undefined || now - inc.resolved.at < RESOLVED_RETENTION_MS));
  const same = dedup.size === state.dedup.size && rates.size === state.rates.size && silences.length === state.silences.length && incidents.size === state.incidents.size;
  return same ? state : { ...state, dedup, rates, silences, incidents };
}

/** The earliest time `tick` has work to do, so the runner can sleep until then. */
export function nextDue(state: AlertState, rules: Rules): number | undefined {
  let due: number | undefined;
  const consider = (t: number) => { due = due === undefined ? t : Math.min(due, t); };
  for (const inc of state.incidents.values()) {
    if (inc.status === 'open' && inc.nextEscalationAt !== undefined) consider(inc.nextEscalationAt);
    const autoAt = autoResolveAt(inc);
    if (autoAt !== undefined) consider(autoAt);
    // The prune of a resolved incident is work too: without it, it waits for the next signal.
    if (inc.resolved !== undefined) consider(inc.resolved.at + RESOLVED_RETENTION_MS);
    if (inc.digest && inc.stormEndedAt === undefined) consider(inc.latest.at + (rules.get(inc.ruleId)?.storm.quietSec ?? 0) * 1000);
  }
  return due;
}

function putIncident(state: AlertState, inc: Incident): AlertState {
  return { ...state, incidents: new Map(state.incidents).set(inc.id, inc) };
}

function count(state: AlertState, key: keyof AlertCounters): AlertState {
  return { ...state, counters: { ...state.counters, [key]: state.counters[key] + 1 } };
}

function withoutKey<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}

function unchanged(state: AlertState, outcome: PressOutcome, incident: Incident | undefined): PressStep {
  return { state, effects: [], outcome, incident };
}

function pressed(state: AlertState, inc: Incident, kind: AuditKind, by: string): PressStep {
  return {
    state, outcome: 'done', incident: inc,
    effects: [{ type: 'update', incidentId: inc.id }, { type: 'audit', kind, incidentId: inc.id, ruleId: inc.ruleId, by }],
  };
}
