import { describe, expect, it } from 'vitest';
import { ACKED_AUTO_RESOLVE_MS, ACK_EXPIRY, EMPTY_ALERT_STATE, RESOLVED_RETENTION_MS, ack, nextDue, raise, resolve, silence, tick, type AlertState } from '../../src/alerts/engine.ts';
import { hangupSignal, ids, rule, rules } from './fixtures.ts';

const MIN = 60_000;

describe('alert incidents', () => {
  it('raises one incident for an abnormal hangup and posts it to each first target', () => {
    const r = rules(rule({ id: 'abn', targets: [{ platform: 'slack', channel: 'C1' }, { platform: 'shell', channel: 'console' }] }));
    const step = raise(EMPTY_ALERT_STATE, hangupSignal(), r, 1_000_000, ids());
    expect(step.effects.filter((e) => e.type === 'post')).toEqual([
      { type: 'post', incidentId: 'i1', targetIndex: 0 },
      { type: 'post', incidentId: 'i1', targetIndex: 1 },
    ]);
    expect(step.effects).toContainEqual({ type: 'audit', kind: 'alert_raised', incidentId: 'i1', ruleId: 'abn', by: undefined });
    expect(step.state.counters.raised).toBe(1);
  });

  it('raises nothing for a normal clearing', () => {
    const step = raise(EMPTY_ALERT_STATE, hangupSignal({ cause: 16 }), rules(rule({ id: 'abn' })), 0, ids());
    expect(step.effects).toEqual([]);
  });

  it('raises a busy hangup only for a rule that selects the busy class', () => {
    const sig = hangupSignal({ cause: 17 });
    expect(raise(EMPTY_ALERT_STATE, sig, rules(rule({ id: 'abn' })), 0, ids()).effects).toEqual([]);
    expect(raise(EMPTY_ALERT_STATE, sig, rules(rule({ id: 'b', causes: ['busy'] })), 0, ids()).effects.length).toBeGreaterThan(0);
  });

  it('de-duplicates: the same Uniqueid never raises twice for one rule', () => {
    const r = rules(rule({ id: 'abn', flapWindowSec: 0 }));
    const sig = hangupSignal();
    const first = raise(EMPTY_ALERT_STATE, sig, r, 0, ids());
    const again = raise(first.state, sig, r, 1_000, ids());
    expect(again.effects).toEqual([]);
    expect(again.state.incidents.size).toBe(1);
  });

  it('folds a flapping caller into the open incident instead of paging again', () => {
    const r = rules(rule({ id: 'abn', flapWindowSec: 300 }));
    const newId = ids();
    const a = raise(EMPTY_ALERT_STATE, hangupSignal({ at: 0 }), r, 0, newId);
    const b = raise(a.state, hangupSignal({ at: 60_000 }), r, 60_000, newId);
    expect(b.effects).toEqual([{ type: 'update', incidentId: 'i1' }]);
    expect(b.state.incidents.get('i1')?.count).toBe(2);
    const late = raise(b.state, hangupSignal({ at: 60_000 + 301_000 }), r, 60_000 + 301_000, newId);
    expect(late.effects.some((e) => e.type === 'post')).toBe(true);
  });

  it('ack stops escalation; an unacked incident escalates to the next target on time', () => {
    const r = rules(rule({
      id: 'abn', escalation: { afterMinutes: 5, targets: [{ platform: 'slack', user: 'U1' }, { platform: 'slack', user: 'U2' }] },
    }));
    const raised = raise(EMPTY_ALERT_STATE, hangupSignal(), r, 0, ids());
    expect(nextDue(raised.state, r)).toBe(5 * MIN);
    expect(tick(raised.state, r, 5 * MIN - 1).effects).toEqual([]);
    const first = tick(raised.state, r, 5 * MIN);
    expect(first.effects).toContainEqual({ type: 'post', incidentId: 'i1', targetIndex: 1 });
    const second = tick(first.state, r, 10 * MIN);
    expect(second.effects).toContainEqual({ type: 'post', incidentId: 'i1', targetIndex: 2 });
    expect(tick(second.state, r, 60 * MIN).effects).toEqual([]);

    const acked = ack(raised.state, 'i1', 'bob', 1 * MIN);
    expect(acked.outcome).toBe('done');
    expect(acked.incident?.ack).toEqual({ by: 'bob', at: MIN });
    expect(tick(acked.state, r, 30 * MIN).effects).toEqual([]);
    expect(ack(acked.state, 'i1', 'eve', 2 * MIN).outcome).toBe('already_acked');
  });

  it('resolve closes the incident; pressing again says so', () => {
    const r = rules(rule({ id: 'abn' }));
    const raised = raise(EMPTY_ALERT_STATE, hangupSignal(), r, 0, ids());
    const done = resolve(raised.state, 'i1', 'bob', 10);
    expect(done.incident?.status).toBe('resolved');
    expect(resolve(done.state, 'i1', 'bob', 20).outcome).toBe('already_resolved');
    expect(ack(done.state, 'nope', 'bob', 20).outcome).toBe('not_found');
  });

  it('silence mutes the rule for that room only, acks the incident, and expires', () => {
    const r = rules(rule({ id: 'abn', flapWindowSec: 0 }));
    const raised = raise(EMPTY_ALERT_STATE, hangupSignal(), r, 0, ids());
    const s = silence(raised.state, 'i1', 3_600_000, 'bob', 0);
    expect(s.incident?.status).toBe('acked');
    expect(raise(s.state, hangupSignal({ at: 10 }), r, 10, ids()).effects).toEqual([]);
    expect(raise(s.state, hangupSignal({ room: '201' }), r, 10, ids()).effects.length).toBeGreaterThan(0);
    expect(raise(s.state, hangupSignal(), r, 3_600_001, ids()).effects.length).toBeGreaterThan(0);
    expect(s.state.counters.silenced).toBe(1);
  });

  it('turns a storm into one digest, folds the rest into it, and closes it with a summary', () => {
    const r = rules(rule({ id: 'abn', flapWindowSec: 0, storm: { perMinute: 10, quietSec: 120 } }));
    const newId = ids();
    let st: AlertState = EMPTY_ALERT_STATE;
    let posts = 0;
    let updates = 0;
    for (let i = 0; i < 200; i += 1) {
      const at = i * 50; // 200 hangups in 10 s
      const step = raise(st, hangupSignal({ at, callerNum: String(1000 + i), cause: i % 3 === 0 ? 38 : 34 }), r, at, newId);
      st = step.state;
      posts += step.effects.filter((e) => e.type === 'post').length;
      updates += step.effects.filter((e) => e.type === 'update').length;
    }
    expect(posts).toBe(11); // ten single alerts, then one digest
    const digestId = st.storms.get('abn');
    expect(digestId).toBeDefined();
    const digest = st.incidents.get(digestId ?? '');
    expect(digest?.digest).toBe(true);
    expect(digest?.count).toBe(200); // the whole storm, the ten paged one by one included
    expect(updates).toBe(189);
    expect(tick(st, r, 10_000 + 119_000).effects).toEqual([]);
    const closed = tick(st, r, 9_950 + 120_000);
    expect(closed.effects).toContainEqual({ type: 'audit', kind: 'storm_ended', incidentId: digestId, ruleId: 'abn', by: undefined });
    expect(closed.state.storms.size).toBe(0);
    expect(closed.state.incidents.get(digestId ?? '')?.stormEndedAt).toBe(9_950 + 120_000);
  });

  it('closes an acked incident nobody resolved a day after the ack, naming no one, and forgets it a day later', () => {
    const r = rules(rule({ id: 'abn' }));
    const raised = raise(EMPTY_ALERT_STATE, hangupSignal({ at: 0 }), r, 0, ids());
    const acked = ack(raised.state, 'i1', 'bob', 10 * MIN);
    const closesAt = 10 * MIN + ACKED_AUTO_RESOLVE_MS;
    expect(nextDue(acked.state, r)).toBe(closesAt);
    expect(tick(acked.state, r, closesAt - 1).state.incidents.get('i1')?.status).toBe('acked');
    const closed = tick(acked.state, r, closesAt);
    expect(closed.state.incidents.get('i1')?.resolved).toEqual({ by: ACK_EXPIRY, at: closesAt });
    expect(closed.effects).toEqual([
      { type: 'update', incidentId: 'i1' },
      { type: 'audit', kind: 'alert_resolved', incidentId: 'i1', ruleId: 'abn', by: undefined },
    ]);
    expect(nextDue(closed.state, r)).toBe(closesAt + RESOLVED_RETENTION_MS);
    expect(tick(closed.state, r, closesAt + RESOLVED_RETENTION_MS).state.incidents.size).toBe(0);
  });

  it('counts the day from the latest signal folded into an acked incident, not from the ack', () => {
    const r = rules(rule({ id: 'abn', flapWindowSec: 3_600 }));
    const newId = ids();
    const raised = raise(EMPTY_ALERT_STATE, hangupSignal({ at: 0 }), r, 0, newId);
    const acked = ack(raised.state, 'i1', 'bob', MIN);
    const flapped = raise(acked.state, hangupSignal({ at: 30 * MIN, uniqueid: 'again' }), r, 30 * MIN, newId);
    expect(flapped.state.incidents.get('i1')?.count).toBe(2);
    expect(nextDue(flapped.state, r)).toBe(30 * MIN + ACKED_AUTO_RESOLVE_MS);
  });

  it('leaves an incident nobody acked open however old: someone still has to look', () => {
    const r = rules(rule({ id: 'abn' }));
    const raised = raise(EMPTY_ALERT_STATE, hangupSignal(), r, 0, ids());
    expect(tick(raised.state, r, 3 * ACKED_AUTO_RESOLVE_MS).state.incidents.get('i1')?.status).toBe('open');
  });

  it('prunes resolved incidents and expired de-duplication keys a day later', () => {
    const r = rules(rule({ id: 'abn' }));
    const raised = raise(EMPTY_ALERT_STATE, hangupSignal(), r, 0, ids());
    const done = resolve(raised.state, 'i1', 'bob', 0);
    const later = tick(done.state, r, 24 * 3_600_000 + 1);
    expect(later.state.incidents.size).toBe(0);
    expect(later.state.dedup.size).toBe(0);
  });
});
