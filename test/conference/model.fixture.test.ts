import { describe, expect, it } from 'vitest';
import type { AmiEvent } from '../../src/ami/events.ts';
import { emptyPbxState, reduceConference, setInjection } from '../../src/conference/model.ts';
import type { PbxState, RoomChange } from '../../src/conference/types.ts';
import { transcriptEvents } from './helpers.ts';

const NOW = 1_795_368_827_000;

interface Step { readonly event: AmiEvent; readonly state: PbxState; readonly changes: readonly RoomChange[] }

function fold(events: readonly AmiEvent[], start: PbxState, hook?: (s: PbxState, e: AmiEvent) => PbxState): Step[] {
  const steps: Step[] = [];
  let state = start;
  for (const event of events) {
    const r = reduceConference(state, event, NOW);
    state = hook ? hook(r.state, event) : r.state;
    steps.push({ event, state, changes: r.changes });
  }
  return steps;
}

function names(state: PbxState, room = '200'): string[] {
  return [...(state.rooms.get(room)?.participants.values() ?? [])].map((p) => p.callerName ?? '?');
}

function stepAfter(steps: readonly Step[], pred: (e: AmiEvent) => boolean, nth = 0): Step {
  const matching = steps.filter((s) => pred(s.event));
  const step = matching[nth];
  if (!step) throw new Error('no such step');
  return step;
}

const is = (name: string, channelPart?: string) => (e: AmiEvent): boolean =>
  e.event === name && (channelPart === undefined || (e.raw.get('Channel') ?? '').includes(channelPart));

describe('reducer over the real 05_conference_200 transcript', () => {
  const events = transcriptEvents('05_conference_200.s2c.raw');
  const steps = fold(events, emptyPbxState('pbx1', 'confbridge', NOW));

  it('sees the three callers join with their caller ids, technology and admin flag', () => {
    const s = stepAfter(steps, is('ConfbridgeJoin', '00000003')).state;
    const room = s.rooms.get('200');
    expect(names(s)).toEqual(['Alice', 'Bob', 'Carol']);
    const [alice, , carol] = [...(room?.participants.values() ?? [])];
    expect(alice).toMatchObject({ uniqueid: '1795368827.1', channel: 'Local/200@confs-00000000;2', tech: 'Local', callerNum: '1001', admin: false, muted: false, joinedAt: NOW, usernum: undefined });
    expect(carol).toMatchObject({ callerNum: '1003', admin: true });
    expect(room?.peakSize).toBe(3);
  });

  it('tracks mute and unmute, by channel, by prefix, participants and all', () => {
    const afterFirstMute = stepAfter(steps, is('ConfbridgeMute')).state;
    expect(afterFirstMute.rooms.get('200')?.participants.get('1795368827.1')?.muted).toBe(true);
    const afterAllMuted = stepAfter(steps, is('ConfbridgeMute', '00000002'), 0);
    expect([...(afterAllMuted.state.rooms.get('200')?.participants.values() ?? [])].map((p) => p.muted)).toEqual([true, true, false]);
    expect(afterAllMuted.changes).toEqual([expect.objectContaining({ type: 'muted', on: true })]);
    const afterUnmuteAll = stepAfter(steps, is('ConfbridgeUnmute', '00000003')).state;
    expect([...(afterUnmuteAll.rooms.get('200')?.participants.values() ?? [])].every((p) => !p.muted)).toBe(true);
  });

  it('turns recording on and off', () => {
    expect(stepAfter(steps, is('ConfbridgeRecord')).changes).toEqual([{ type: 'recording', pbx: 'pbx1', room: '200', on: true }]);
    expect(stepAfter(steps, is('ConfbridgeStopRecord')).state.rooms.get('200')?.recording).toBe(false);
  });

  it('shows talking on and off', () => {
    const on = stepAfter(steps, is('ConfbridgeTalking', '7001'), 0);
    expect(on.changes).toEqual([expect.objectContaining({ type: 'talking', on: true })]);
    const off = stepAfter(steps, is('ConfbridgeTalking', '7001'), 1);
    expect(off.state.rooms.get('200')?.participants.get('1795368849.13')?.talking).toBe(false);
  });

  it('removes a participant whose channel hangs up, with the cause, and ignores the Leave after it', () => {
    const hung = stepAfter(steps, is('Hangup', '7001@confs-00000006;1'));
    expect(hung.changes.map((c) => c.type)).toEqual(['left', 'hangup']);
    expect(hung.changes[0]).toMatchObject({ type: 'left', cause: 16, participant: { callerName: 'Player' } });
    const leave = stepAfter(steps, is('ConfbridgeLeave', '7001'));
    expect(leave.changes).toEqual([]);
  });

  it('ends the room with a final summary and no rooms left', () => {
    const end = stepAfter(steps, is('ConfbridgeEnd'));
    expect(end.changes).toHaveLength(1);
    const change = end.changes[0];
    expect(change?.type).toBe('room_ended');
    if (change?.type === 'room_ended') {
      expect(change.final.endedAt).toBe(NOW);
      expect(change.final.peakSize).toBe(5);
    }
    expect(end.state.rooms.size).toBe(0);
  });

  it('returns the same state object for events that change nothing', () => {
    const varSet = steps.find((s) => s.event.event === 'VarSet');
    const idx = varSet ? steps.indexOf(varSet) : -1;
    expect(idx).toBeGreaterThan(0);
    expect(steps[idx]?.state).toBe(steps[idx - 1]?.state);
  });

  it('flags the muzak channel the bot originated on the room instead of listing it', () => {
    const flagged = fold(events, emptyPbxState('pbx1', 'confbridge', NOW), (s, e) =>
      e.event === 'ConfbridgeStart' ? setInjection(s, '200', 'muzak', { channel: 'Local/7000@confs', uniqueid: undefined, since: NOW }).state : s);
    const join = stepAfter(flagged, is('ConfbridgeJoin', '7000'));
    expect(join.changes).toEqual([{ type: 'muzak', pbx: 'pbx1', room: '200', on: true }]);
    expect(join.state.rooms.get('200')?.muzak).toEqual({ channel: 'Local/7000@confs-00000005;1', uniqueid: '1795368843.11', since: NOW });
    expect(names(join.state)).not.toContain('Muzak');
    expect(stepAfter(flagged, is('ConfbridgeTalking', '7000')).changes).toEqual([]);
    const off = stepAfter(flagged, is('ConfbridgeLeave', '7000'));
    expect(off.changes).toEqual([{ type: 'muzak', pbx: 'pbx1', room: '200', on: false }]);
  });
});

describe('reducer over the real 00_ro_event_listener transcript', () => {
  it('ends with no rooms, having started and ended room 200 twice and seen every join leave', () => {
    const events = transcriptEvents('00_ro_event_listener.s2c.raw');
    const steps = fold(events, emptyPbxState('pbx1', 'confbridge', NOW));
    const all = steps.flatMap((s) => s.changes);
    const count = (t: string): number => all.filter((c) => c.type === t).length;
    expect(count('room_started')).toBe(2);
    expect(count('room_ended')).toBe(2);
    expect(count('joined')).toBe(count('left'));
    expect(count('joined')).toBe(7);
    expect(count('hangup')).toBe(16);
    expect(steps.at(-1)?.state.rooms.size).toBe(0);
  });
});
