import { describe, expect, it } from 'vitest';
import type { Room } from '../../src/conference/types.ts';
import {
  MAX_ACTIONS, applyChange, changesSummary, endedRoomFromHistory, historyFromRoom, isOpenSession, parseHistory, serializeHistory, summaryOf,
  withAction,
} from '../../src/core/room-history.ts';
import { participant } from './status-fakes.ts';

const tim = participant('200', 1, { callerName: 'Tim', callerNum: '701' });
const ann = participant('200', 2, { callerName: undefined, callerNum: '702' });

function room(over: Partial<Room> = {}): Room {
  return {
    pbx: 'pbx1', name: '200', dialect: 'meetme', participants: new Map([[tim.uniqueid, tim]]), locked: false,
    recording: false, muzak: undefined, stream: undefined, startedAt: 1000, peakSize: 1, endedAt: undefined, ...over,
  };
}

describe('room history', () => {
  it('seeds attendees, start and peak from a running room', () => {
    const h = historyFromRoom('pbx1', '200', room(), 5000);
    expect(h).toMatchObject({ startedAt: 1000, peakSize: 1, dialect: 'meetme', endedAt: undefined });
    expect(summaryOf(h).attendees).toEqual(['Tim (701)']);
  });

  it('adds each call once, in join order, and tracks the peak size', () => {
    let h = historyFromRoom('pbx1', '200', room(), 5000);
    const both = room({ participants: new Map([[tim.uniqueid, tim], [ann.uniqueid, ann]]), peakSize: 2 });
    h = applyChange(h, { type: 'joined', pbx: 'pbx1', room: '200', participant: ann }, both, 6000);
    h = applyChange(h, { type: 'joined', pbx: 'pbx1', room: '200', participant: ann }, both, 6500);
    h = applyChange(h, { type: 'left', pbx: 'pbx1', room: '200', participant: tim }, room({ participants: new Map([[ann.uniqueid, ann]]), peakSize: 2 }), 7000);
    expect(summaryOf(h).attendees).toEqual(['Tim (701)', '702']);
    expect(h.peakSize).toBe(2);
    expect(h.lastSeenAt).toBe(7000);
  });

  it('relabels an attendee when an update or a rename learns a better label, and counts that as a summary change', () => {
    let h = historyFromRoom('pbx1', '200', room({ participants: new Map([[tim.uniqueid, tim], [ann.uniqueid, ann]]) }), 5000);
    expect(summaryOf(h).attendees).toEqual(['Tim (701)', '702']);
    const bob = { ...ann, callerName: 'Bob' };
    const updated = { type: 'updated', pbx: 'pbx1', room: '200', participant: bob } as const;
    h = applyChange(h, updated, room({ participants: new Map([[tim.uniqueid, tim], [ann.uniqueid, bob]]) }), 6000);
    expect(summaryOf(h).attendees).toEqual(['Tim (701)', 'Bob (702)']);
    const anon = { ...tim, callerName: undefined, callerNum: undefined, channel: 'PJSIP/trunk-00000009' };
    const renamed = { type: 'renamed', pbx: 'pbx1', room: '200', participant: anon, oldChannel: tim.channel } as const;
    h = applyChange(h, renamed, undefined, 7000);
    expect(summaryOf(h).attendees).toEqual(['PJSIP/trunk-00000009', 'Bob (702)']);
    expect([changesSummary(updated), changesSummary(renamed)]).toEqual([true, true]);
  });

  it('takes the final labels of the attendees it holds from room_ended', () => {
    let h = historyFromRoom('pbx1', '200', room({ participants: new Map([[ann.uniqueid, ann]]) }), 5000);
    const bob = { ...ann, callerName: 'Bob' };
    h = applyChange(h, { type: 'room_ended', pbx: 'pbx1', room: '200', final: room({ participants: new Map([[bob.uniqueid, bob]]), endedAt: 9000 }) }, undefined, 9000);
    expect(summaryOf(h).attendees).toEqual(['Bob (702)']);
  });

  it('records the end from room_ended and starts afresh when the room starts again', () => {
    let h = historyFromRoom('pbx1', '200', room(), 5000);
    h = applyChange(h, { type: 'room_ended', pbx: 'pbx1', room: '200', final: room({ endedAt: 9000, peakSize: 3 }) }, undefined, 9000);
    expect(h).toMatchObject({ endedAt: 9000, peakSize: 3 });
    expect(isOpenSession(h)).toBe(false);
    const again = room({ startedAt: 20_000, participants: new Map([[ann.uniqueid, ann]]) });
    h = applyChange(h, { type: 'room_started', pbx: 'pbx1', room: '200' }, again, 20_000);
    expect(h).toMatchObject({ startedAt: 20_000, endedAt: undefined, actions: [] });
    expect(summaryOf(h).attendees).toEqual(['702']);
  });

  it('keeps only the newest actions', () => {
    let h = historyFromRoom('pbx1', '200', room(), 0);
    for (let i = 0; i < MAX_ACTIONS + 5; i++) h = withAction(h, `action ${i}`, i);
    expect(h.actions).toHaveLength(MAX_ACTIONS);
    expect(h.actions.at(-1)).toBe(`action ${MAX_ACTIONS + 4}`);
  });

  it('rebuilds an ended room for a summary', () => {
    const h = historyFromRoom('pbx1', '200', room({ peakSize: 4 }), 0);
    expect(endedRoomFromHistory(h, 61_000)).toMatchObject({ startedAt: 1000, endedAt: 61_000, peakSize: 4, dialect: 'meetme' });
  });

  it('round-trips through its stored form and rejects anything else', () => {
    const h = withAction(historyFromRoom('pbx1', '200', room(), 5000), 'alice muted Tim (701)', 6000);
    expect(parseHistory(serializeHistory(h))).toEqual(h);
    expect(parseHistory('')).toBeUndefined();
    expect(parseHistory('{"pbx":"pbx1"}')).toBeUndefined();
  });
});
