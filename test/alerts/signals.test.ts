import { describe, expect, it } from 'vitest';
import type { AmiEvent } from '../../src/ami/events.ts';
import { EMPTY_SIGNAL_STATE, HANGUP_WAIT_MS, expectStop, onChange, onTick, type AlertSignal, type SignalState } from '../../src/alerts/signals.ts';
import { emptyPbxState, reduceConference } from '../../src/conference/model.ts';
import type { PbxState } from '../../src/conference/types.ts';
import { ev } from '../conference/helpers.ts';

const T0 = 1_700_000_000_000;

/** Folds events through the real reducer and the signal correlator, as the bot does. */
class Feed {
  pbx: PbxState = emptyPbxState('pbx1', 'confbridge', T0);
  sig: SignalState = EMPTY_SIGNAL_STATE;
  readonly signals: AlertSignal[] = [];

  push(event: AmiEvent, at: number): this {
    const before = this.pbx;
    const r = reduceConference(before, event, at);
    this.pbx = r.state;
    for (const change of r.changes) {
      const room = 'room' in change ? before.rooms.get(change.room) : undefined;
      const step = onChange(this.sig, change, room, at);
      this.sig = step.state;
      this.signals.push(...step.signals);
    }
    return this;
  }

  tick(at: number): this {
    const step = onTick(this.sig, at);
    this.sig = step.state;
    this.signals.push(...step.signals);
    return this;
  }
}

const join = (uid: string, num: string, name: string) => ev({
  Event: 'ConfbridgeJoin', Conference: '200', Channel: `PJSIP/${num}-0000000${uid}`, Uniqueid: uid, CallerIDNum: num, CallerIDName: name, Admin: 'No', Muted: 'No',
});
const leave = (uid: string, num: string) => ev({ Event: 'ConfbridgeLeave', Conference: '200', Channel: `PJSIP/${num}-0000000${uid}`, Uniqueid: uid, CallerIDNum: num });
const hangup = (uid: string, num: string, cause: number, extra: Record<string, string> = {}) => ev({
  Event: 'Hangup', Channel: `PJSIP/${num}-0000000${uid}`, Uniqueid: uid, CallerIDNum: num, Cause: cause, 'Cause-txt': 'x', ...extra,
});

describe('alert signals from conference changes', () => {
  it('pairs a ConfbridgeLeave with the Hangup of the same Uniqueid that follows it', () => {
    const f = new Feed().push(join('1', '701', 'Tim'), T0).push(join('2', '702', 'Ann'), T0).push(leave('1', '701'), T0 + 5_820_000);
    expect(f.signals).toEqual([]);
    f.push(hangup('1', '701', 34), T0 + 5_820_100);
    const hang = f.signals.find((s) => s.kind === 'hangup');
    expect(hang).toMatchObject({ pbx: 'pbx1', room: '200', uniqueid: '1', callerNum: '701', callerName: 'Tim', cause: 34, durationSec: 5_820 });
  });

  it('takes the cause straight from a Hangup that comes before the leave', () => {
    const f = new Feed().push(join('1', '701', 'Tim'), T0).push(join('2', '702', 'Ann'), T0).push(hangup('1', '701', 16), T0 + 1_000);
    expect(f.signals.map((s) => s.kind)).toEqual(['vip_left', 'hangup']);
    expect(f.signals[1]?.cause).toBe(16);
  });

  it('settles a leave whose Hangup never comes as a leave, not a hangup', () => {
    const f = new Feed().push(join('1', '701', 'Tim'), T0).push(join('2', '702', 'Ann'), T0).push(leave('1', '701'), T0 + 1_000);
    f.tick(T0 + 1_000 + HANGUP_WAIT_MS - 1);
    expect(f.signals).toEqual([]);
    f.tick(T0 + 1_000 + HANGUP_WAIT_MS);
    expect(f.signals.map((s) => s.kind)).toEqual(['vip_left']);
  });

  it('says the room emptied when its last participant leaves', () => {
    const f = new Feed().push(join('1', '701', 'Tim'), T0).push(hangup('1', '701', 16), T0 + 60_000);
    expect(f.signals.find((s) => s.kind === 'room_emptied')).toMatchObject({ room: '200', durationSec: 60 });
  });

  it('says a room ended while someone was still talking', () => {
    const f = new Feed()
      .push(join('1', '701', 'Tim'), T0)
      .push(ev({ Event: 'ConfbridgeTalking', Conference: '200', Channel: 'PJSIP/701-00000001', Uniqueid: '1', TalkingStatus: 'on' }), T0 + 1_000)
      .push(hangup('1', '701', 16), T0 + 2_000)
      .push(ev({ Event: 'ConfbridgeEnd', Conference: '200' }), T0 + 4_500);
    expect(f.signals.find((s) => s.kind === 'ended_while_talking')).toMatchObject({ room: '200', talkers: ['Tim (701)'] });
  });

  it('keys a room that ended while someone talked by the talker\'s channel, not by when a replica saw it', () => {
    const cutOff = (skew: number) => new Feed()
      .push(join('1', '701', 'Tim'), T0 + skew)
      .push(ev({ Event: 'ConfbridgeTalking', Conference: '200', Channel: 'PJSIP/701-00000001', Uniqueid: '1', TalkingStatus: 'on' }), T0 + 1_000 + skew)
      .push(hangup('1', '701', 16), T0 + 2_000 + skew)
      .push(ev({ Event: 'ConfbridgeEnd', Conference: '200' }), T0 + 4_500 + skew)
      .signals.find((s) => s.kind === 'ended_while_talking');
    expect(cutOff(0)?.causedBy).toBe('1');
    expect(cutOff(37)?.causedBy).toBe(cutOff(0)?.causedBy);
  });

  it('tells a muzak channel that died from one the bot stopped', () => {
    const start = ev({ Event: 'ConfbridgeStart', Conference: '200' });
    const died = new Feed().push(start, T0);
    died.pbx = { ...died.pbx, rooms: new Map([['200', { ...died.pbx.rooms.get('200')!, muzak: { channel: 'Local/muzak@x-1;2', uniqueid: 'm1', since: T0 } }]]) };
    died.push(hangup('m1', 'muzak', 0), T0 + 10_000);
    expect(died.signals.find((s) => s.kind === 'injection_died')).toMatchObject({ injection: 'muzak', durationSec: 10 });

    const stopped = new Feed().push(start, T0);
    stopped.pbx = { ...stopped.pbx, rooms: new Map([['200', { ...stopped.pbx.rooms.get('200')!, muzak: { channel: 'Local/muzak@x-1;2', uniqueid: 'm1', since: T0 } }]]) };
    stopped.sig = expectStop(stopped.sig, 'pbx1', '200', 'muzak', T0 + 9_000);
    stopped.push(hangup('m1', 'muzak', 0), T0 + 10_000);
    expect(stopped.signals).toEqual([]);
  });
});

describe('hangup causes from AMI', () => {
  it('carries the SIP code from TechCause into the hangup signal', () => {
    const f = new Feed().push(join('1', '701', 'Tim'), T0).push(join('2', '702', 'Ann'), T0)
      .push(hangup('1', '701', 34, { TechCause: 'SIP 503 Service Unavailable' }), T0 + 1_000);
    expect(f.signals.find((s) => s.kind === 'hangup')).toMatchObject({ cause: 34, techCause: 503 });
  });
});
