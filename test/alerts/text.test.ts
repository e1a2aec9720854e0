import { describe, expect, it } from 'vitest';
import { EMPTY_ALERT_STATE, ack, raise, tick } from '../../src/alerts/engine.ts';
import { alertWords, headline } from '../../src/alerts/text.ts';
import { hangupSignal, ids, rule, rules } from './fixtures.ts';

describe('alert words', () => {
  it('says who dropped from which room, the cause with the SIP code, and for how long', () => {
    expect(headline(hangupSignal({ causeText: 'No circuit available' }))).toBe(
      'Tim (701) dropped from room 200 — cause 34 no circuit available (SIP 503), after 1h 37m',
    );
  });

  it('shows the ack on the incident and lists the facts', () => {
    const raised = raise(EMPTY_ALERT_STATE, hangupSignal({ at: Date.UTC(2026, 0, 1, 12, 0) }), rules(rule({ id: 'abn' })), 0, ids());
    const acked = ack(raised.state, 'i1', '@bob', Date.UTC(2026, 0, 1, 12, 7));
    const words = alertWords(acked.incident!, 0);
    expect(words.text).toBe('acked by @bob at 12:07 UTC.');
    expect(words.fields.map(([k]) => k)).toEqual(['PBX', 'Room', 'Channel', 'Uniqueid', 'Time']);
  });

  it('says an acked incident was closed by the bot a day after the ack', () => {
    const r = rules(rule({ id: 'abn' }));
    const raised = raise(EMPTY_ALERT_STATE, hangupSignal({ at: Date.UTC(2026, 0, 1, 12, 0) }), r, 0, ids());
    const acked = ack(raised.state, 'i1', '@bob', Date.UTC(2026, 0, 1, 12, 7));
    const closed = tick(acked.state, r, Date.UTC(2026, 0, 2, 12, 7)).state.incidents.get('i1')!;
    expect(alertWords(closed, 0).text).toBe('acked by @bob at 12:07 UTC; closed at 12:07 UTC, a day after the ack.');
  });

  it('names the top cause of a storm digest', () => {
    const r = rules(rule({ id: 'abn', flapWindowSec: 0, storm: { perMinute: 2, quietSec: 60 } }));
    const newId = ids();
    let st = EMPTY_ALERT_STATE;
    for (let i = 0; i < 5; i += 1) st = raise(st, hangupSignal({ callerNum: String(i) }), r, i * 1000, newId).state;
    const digest = [...st.incidents.values()].find((i) => i.digest)!;
    expect(alertWords(digest, 5 * 60_000).title).toBe('5 abnormal hangups on pbx1 in the last 5 min, top cause 34');
  });
});
