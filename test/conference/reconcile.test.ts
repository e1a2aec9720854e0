import { describe, expect, it } from 'vitest';
import { emptyPbxState, reduceAll, setInjection } from '../../src/conference/model.ts';
import { reconcile, type ListedParticipant } from '../../src/conference/reconcile.ts';
import { ev } from './helpers.ts';

const NOW = 1_700_000_000_000;
const opts = { dialect: 'confbridge' as const };

function listed(uniqueid: string, name: string, extra: Partial<ListedParticipant> = {}): ListedParticipant {
  return {
    uniqueid, channel: `PJSIP/${name.toLowerCase()}-0000000${uniqueid.slice(-1)}`, callerNum: '<unknown>', callerName: name,
    usernum: undefined, admin: false, marked: false, muted: false, mutedBy: undefined, talking: false, answeredSec: undefined, ...extra,
  };
}

function joinEv(uniqueid: string, name: string, room = '200') {
  return ev({ Event: 'ConfbridgeJoin', Conference: room, Channel: `PJSIP/${name.toLowerCase()}-0000000${uniqueid.slice(-1)}`, Uniqueid: uniqueid, CallerIDNum: '', CallerIDName: name, Admin: 'No', Muted: 'No' });
}

const held = reduceAll(emptyPbxState('p', 'confbridge', NOW), [joinEv('u1', 'Alice'), joinEv('u2', 'Bob'), joinEv('x1', 'Xena', 'old')], NOW).state;

