import { describe, expect, it } from 'vitest';
import { EMPTY_ALERT_STATE, RECOVERY, raiseFor, recover, silence, type AlertState } from '../../src/alerts/engine.ts';
import { EMPTY_QUALITY_WATCH, onLineGone, onLineSample, type LineSample, type QualityStep, type QualityWatchState } from '../../src/alerts/quality-watch.ts';
import { parseRule, type AlertRule } from '../../src/alerts/rules.ts';
import { alertWords, headline } from '../../src/alerts/text.ts';
import { ids, rule, rules } from './fixtures.ts';

/** Poor-line alerts as pure steps: the clock is the `now` each step is given. */

const SEC = 1_000;

function sample(over: Partial<LineSample> = {}): LineSample {
  return {
    pbx: 'pbx1', room: '200', uniqueid: '1700000000.7', channel: 'PJSIP/701-00000007', tech: 'PJSIP',
    callerNum: '701', callerName: 'Tim', mos: 4.3, lossPct: 0, inRoomSec: 600, ...over,
  };
}

/** Feeds one sample every 5 s from `from`; returns every step. */
function poll(state: QualityWatchState, r: ReadonlyMap<string, AlertRule>, samples: readonly Partial<LineSample>[], from = 0): { state: QualityWatchState; steps: QualityStep[] } {
  const steps: QualityStep[] = [];
  let st = state;
  samples.forEach((s, i) => {
    const step = onLineSample(st, sample(s), r, from + i * 5 * SEC);
    st = step.state;
    steps.push(step);
  });
  return { state: st, steps };
}

const bad = { mos: 2.1, lossPct: 9 };
const good = { mos: 4.2, lossPct: 0 };

describe('poor-line watch', () => {
  it('alerts once a line stayed below MOS 3.0 for 30 s (the defaults), once', () => {
    const r = rules(rule({ id: 'lines', when: 'poor_line' }));
    const { steps } = poll(EMPTY_QUALITY_WATCH, r, Array.from({ length: 12 }, () => bad));
    const raisedAt = steps.findIndex((s) => s.raises.length > 0);
    expect(raisedAt).toBe(6);
    expect(steps.flatMap((s) => s.raises)).toHaveLength(1);
    const signal = steps[6]!.raises[0]!.signal;
    expect(signal.quality).toEqual({ mos: 2.1, lossPct: 9, poorSec: 30, since: 0 });
    expect(headline(signal)).toBe('Tim (701) in room 200: MOS 2.1, 9% loss for 30 s');
  });

  it('does not alert when one good sample interrupts the line before the time is up', () => {
    const r = rules(rule({ id: 'lines', when: 'poor_line' }));
    const { steps } = poll(EMPTY_QUALITY_WATCH, r, [bad, bad, bad, bad, bad, good, bad, bad, bad, bad, bad]);
    expect(steps.flatMap((s) => s.raises)).toEqual([]);
  });

  it('recovers after two good samples in a row, with the worst figures of the episode', () => {
    const r = rules(rule({ id: 'lines', when: 'poor_line', forSec: 10 }));
    const { steps } = poll(EMPTY_QUALITY_WATCH, r, [bad, { mos: 1.8, lossPct: 12 }, bad, good, bad, good, good]);
    expect(steps.flatMap((s) => s.raises)).toHaveLength(1);
    expect(steps.slice(0, 6).flatMap((s) => s.recoveries)).toEqual([]);
    const recovery = steps[6]!.recoveries[0]!;
    expect(recovery).toMatchObject({ ruleId: 'lines', pbx: 'pbx1', uniqueid: '1700000000.7' });
    expect(recovery.summary.quality).toEqual({ mos: 1.8, lossPct: 12, poorSec: 30, since: 0 });
  });

  it('watches loss alone when the rule names only a loss threshold', () => {
    const r = rules(rule({ id: 'loss', when: 'poor_line', lossAbovePct: 5, forSec: 0 }));
    expect(poll(EMPTY_QUALITY_WATCH, r, [{ mos: 2.0, lossPct: 1 }]).steps[0]!.raises).toEqual([]);
    const raised = poll(EMPTY_QUALITY_WATCH, r, [{ mos: 4.4, lossPct: 6 }]).steps[0]!.raises;
    expect(raised.map((x) => headline(x.signal))).toEqual(['Tim (701) in room 200: MOS 4.4, 6% loss for 0 s']);
  });

  it('keeps the episode through samples without figures, and forgets a line that left', () => {
    const r = rules(rule({ id: 'lines', when: 'poor_line' }));
    const { state, steps } = poll(EMPTY_QUALITY_WATCH, r, [bad, bad, { mos: undefined, lossPct: undefined }, bad, bad, bad, bad]);
    expect(steps[6]!.raises).toHaveLength(1);
    expect(state.size).toBe(1);
    expect(onLineGone(state, 'pbx1', '1700000000.7').size).toBe(0);
    expect(onLineGone(state, 'pbx2', '1700000000.7')).toBe(state);
  });

  it('still recovers a line it paged for after the rule was muted, and raises nothing new while muted', () => {
    const on = rule({ id: 'lines', when: 'poor_line', forSec: 0 });
    const raised = poll(EMPTY_QUALITY_WATCH, rules(on), [bad]);
    expect(raised.steps[0]!.raises).toHaveLength(1);
    const muted = rules({ ...on, enabled: false });
    const later = poll(raised.state, muted, [bad, good, good], 5 * SEC);
    expect(later.steps.flatMap((s) => s.raises)).toEqual([]);
    expect(later.steps[2]!.recoveries.map((r) => r.ruleId)).toEqual(['lines']);
    expect(poll(EMPTY_QUALITY_WATCH, muted, [bad]).steps[0]!.raises).toEqual([]);
  });

  it('applies the rule\'s room glob and ignores other rule kinds and turned-off rules', () => {
    const r = rules(
      rule({ id: 'other', when: 'poor_line', rooms: '3*', forSec: 0 }),
      rule({ id: 'off', when: 'poor_line', forSec: 0, enabled: false }),
      rule({ id: 'abn' }),
    );
    expect(poll(EMPTY_QUALITY_WATCH, r, [bad]).steps[0]!.raises).toEqual([]);
  });
});

