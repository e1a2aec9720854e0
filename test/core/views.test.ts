import { describe, expect, it } from 'vitest';
import { ActionRefusedError } from '../../src/conference/errors.ts';
import { decodeAction } from '../../src/core/actions.ts';
import { AlreadyLeftError, BadCommandError } from '../../src/core/errors.ts';
import { InternalError } from '../../src/errors.ts';
import { buildStatusView, errorView, formatDuration, participantLabel, replyView } from '../../src/core/views.ts';
import { participant, room, T0 } from './fakes.ts';

const base = { pbx: 'pbx1', roomName: '200', available: true, since: T0 - 3_600_000, now: T0 };

describe('formatDuration', () => {
  it.each([[0, '0s'], [45.9, '45s'], [65, '1m 05s'], [3600, '1h 00m'], [3725, '1h 02m'], [-5, '0s'], [Number.NaN, '0s']])('%s s → %s', (sec, text) => {
    expect(formatDuration(sec)).toBe(text);
  });
});

describe('buildStatusView', () => {
  const people = [
    participant('200', 1, { callerName: 'Tim', callerNum: '701', muted: true, mutedBy: 'admin', topic: 'budget' }),
    participant('200', 2, { callerName: undefined, callerNum: '702', talking: true, admin: true }),
  ];

  it('lists participants with markers, time in room and mute/unmute/kick buttons', () => {
    const view = buildStatusView({ ...base, room: room('200', people, { locked: true }) });
    expect(view.count).toBe(2);
    expect(view.flags.locked).toBe(true);
    expect(view.runningSec).toBe(600);
    expect(view.updatedAt).toBe(T0);
    expect(view.banner).toBeUndefined();
    const [tim, other] = view.rows;
    expect(tim).toMatchObject({ name: 'Tim', number: '701', tech: 'PJSIP', muted: true, mutedBy: 'admin', topic: 'budget', inRoomSec: 60 });
    expect(other).toMatchObject({ name: '702', talking: true, admin: true, inRoomSec: 120 });
    expect(tim?.buttons.map((b) => b.label)).toEqual(['Unmute', 'Kick']);
    expect(other?.buttons.map((b) => b.label)).toEqual(['Mute', 'Kick']);
    expect(decodeAction(tim?.buttons[0]?.id ?? '')).toEqual({ kind: 'mute', pbx: 'pbx1', room: '200', uniqueid: people[0]?.uniqueid, on: false });
    expect(tim?.buttons[1]?.confirm?.text).toContain('Tim (701)');
  });

  it('offers unlock on a locked room and a confirmed mute-all', () => {
    const view = buildStatusView({ ...base, room: room('200', people, { locked: true }) });
    expect(view.buttons.map((b) => b.label)).toEqual(['Unlock', 'Mute all']);
    expect(view.buttons[1]?.confirm).toBeDefined();
    expect(decodeAction(view.buttons[0]?.id ?? '')).toEqual({ kind: 'lock', pbx: 'pbx1', room: '200', on: false });
  });

  it('asks to confirm mute-all without a head count that would be stale by the time it is pressed', () => {
    const view = buildStatusView({ ...base, room: room('200', people) });
    const confirm = view.buttons[1]?.confirm;
    expect(confirm?.text).toBe('Mute everyone in room 200? Whoever is in it when you confirm is included.');
    expect(confirm?.text).not.toMatch(/\d+ participants/);
  });

  it('gives an ended summary without rows or buttons when the room ended', () => {
    const ended = buildStatusView({ ...base, room: room('200', people, { endedAt: T0 - 1000, peakSize: 5 }), history: { attendees: ['Tim (701)', '702'], actions: ['alice muted Tim (701)'] } });
    expect(ended.rows).toEqual([]);
    expect(ended.buttons).toEqual([]);
    expect(ended.ended).toEqual({ durationSec: 599, peakSize: 5, attendees: ['Tim (701)', '702'], actions: ['alice muted Tim (701)'] });
  });

  it('says a room the PBX does not hold has not started yet, rather than calling it ended', () => {
    const waiting = buildStatusView({ ...base, room: undefined, history: { attendees: [], actions: [] } });
    expect(waiting.ended).toBeUndefined();
    expect(waiting.banner).toBe('Room 200 has not started yet');
    expect(waiting.rows).toEqual([]);
    expect(waiting.buttons).toEqual([]);
    expect(buildStatusView({ ...base, room: undefined, available: false }).banner).toMatch(/PBX unreachable/);
  });

  it('marks a room that has not started, so renderers leave out its zero head count and running time', () => {
    expect(buildStatusView({ ...base, room: undefined }).notStarted).toBe(true);
    expect(buildStatusView({ ...base, room: room('200', people) }).notStarted).toBeUndefined();
  });

  it('shows a banner and no buttons while the PBX is unreachable', () => {
    const view = buildStatusView({ ...base, available: false, since: Date.UTC(2026, 0, 5, 12, 3), room: room('200', people) });
    expect(view.banner).toBe('PBX unreachable since 12:03, reconnecting');
    expect(view.buttons).toEqual([]);
    expect(view.rows.every((r) => r.buttons.length === 0)).toBe(true);
    expect(view.rows).toHaveLength(2);
  });

  it('says so when names are too long for buttons instead of dropping them silently', () => {
    const longRoom = 'r'.repeat(64);
    const view = buildStatusView({ ...base, pbx: 'p'.repeat(32), roomName: longRoom, room: room(longRoom, people) });
    expect(view.banner).toMatch(/too long for buttons/);
  });
});

describe('reply and error views', () => {
  it('fills reply defaults', () => {
    expect(replyView('hi')).toEqual({ kind: 'reply', tone: 'info', title: undefined, text: 'hi', table: undefined, link: undefined, buttons: [], correlationId: undefined });
    expect(replyView('done', { tone: 'success' }).tone).toBe('success');
  });

  it('shows the user message and correlation id, never the detail', () => {
    const view = errorView(new InternalError('AMI said: Response: Error\r\nMessage: secret stuff'), 'c0ffee');
    expect(view.text).toBe('Something went wrong inside the bot.');
    expect(view.correlationId).toBe('c0ffee');
    expect(view.tone).toBe('error');
    expect(errorView(new BadCommandError('Unknown command'), 'x').tone).toBe('warning');
    expect(errorView(new AlreadyLeftError('That participant already left the room.'), 'x').tone).toBe('info');
  });

  it('adds an error\'s admin hint only for an admin', () => {
    const err = new ActionRefusedError('Invite is not set up for PBX p; an admin must configure it.', { adminHint: 'Set pbxs[].invite for PBX p in the config.' });
    expect(errorView(err, 'x').text).toBe('Invite is not set up for PBX p; an admin must configure it.');
    expect(errorView(err, 'x', { forAdmin: false }).text).not.toContain('pbxs[]');
    expect(errorView(err, 'x', { forAdmin: true }).text).toBe('Invite is not set up for PBX p; an admin must configure it.\nFor admins: Set pbxs[].invite for PBX p in the config.');
    expect(errorView(new BadCommandError('Unknown command'), 'x', { forAdmin: true }).text).toBe('Unknown command');
  });

  it('labels participants by name and number', () => {
    expect(participantLabel({ callerName: 'Tim', callerNum: '701', channel: 'SIP/x' })).toBe('Tim (701)');
    expect(participantLabel({ callerName: undefined, callerNum: undefined, channel: 'SIP/x' })).toBe('SIP/x');
  });
});