describe('reconcile', () => {
  it('makes participants who left while down vanish and newcomers appear, backdated by AnsweredTime', () => {
    const r = reconcile(held, [{ name: '200', locked: true, participants: [listed('u1', 'Alice', { muted: true }), listed('u3', 'Carol', { answeredSec: 30 })] }], NOW + 60_000, opts);
    expect(r.changes.map((c) => `${c.type}:${'participant' in c ? c.participant.callerName : c.type === 'room_ended' || c.type === 'locked' ? c.room : ''}`)).toEqual([
      'locked:200', 'muted:Alice', 'joined:Carol', 'left:Bob', 'left:Xena', 'room_ended:old',
    ]);
    const room = r.state.rooms.get('200');
    expect([...(room?.participants.keys() ?? [])]).toEqual(['u1', 'u3']);
    expect(room?.participants.get('u3')?.joinedAt).toBe(NOW + 30_000);
    expect(room?.participants.get('u1')?.joinedAt).toBe(NOW);
    expect(r.state.rooms.has('old')).toBe(false);
  });

  it('starts rooms it did not know', () => {
    const r = reconcile(emptyPbxState('p', 'meetme', NOW), [{ name: '300', locked: undefined, participants: [listed('m1', 'Tim', { usernum: 1, muted: true, mutedBy: 'admin' })] }], NOW, { dialect: 'meetme' });
    expect(r.changes.map((c) => c.type)).toEqual(['room_started', 'joined']);
    expect(r.state.rooms.get('300')).toMatchObject({ dialect: 'meetme' });
    expect(r.state.rooms.get('300')?.participants.get('m1')).toMatchObject({ usernum: 1, mutedBy: 'admin' });
  });

  it('changes nothing when the lists match what is held', () => {
    const same = reconcile(held, [
      { name: '200', locked: false, participants: [listed('u1', 'Alice'), listed('u2', 'Bob')] },
      { name: 'old', locked: false, participants: [listed('x1', 'Xena')] },
    ], NOW, opts);
    expect(same.changes).toEqual([]);
    expect(same.state).toBe(held);
  });

  it('keeps the bot muzak off the participant list, recognised by its originate target', () => {
    const muzak = listed('mz', 'Muzak', { channel: 'Local/moh@muzak-00000001;1' });
    const old = { name: 'old', locked: false, participants: [listed('x1', 'Xena')] };
    const r = reconcile(held, [{ name: '200', locked: false, participants: [listed('u1', 'Alice'), listed('u2', 'Bob'), muzak] }, old], NOW, {
      ...opts, injectionByTarget: (_room, channel) => (channel.startsWith('Local/moh@muzak-') ? 'muzak' : undefined),
    });
    expect(r.changes).toEqual([{ type: 'muzak', pbx: 'p', room: '200', on: true }]);
    expect(r.state.rooms.get('200')?.muzak?.uniqueid).toBe('mz');
    const gone = reconcile(r.state, [{ name: '200', locked: false, participants: [listed('u1', 'Alice'), listed('u2', 'Bob')] }, old], NOW, opts);
    expect(gone.changes).toEqual([{ type: 'muzak', pbx: 'p', room: '200', on: false }]);
  });

  it('emits an `updated` record when a re-list learns admin, marked, who muted or a new caller ID', () => {
    const mm = reconcile(emptyPbxState('p', 'meetme', NOW), [{ name: '300', locked: false, participants: [
      listed('m1', 'Tim', { usernum: 1 }), listed('m2', 'Ann', { usernum: 2, muted: true }), listed('m3', 'Bob', { usernum: 3 }),
    ] }], NOW, { dialect: 'meetme' }).state;
    const r = reconcile(mm, [{ name: '300', locked: false, participants: [
      listed('m1', 'Tim', { usernum: 1, admin: true, marked: true }),
      listed('m2', 'Ann', { usernum: 2, muted: true, mutedBy: 'self' }),
      listed('m3', 'Robert', { usernum: 3, callerNum: '703', channel: 'PJSIP/bob-00000003' }),
    ] }], NOW, { dialect: 'meetme' });
    expect(r.changes.map((c) => `${c.type}:${'participant' in c ? c.participant.callerName ?? '' : ''}`)).toEqual(['updated:Tim', 'updated:Ann', 'updated:Robert']);
    const [tim, ann, bob] = r.changes.map((c) => ('participant' in c ? c.participant : undefined));
    expect([tim?.admin, tim?.marked, ann?.mutedBy, bob?.callerNum]).toEqual([true, true, 'self', '703']);
    // A mute that comes with who muted is one `muted` record, not two.
    const muted = reconcile(r.state, [{ name: '300', locked: false, participants: [
      listed('m1', 'Tim', { usernum: 1, admin: true, marked: true, muted: true, mutedBy: 'admin' }),
      listed('m2', 'Ann', { usernum: 2, muted: true, mutedBy: 'self' }),
      listed('m3', 'Robert', { usernum: 3, callerNum: '703', channel: 'PJSIP/bob-00000003' }),
    ] }], NOW, { dialect: 'meetme' });
    expect(muted.changes.map((c) => c.type)).toEqual(['muted']);
  });

  it('emits an `updated` record when a re-list changes only the MeetMe user number', () => {
    const mm = reconcile(emptyPbxState('p', 'meetme', NOW), [{ name: '300', locked: false, participants: [listed('m1', 'Tim', { usernum: 1 })] }], NOW, { dialect: 'meetme' }).state;
    const r = reconcile(mm, [{ name: '300', locked: false, participants: [listed('m1', 'Tim', { usernum: 4 })] }], NOW, { dialect: 'meetme' });
    expect(r.changes).toEqual([{ type: 'updated', pbx: 'p', room: '300', participant: r.state.rooms.get('300')?.participants.get('m1') }]);
    expect(r.state.rooms.get('300')?.participants.get('m1')?.usernum).toBe(4);
  });

  it('leaves rooms outside `only` alone and ends a listed-for room that is gone', () => {
    const r = reconcile(held, [], NOW, { ...opts, only: new Set(['old']) });
    expect(r.changes.map((c) => `${c.type}${'participant' in c ? `:${c.participant.callerName ?? ''}` : ''}`)).toEqual(['left:Xena', 'room_ended']);
    expect(r.state.rooms.has('200')).toBe(true);
  });

  it('binds a pending injection to the listed channel', () => {
    const pending = setInjection(held, '200', 'stream', { channel: 'PJSIP/icecast', uniqueid: undefined, since: NOW }).state;
    const r = reconcile(pending, [{ name: '200', locked: false, participants: [listed('u1', 'Alice'), listed('u2', 'Bob'), listed('s1', 'x', { channel: 'PJSIP/icecast-0000000a' })] }], NOW, opts);
    expect(r.state.rooms.get('200')?.stream).toEqual({ channel: 'PJSIP/icecast-0000000a', uniqueid: 's1', since: NOW });
  });
});