function raiseOne(state: AlertState, r: AlertRule, at: number, since: number, newId: (dedupKey: string) => string = ids()) {
  const signal = {
    kind: 'poor_line', pbx: 'pbx1', room: '200', uniqueid: '1700000000.7', channel: 'PJSIP/701-00000007', tech: 'PJSIP',
    callerNum: '701', callerName: 'Tim', cause: undefined, causeText: undefined, techCause: undefined, durationSec: 600, at,
    injection: undefined, talkers: [], quality: { mos: 2.1, lossPct: 9, poorSec: 40, since },
  } as const;
  return raiseFor(state, r, signal, at, newId);
}

describe('poor-line incidents', () => {
  const r = rule({ id: 'lines', when: 'poor_line', flapWindowSec: 300 });

  it('pages once per episode and says who, where and how bad', () => {
    const step = raiseOne(EMPTY_ALERT_STATE, r, 40 * SEC, 0);
    expect(step.effects).toContainEqual({ type: 'post', incidentId: 'i1', targetIndex: 0 });
    expect(alertWords(step.state.incidents.get('i1')!, 40 * SEC).title).toBe('Tim (701) in room 200: MOS 2.1, 9% loss for 40 s');
    // The quality watch raises an episode once; another raise is another episode, folded (no page).
    expect(raiseOne(step.state, r, 45 * SEC, 0).effects.filter((e) => e.type === 'post')).toEqual([]);
  });

  it('names an episode by its number on the line, not by when a replica saw it begin', () => {
    const keys: string[][] = [[], []];
    for (const [replica, since] of [[0, 0], [1, 1_234]] as const) {
      const first = raiseOne(EMPTY_ALERT_STATE, r, 40 * SEC + since, since, (key) => { keys[replica]!.push(key); return `i${keys[replica]!.length}`; });
      raiseOne(first.state, r, 900 * SEC + since, 860 * SEC + since, (key) => { keys[replica]!.push(key); return `i${keys[replica]!.length}`; });
    }
    expect(keys[0]).toEqual(keys[1]);
    expect(keys[0]).toHaveLength(2);
    expect(new Set(keys[0]).size).toBe(2);
  });

  it('resolves when the line recovers, keeping the worst figures', () => {
    const raised = raiseOne(EMPTY_ALERT_STATE, r, 40 * SEC, 0);
    const summary = { ...raised.state.incidents.get('i1')!.first, at: 130 * SEC, quality: { mos: 1.9, lossPct: 12, poorSec: 130, since: 0 } };
    const step = recover(raised.state, 'lines', 'pbx1', '1700000000.7', summary, 130 * SEC);
    const inc = step.state.incidents.get('i1')!;
    expect(inc.status).toBe('resolved');
    expect(inc.resolved?.by).toBe(RECOVERY);
    expect(step.effects).toEqual([
      { type: 'update', incidentId: 'i1' },
      { type: 'audit', kind: 'alert_resolved', incidentId: 'i1', ruleId: 'lines', by: undefined },
    ]);
    const words = alertWords(inc, 130 * SEC);
    expect(words.title).toMatch(/^Resolved: Tim \(701\) in room 200/);
    expect(words.text).toBe('line recovered at 00:02 UTC.');
    expect(words.fields).toContainEqual(['Worst', 'MOS 1.9, 12% loss for 2m 10s']);
    expect(recover(step.state, 'lines', 'pbx1', '1700000000.7', summary, 140 * SEC).effects).toEqual([]);
  });

  it('reopens the recovered incident when the line goes bad again within the flap window, without paging', () => {
    const newId = ids();
    const raised = raiseOne(EMPTY_ALERT_STATE, r, 40 * SEC, 0, newId);
    const recovered = recover(raised.state, 'lines', 'pbx1', '1700000000.7', raised.state.incidents.get('i1')!.first, 60 * SEC);
    const again = raiseOne(recovered.state, r, 120 * SEC, 80 * SEC, newId);
    expect(again.effects).toEqual([{ type: 'update', incidentId: 'i1' }]);
    expect(again.state.incidents.get('i1')).toMatchObject({ status: 'open', count: 2, recoveredAt: undefined, resolved: undefined });
    const late = raiseOne(recovered.state, r, 60 * SEC + 400 * SEC, 420 * SEC, newId);
    expect(late.effects.some((e) => e.type === 'post')).toBe(true);
  });

  it('is silenced per rule and room like any alert', () => {
    const raised = raiseOne(EMPTY_ALERT_STATE, r, 40 * SEC, 0);
    const silenced = silence(raised.state, 'i1', 3_600_000, 'bob', 50 * SEC).state;
    const next = raiseOne(silenced, r, 100 * SEC, 90 * SEC);
    expect(next.effects).toEqual([]);
    expect(next.state.counters.suppressed).toBe(1);
  });

  it('folds a storm of poor lines into one digest', () => {
    const storm = rule({ id: 'lines', when: 'poor_line', storm: { perMinute: 3, quietSec: 60 }, flapWindowSec: 0 });
    let state = EMPTY_ALERT_STATE;
    const newId = ids();
    const posts: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const signal = { ...raiseOne(EMPTY_ALERT_STATE, storm, 0, 0).state.incidents.get('i1')!.first, uniqueid: `1700000000.${i}`, callerNum: `70${i}`, at: i * SEC };
      const step = raiseFor(state, storm, signal, i * SEC, newId);
      state = step.state;
      for (const e of step.effects) if (e.type === 'post') posts.push(e.incidentId);
    }
    expect(posts).toEqual(['i1', 'i2', 'i3', 'i4']);
    const digest = state.incidents.get('i4')!;
    expect(digest.digest).toBe(true);
    expect(alertWords(digest, 10 * SEC).title).toBe('10 poor line alerts on pbx1 in the last 1 min');
  });
});

describe('poor-line rule validation', () => {
  const target = [{ platform: 'slack', channel: 'C1' }];

  it('accepts thresholds on a poor_line rule', () => {
    expect(parseRule({ id: 'q', when: 'poor_line', mosBelow: 3.2, lossAbovePct: 5, forSec: 20, targets: target }).ok).toBe(true);
  });

  it('refuses thresholds on another kind of rule, naming the field', () => {
    const r = parseRule({ id: 'abn', mosBelow: 3, targets: target }, 'alerts.rules[1]');
    expect(!r.ok && r.problems).toEqual(["alerts.rules[1] 'abn' mosBelow: mosBelow applies to when: poor_line rules only"]);
  });

  it('refuses a MOS out of range and a fractional time', () => {
    const r = parseRule({ id: 'q', when: 'poor_line', mosBelow: 5, forSec: 2.5, targets: target });
    expect(!r.ok && r.problems).toEqual([
      "rule 'q' mosBelow: mosBelow is a MOS from 1.0 to 4.5",
      "rule 'q' forSec: forSec is whole seconds",
    ]);
  });
});
