import { describe, expect, it } from 'vitest';
import { emptyPbxState, reduceAll, reduceConference, setAvailability, setMutedBy, setParticipantTopic } from '../../src/conference/model.ts';
import { ev } from './helpers.ts';

const NOW = 1_700_000_000_000;
const empty = emptyPbxState('old', 'meetme', NOW);

function mm(event: string, usernum: number, channel: string, uniqueid: string, extra: Record<string, string> = {}) {
  return ev({ Event: event, Meetme: '200', Usernum: usernum, Channel: channel, Uniqueid: uniqueid, CallerIDnum: '<unknown>', CallerIDname: '', ...extra });
}

describe('reducer over MeetMe event sequences (ami.md)', () => {
  const tim = { Event: 'MeetmeJoin', Meetme: '200', Usernum: 1, Channel: 'SIP/701-b6d13438', Uniqueid: '170.1', CallerIDnum: '701', CallerIDname: 'Tim-1' };

  it('creates the room on the first join and keeps user numbers', () => {
    const r = reduceAll(empty, [ev(tim), mm('MeetmeJoin', 2, 'DAHDI/1-1', '170.2')], NOW);
    expect(r.changes.map((c) => c.type)).toEqual(['room_started', 'joined', 'joined']);
    const room = r.state.rooms.get('200');
    expect(room?.dialect).toBe('meetme');
    expect(room?.participants.get('170.1')).toMatchObject({ usernum: 1, callerNum: '701', callerName: 'Tim-1', tech: 'SIP' });
    expect(room?.participants.get('170.2')).toMatchObject({ usernum: 2, callerNum: undefined, callerName: undefined, tech: 'DAHDI' });
  });

  it('mutes and unmutes by Status, and shows talking', () => {
    const r = reduceAll(empty, [
      ev(tim),
      mm('MeetmeMute', 1, 'SIP/701-b6d13438', '170.1', { Status: 'on' }),
      mm('MeetmeTalking', 1, 'SIP/701-b6d13438', '170.1', { Status: 'on' }),
    ], NOW);
    expect(r.state.rooms.get('200')?.participants.get('170.1')).toMatchObject({ muted: true, talking: true });
    const unmuted = reduceConference(r.state, mm('MeetmeMute', 1, 'SIP/701-b6d13438', '170.1', { Status: 'off' }), NOW);
    expect(unmuted.changes).toEqual([expect.objectContaining({ type: 'muted', on: false })]);
  });

  it('keys on Uniqueid: a reused user number is a new participant', () => {
    const r = reduceAll(empty, [
      ev(tim),
      mm('MeetmeLeave', 1, 'SIP/701-b6d13438', '170.1', { Duration: '12' }),
      mm('MeetmeJoin', 1, 'SIP/703-00000001', '170.9'),
    ], NOW);
    expect(r.changes.map((c) => c.type)).toEqual(['room_started', 'joined', 'left', 'joined']);
    expect([...(r.state.rooms.get('200')?.participants.keys() ?? [])]).toEqual(['170.9']);
  });

  it('ignores MeetmeTalkRequest and Leave of someone unknown', () => {
    const r = reduceConference(empty, mm('MeetmeJoin', 1, 'SIP/1-1', 'u1'), NOW).state;
    expect(reduceConference(r, mm('MeetmeTalkRequest', 1, 'SIP/1-1', 'u1', { Status: 'on' }), NOW).state).toBe(r);
    expect(reduceConference(r, mm('MeetmeLeave', 5, 'SIP/5-1', 'u5'), NOW).state).toBe(r);
  });

  it('ends the room on MeetmeEnd', () => {
    const r = reduceAll(empty, [ev(tim), ev({ Event: 'MeetmeEnd', Meetme: '200' })], NOW);
    expect(r.changes.at(-1)?.type).toBe('room_ended');
    expect(r.state.rooms.size).toBe(0);
  });
});

describe('reducer: other events', () => {
  const join = ev({ Event: 'ConfbridgeJoin', Conference: 'sales', Channel: 'PJSIP/alice-00000001', Uniqueid: 'a1', CallerIDNum: '1001', CallerIDName: 'Alice', Admin: 'No', Muted: 'Yes' });
  const base = reduceConference(emptyPbxState('p', 'confbridge', NOW), join, NOW).state;

  it('creates a ConfBridge room on Join when Start was missed, with a start-muted participant', () => {
    expect(base.rooms.get('sales')?.participants.get('a1')?.muted).toBe(true);
  });

  it('renames a participant channel', () => {
    const r = reduceConference(base, ev({ Event: 'Rename', Channel: 'PJSIP/alice-00000001', Newname: 'PJSIP/alice-00000001<ZOMBIE>', Uniqueid: 'a1' }), NOW);
    expect(r.changes).toEqual([expect.objectContaining({ type: 'renamed', oldChannel: 'PJSIP/alice-00000001' })]);
    expect(r.state.rooms.get('sales')?.participants.get('a1')?.channel).toBe('PJSIP/alice-00000001<ZOMBIE>');
  });

  it('tracks lock events from Asterisk versions that send them', () => {
    const locked = reduceConference(base, ev({ Event: 'ConfbridgeLock', Conference: 'sales' }), NOW);
    expect(locked.changes).toEqual([{ type: 'locked', pbx: 'p', room: 'sales', on: true }]);
    expect(reduceConference(locked.state, ev({ Event: 'ConfbridgeLock', Conference: 'sales' }), NOW).state).toBe(locked.state);
  });

  it('ignores a duplicate join and a repeated start', () => {
    expect(reduceConference(base, join, NOW).state).toBe(base);
    expect(reduceConference(base, ev({ Event: 'ConfbridgeStart', Conference: 'sales' }), NOW).state).toBe(base);
  });

  it('passes Newchannel and unknown events through unchanged', () => {
    expect(reduceConference(base, ev({ Event: 'Newchannel', Channel: 'SIP/x-1', Uniqueid: 'z' }), NOW).state).toBe(base);
    expect(reduceConference(base, ev({ Event: 'Cdr', Channel: 'SIP/x-1' }), NOW).state).toBe(base);
  });

  it('emits a hangup record for channels in no room', () => {
    const r = reduceConference(base, ev({ Event: 'Hangup', Channel: 'SIP/x-1', Uniqueid: 'z', Cause: 17, 'Cause-txt': 'User busy', CallerIDNum: '555' }), NOW);
    expect(r.changes).toEqual([{ type: 'hangup', pbx: 'p', channel: 'SIP/x-1', uniqueid: 'z', cause: 17, causeText: 'User busy', callerNum: '555', callerName: undefined }]);
  });

  it('reflects a topic set by the bot and who muted', () => {
    const t = setParticipantTopic(base, 'sales', 'a1', 'pricing');
    expect(t.changes).toEqual([expect.objectContaining({ type: 'topic', participant: expect.objectContaining({ topic: 'pricing' }) })]);
    expect(setMutedBy(t.state, 'sales', 'a1', 'admin').state.rooms.get('sales')?.participants.get('a1')?.mutedBy).toBe('admin');
  });

  it('records availability changes once', () => {
    const up = setAvailability(base, true, NOW + 1);
    expect(up.changes).toEqual([{ type: 'pbx_up', pbx: 'p', since: NOW + 1 }]);
    expect(setAvailability(up.state, true, NOW + 2).state).toBe(up.state);
  });
});
