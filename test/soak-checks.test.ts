import { describe, expect, it } from 'vitest';
import { AlertReader, checkAlerts, readAlertButtons } from '../bench/soak/alerts.ts';
import type { AlertMessage, FakePlatform, StatusMessage } from '../bench/soak/platform.ts';
import { checkMessages } from '../bench/soak/check-messages.ts';
import { readDiscordStatus, readSlackStatus } from '../bench/soak/status-reading.ts';
import type { RoomSnapshot } from '../src/sim/pbx/index.ts';

/** The soak's verdicts can say no: each kind of wrong status message is counted. */

function person(name: string, num: string, muted: boolean): RoomSnapshot['participants'][number] {
  return { uniqueid: num, channel: `PJSIP/${num}-1`, callerNum: num, callerName: name, admin: false, marked: false, muted, talking: false, joinedAt: 0 };
}

const truth = new Map<string, RoomSnapshot>([
  ['5000', { name: '5000', locked: false, participants: [person('Tim', '701', true), person('Ann', '702', false)] }],
  ['5001', { name: '5001', locked: false, participants: [person('Bob', '703', false)] }],
]);

function platform(messages: StatusMessage[], alerts: AlertMessage[] = []): FakePlatform {
  return {
    name: 'fake', conversations: ['c'], injected: { rateLimited: 0, serverErrors: 0 },
    watch: () => undefined, statusMessages: () => messages, alertMessages: () => alerts, pressAlert: () => undefined, pruneLogs: () => 0, takeEdits: () => [], act: () => undefined, close: async () => undefined,
  };
}

const msg = (id: string, room: string, people: string[], ended = false): StatusMessage => ({ id, conversation: 'c', status: { room, ended, people } });

describe('soak message checks', () => {
  it('accept messages that show exactly who is in the room and who is muted', () => {
    const p = platform([msg('1', '5000', ['Ann (702)', 'Tim (701) muted']), msg('2', '5001', ['Bob (703)'])]);
    expect(checkMessages([p], ['5000', '5001'], truth)).toEqual({ wrong: [], duplicates: 0 });
  });

  it('count a stale message, an ended message for a running room, a missing one and a duplicate', () => {
    const p = platform([msg('1', '5000', ['Ann (702)', 'Tim (701)']), msg('2', '5001', [], true), msg('3', '5001', ['Bob (703)'])]);
    const verdict = checkMessages([p], ['5000', '5001', '5002'], truth);
    expect(verdict.duplicates).toBe(1);
    expect(verdict.wrong).toHaveLength(3);
    const said = checkMessages([p], ['5000'], truth, (id) => `history of ${id}`).wrong;
    expect(said[0]).toMatch(/^fake 1 \(room 5000\) shows .*; history of 1$/);
  });

  it('read people and mutes from a Slack status message and a Discord embed', () => {
    const slack = readSlackStatus([
      { type: 'header', text: { type: 'plain_text', text: 'Room 5000 · demo' } },
      { type: 'section', text: { type: 'mrkdwn', text: '*Tim (701)*  :mute: muted' } },
      { type: 'section', text: { type: 'mrkdwn', text: '*Ann (702)*  :speaking_head_in_silhouette: talking' } },
    ]);
    expect(slack).toEqual({ room: '5000', ended: false, people: ['Ann (702)', 'Tim (701) muted'] });
    const discord = readDiscordStatus([{ title: 'Room 5000 ended · demo', description: '🔇 **Tim** (701) · 3m 05s\n🎙️ **Ann** (702) · 1m' }]);
    expect(discord).toEqual({ room: '5000', ended: true, people: ['Ann (702)', 'Tim (701) muted'] });
  });

  it('read an alert message from its button ids: the incident, and the Ack button while it is open', () => {
    const open = readAlertButtons('m1', 'c', ['v1|aa|demo|5000|i7', 'v1|ar|demo|5000|i7', 'v1|as|demo|5000|i7|1', 'v1|ao|demo|5000|i7']);
    expect(open).toEqual({ id: 'm1', conversation: 'c', incident: 'i7', ackButton: 'v1|aa|demo|5000|i7', resolveButton: 'v1|ar|demo|5000|i7' });
    expect(readAlertButtons('m1', 'c', ['v1|ar|demo|5000|i7'])?.ackButton).toBeUndefined();
    expect(readAlertButtons('m2', 'c', ['v1|m|demo|5000|u1|1', 'v1|p|demo|5000|1'])).toBeUndefined();
  });

  it('read a resolved alert, which keeps no buttons, as the incident it showed before', () => {
    const reader = new AlertReader();
    expect(reader.read('m1', 'c', ['v1|ar|demo|5000|i7'])?.resolveButton).toBe('v1|ar|demo|5000|i7');
    expect(reader.read('m1', 'c', [])).toEqual({ id: 'm1', conversation: 'c', incident: 'i7', ackButton: undefined, resolveButton: undefined });
    expect(reader.read('m2', 'c', [])).toBeUndefined();
  });

  it('count an alert posted twice in one conversation as a duplicate, and count raised, acked and resolved incidents', () => {
    const alert = (id: string, incident: string, state: 'open' | 'acked' | 'resolved', conversation = 'c'): AlertMessage => ({
      id, conversation, incident,
      ackButton: state === 'open' ? `v1|aa|demo|5000|${incident}` : undefined,
      resolveButton: state === 'resolved' ? undefined : `v1|ar|demo|5000|${incident}`,
    });
    const slack = platform([], [alert('1', 'i1', 'acked'), alert('2', 'i2', 'open'), alert('3', 'i2', 'open'), alert('4', 'i3', 'resolved')]);
    const discord = platform([], [alert('9', 'i1', 'open'), alert('10', 'i2', 'open', 'other')]);
    const verdict = checkAlerts([slack, discord]);
    expect({ raised: verdict.raised, acked: verdict.acked, resolved: verdict.resolved, duplicates: verdict.duplicates }).toEqual({ raised: 3, acked: 2, resolved: 1, duplicates: 1 });
    expect(verdict.details).toHaveLength(1);
  });
});
