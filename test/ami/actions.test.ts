import { afterEach, describe, expect, it } from 'vitest';
import { AmiClient } from '../../src/ami/client.ts';
import * as ami from '../../src/ami/actions.ts';
import { isBotError } from '../../src/errors.ts';
import { AmiActionError, AmiUnsafeFieldError } from '../../src/ami/errors.ts';
import { AmiMessage, type AmiHeader } from '../../src/ami/message.ts';
import type { AmiActionRequest } from '../../src/ami/types.ts';
import { ScriptedAmiServer, SECRET, USERNAME } from './helpers/scripted-server.ts';
import { answerFromRecording, recordedAnswers } from './helpers/replay.ts';
import { rejection } from './helpers/rejection.ts';

const conference = recordedAnswers('05_conference_200.s2c.raw');
const meetme = new Map([...recordedAnswers('meetme_list.s2c.raw'), ...recordedAnswers('meetme_command_follows.s2c.raw')]);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(): Promise<{ server: ScriptedAmiServer; link: AmiClient }> {
  const server = await ScriptedAmiServer.start();
  cleanups.push(() => server.close());
  let n = 0;
  const link = new AmiClient({
    name: 'pbx1', host: '127.0.0.1', port: server.port, username: USERNAME, secret: SECRET, authType: 'plain',
    pingIntervalMs: 0, actionTimeoutMs: 2000, actionIdGenerator: () => `t-${++n}`,
  });
  cleanups.push(() => link.stop());
  await link.start();
  return { server, link };
}

describe('typed actions on recorded Asterisk 22 answers', () => {
  it('confbridgeListRooms reads rooms with counts and flags', async () => {
    const { server, link } = await setup();
    answerFromRecording(server, conference, 'ConfbridgeListRooms', '05_conference_200-5');
    expect(await ami.confbridgeListRooms(link)).toEqual([{ conference: '200', parties: 3, marked: 1, locked: false, muted: false }]);
  });

  it('confbridgeList reads every participant', async () => {
    const { server, link } = await setup();
    answerFromRecording(server, conference, 'ConfbridgeList', '05_conference_200-6');
    const items = await ami.confbridgeList(link, '200');
    expect(items.map((i) => [i.callerIdName, i.admin, i.marked, i.answeredTimeSec])).toEqual([
      ['Alice', false, false, 7],
      ['Bob', false, false, 3],
      ['Carol', true, true, 1],
    ]);
    expect(items[0]).toMatchObject({ conference: '200', channel: 'Local/200@confs-00000000;2', uniqueid: '1795368827.1', callerIdNum: '1001', muted: false, talking: false, waiting: false });
    const sent = await server.connections[0]!.waitForAction('ConfbridgeList');
    expect(sent.get('Conference')).toBe('200');
  });

  it('confbridgeList of a missing conference is an empty list', async () => {
    const { server, link } = await setup();
    server.handle('ConfbridgeList', (conn, a) => conn.error(a, 'No Conference by that name found.'));
    expect(await ami.confbridgeList(link, '999')).toEqual([]);
  });

  it('coreShowChannels reads channels with their duration', async () => {
    const { server, link } = await setup();
    answerFromRecording(server, conference, 'CoreShowChannels', '05_conference_200-33');
    const items = await ami.coreShowChannels(link);
    expect(items.length).toBeGreaterThan(2);
    expect(items[0]).toEqual({
      channel: 'Local/200@confs-00000002;2', uniqueid: '1795368832.5', linkedid: '1795368832.4',
      callerIdNum: '1002', callerIdName: 'Bob', connectedLineNum: '1002', connectedLineName: 'Bob',
      context: 'confs', exten: '200', application: 'ConfBridge', applicationData: '200,default_bridge,default_user,default_menu',
      state: 'Up', durationSec: 31,
    });
  });

  it('status reads Status items, Seconds as the duration', async () => {
    const { server, link } = await setup();
    server.handle('Status', (conn, a) => {
      const id = a.actionId ?? '';
      conn.send([['Response', 'Success'], ['ActionID', id], ['EventList', 'start'], ['Message', 'Channel status will follow']]);
      conn.send([['Event', 'Status'], ['ActionID', id], ['Channel', 'PJSIP/1001-00000001'], ['ChannelStateDesc', 'Up'], ['CallerIDNum', '1001'], ['CallerIDName', '<unknown>'], ['Uniqueid', '17.1'], ['Application', 'ConfBridge'], ['Data', '200'], ['Seconds', '65']]);
      conn.send([['Event', 'StatusComplete'], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', '1']]);
    });
    expect(await ami.status(link)).toEqual([{
      channel: 'PJSIP/1001-00000001', uniqueid: '17.1', linkedid: '17.1', callerIdNum: '1001', callerIdName: '<unknown>',
      connectedLineNum: '', connectedLineName: '', context: '', exten: '', application: 'ConfBridge', applicationData: '200',
      state: 'Up', durationSec: 65,
    }]);
  });

  it('getVar returns a channel value, a function value, and undefined for empty', async () => {
    const { server, link } = await setup();
    answerFromRecording(server, conference, 'GetVar', '05_conference_200-28');
    expect(await ami.getVar(link, { channel: 'Local/200@confs-00000002;2', variable: 'HOLDOUT_TAG' })).toBe('set-by-bot');
    answerFromRecording(server, conference, 'GetVar', '05_conference_200-29');
    expect(await ami.getVar(link, { channel: 'Local/200@confs-00000002;2', variable: 'CONFBRIDGE_INFO(parties,200)' })).toBe('4');
    server.handle('GetVar', (conn, a) => conn.ok(a, ['Variable', 'X'], ['Value', '']));
    expect(await ami.getVar(link, { variable: 'X' })).toBeUndefined();
    const sent = server.connections[0]!.actions.filter((a) => a.get('Action') === 'GetVar');
    expect(sent[2]?.has('Channel')).toBe(false);
  });

  it('getVar on a missing channel fails with ami_action_failed', async () => {
    const { server, link } = await setup();
    answerFromRecording(server, conference, 'GetVar', '05_conference_200-32');
    expect(isBotError(await rejection(ami.getVar(link, { channel: 'Local/nonexistent-0000;2', variable: 'X' })), 'ami_action_failed')).toBe(true);
  });

  it('a second ConfbridgeStartRecord fails as the PBX said', async () => {
    const { server, link } = await setup();
    answerFromRecording(server, conference, 'ConfbridgeStartRecord', '05_conference_200-20');
    const err = await rejection(ami.confbridgeStartRecord(link, '200'));
    expect(isBotError(err, 'ami_action_failed')).toBe(true);
    expect((err as { amiMessage: string }).amiMessage).toBe('Conference is already being recorded.');
  });

  it('command returns the Output lines of the recorded answer', async () => {
    const { server, link } = await setup();
    answerFromRecording(server, conference, 'Command', '05_conference_200-26');
    expect(await ami.command(link, 'confbridge list')).toEqual([
      'Conference Bridge Name           Users  Marked Locked Muted',
      '================================ ====== ====== ====== =====',
      '200                                   4      1 No     No',
    ]);
  });

  it('originateAsync resolves with the recorded OriginateResponse outcome', async () => {
    const { server, link } = await setup();
    answerFromRecording(server, conference, 'Originate', '05_conference_200-2');
    const result = await ami.originateAsync(link, { channel: 'Local/200@confs', callerId: '"Alice" <1001>', timeoutMs: 15000, application: 'Wait', data: '3600', variables: { HOLDOUT_ROLE: 'alice' } });
    expect(result).toEqual({ success: true, reason: 4, reasonText: 'answered', channel: 'Local/200@confs-00000000;1', uniqueid: '1795368827.0' });
    const sent = await server.connections[0]!.waitForAction('Originate');
    expect(sent.headers.slice(2)).toEqual([
      ['Channel', 'Local/200@confs'], ['Application', 'Wait'], ['Data', '3600'], ['CallerID', '"Alice" <1001>'],
      ['Timeout', '15000'], ['Variable', 'HOLDOUT_ROLE=alice'], ['Async', 'true'],
    ]);
  });

  it('originateAsync reports a failed dial as a result, not an exception', async () => {
    const { server, link } = await setup();
    server.handle('Originate', (conn, a) => {
      conn.ok(a, ['Message', 'Originate successfully queued']);
      conn.send([['Event', 'OriginateResponse'], ['ActionID', a.actionId ?? ''], ['Response', 'Failure'], ['Channel', 'PJSIP/555'], ['Reason', '5'], ['Uniqueid', '<null>']]);
    });
    expect(await ami.originateAsync(link, { channel: 'PJSIP/555', exten: '200', context: 'confs', priority: 1 })).toMatchObject({ success: false, reason: 5, reasonText: 'busy' });
  });

  it('refuses a variable name holding "=" before sending anything', async () => {
    const { link } = await setup();
    await expect(ami.originateAsync(link, { channel: 'Local/1', variables: { 'A=B': '1' } })).rejects.toBeInstanceOf(AmiUnsafeFieldError);
  });
});

describe('session actions validate their answers', () => {
  /** A sender that answers every action with one scripted message and records what was sent. */
  function answering(...headers: AmiHeader[]): { sender: ami.ActionSender; sent: AmiActionRequest[] } {
    const sent: AmiActionRequest[] = [];
    const sender: ami.ActionSender = {
      action: (req) => {
        sent.push(req);
        return Promise.resolve(new AmiMessage(headers));
      },
    };
    return { sender, sent };
  }

  it('challenge returns the Challenge value, and an answer without one is ami_bad_response', async () => {
    expect(await ami.challenge(answering(['Response', 'Success'], ['Challenge', '893264912']).sender)).toBe('893264912');
    expect(isBotError(await rejection(ami.challenge(answering(['Response', 'Success']).sender)), 'ami_bad_response')).toBe(true);
    expect(isBotError(await rejection(ami.challenge(answering(['Response', 'Success'], ['Challenge', '']).sender)), 'ami_bad_response')).toBe(true);
  });

  it('login sends the MD5 key of the real capture, never the secret, and accepts Success', async () => {
    const { sender, sent } = answering(['Response', 'Success'], ['Challenge', '893264912'], ['Message', 'Authentication accepted']);
    await ami.login(sender, { username: USERNAME, secret: SECRET, authType: 'md5', events: 'call,system' });
    expect(sent).toEqual([
      { action: 'Challenge', fields: { AuthType: 'MD5' } },
      { action: 'Login', fields: { AuthType: 'MD5', Username: USERNAME, Key: '7692e64e8939d2f2251cb5d670a4320a', Events: 'call,system' } },
    ]);
  });

  it('login with an answer other than Success is ami_bad_response, and a refusal stays ami_action_failed', async () => {
    const odd = answering(['Response', 'Follows']);
    expect(isBotError(await rejection(ami.login(odd.sender, { username: USERNAME, secret: SECRET, authType: 'plain', events: 'on' })), 'ami_bad_response')).toBe(true);
    expect(odd.sent[0]?.fields).toEqual({ Username: USERNAME, Secret: SECRET, Events: 'on' });
    const refusing: ami.ActionSender = { action: () => Promise.reject(new AmiActionError('pbx1', 'Login', 'Authentication failed')) };
    expect(isBotError(await rejection(ami.login(refusing, { username: USERNAME, secret: SECRET, authType: 'plain', events: 'on' })), 'ami_action_failed')).toBe(true);
  });

  it('logoff accepts Goodbye and calls anything else ami_bad_response', async () => {
    await ami.logoff(answering(['Response', 'Goodbye'], ['Message', 'Thanks for all the fish.']).sender);
    expect(isBotError(await rejection(ami.logoff(answering(['Response', 'Success']).sender)), 'ami_bad_response')).toBe(true);
  });
});

describe('typed actions send the documented fields', () => {
  const cases: [string, (link: AmiClient) => Promise<unknown>, [string, string][]][] = [
    ['Ping', (l) => ami.ping(l), []],
    ['Hangup', (l) => ami.hangup(l, 'SIP/701-1', 16), [['Channel', 'SIP/701-1'], ['Cause', '16']]],
    ['Redirect', (l) => ami.redirect(l, { channel: 'Local/1', context: 'confs', exten: '9000' }), [['Channel', 'Local/1'], ['Context', 'confs'], ['Exten', '9000'], ['Priority', '1']]],
    ['SetVar', (l) => ami.setVar(l, { channel: 'Local/1', variable: 'topic', value: 'budget: Q3' }), [['Channel', 'Local/1'], ['Variable', 'topic'], ['Value', 'budget: Q3']]],
    ['ConfbridgeMute', (l) => ami.confbridgeMute(l, '200', 'participants'), [['Conference', '200'], ['Channel', 'participants']]],
    ['ConfbridgeUnmute', (l) => ami.confbridgeUnmute(l, '200', 'all'), [['Conference', '200'], ['Channel', 'all']]],
    ['ConfbridgeKick', (l) => ami.confbridgeKick(l, '200', 'Local/1'), [['Conference', '200'], ['Channel', 'Local/1']]],
    ['ConfbridgeLock', (l) => ami.confbridgeLock(l, '200'), [['Conference', '200']]],
    ['ConfbridgeUnlock', (l) => ami.confbridgeUnlock(l, '200'), [['Conference', '200']]],
    ['ConfbridgeStartRecord', (l) => ami.confbridgeStartRecord(l, '200', 'conf200.wav'), [['Conference', '200'], ['RecordFile', 'conf200.wav']]],
    ['ConfbridgeStopRecord', (l) => ami.confbridgeStopRecord(l, '200'), [['Conference', '200']]],
    ['MeetmeMute', (l) => ami.meetmeMute(l, '200', 1), [['Meetme', '200'], ['Usernum', '1']]],
    ['MeetmeUnmute', (l) => ami.meetmeUnmute(l, '200', 2), [['Meetme', '200'], ['Usernum', '2']]],
    ['Originate', (l) => ami.originateAsync(l, { channel: 'Local/1', exten: '200', context: 'confs', priority: 1 }), [['Channel', 'Local/1'], ['Context', 'confs'], ['Exten', '200'], ['Priority', '1'], ['Async', 'true']]],
  ];
  for (const [action, run, fields] of cases) {
    const behaviour = fields.length === 0 ? 'no field besides Action and ActionID' : `${fields.map(([k]) => k).join(', ')} in that order`;
    it(`${action} sends ${behaviour}`, async () => {
      const { server, link } = await setup();
      server.handle(action, (conn, a) => {
        conn.ok(a);
        if (action === 'Originate') conn.send([['Event', 'OriginateResponse'], ['ActionID', a.actionId ?? ''], ['Response', 'Success'], ['Reason', '4']]);
      });
      await run(link);
      const sent = await server.connections[0]!.waitForAction(action);
      expect(sent.headers.slice(2)).toEqual(fields);
    });
  }
});

describe('MeetMe actions on hand-written transcripts', () => {
  it('meetmeListRooms reads rooms', async () => {
    const { server, link } = await setup();
    answerFromRecording(server, meetme, 'MeetmeListRooms', 'mm-1');
    expect(await ami.meetmeListRooms(link)).toEqual([
      { conference: '200', parties: 2, marked: 0, activity: '01:37:22', creation: 'Dynamic', locked: false },
      { conference: '300', parties: 1, marked: 1, activity: '00:02:10', creation: 'Static', locked: true },
    ]);
  });

  it('meetmeList reads users, keeping <unknown> raw and reading "By admin" as muted', async () => {
    const { server, link } = await setup();
    answerFromRecording(server, meetme, 'MeetmeList', 'mm-2');
    expect(await ami.meetmeList(link, '200')).toEqual([
      { conference: '200', usernum: 1, channel: 'SIP/701-b6d13438', uniqueid: undefined, callerIdNum: '701', callerIdName: 'Tim-1', admin: true, marked: false, muted: true, mutedBy: 'admin', talking: false, role: 'Talk and listen' },
      { conference: '200', usernum: 2, channel: 'SIP/702-b6d20001', uniqueid: undefined, callerIdNum: '<unknown>', callerIdName: 'Bob Smith', admin: false, marked: false, muted: false, mutedBy: undefined, talking: true, role: 'Talk and listen' },
    ]);
  });

  it('meetmeList with no active conference is an empty list', async () => {
    const { server, link } = await setup();
    answerFromRecording(server, meetme, 'MeetmeList', 'mm-3');
    expect(await ami.meetmeList(link)).toEqual([]);
    expect((await server.connections[0]!.waitForAction('MeetmeList')).has('Conference')).toBe(false);
  });

  it('command returns the legacy Follows body of meetme list', async () => {
    const { server, link } = await setup();
    answerFromRecording(server, meetme, 'Command', 'mm-4');
    expect(await ami.command(link, 'meetme list 200')).toEqual([
      'User #: 01 701 Tim-1 Channel: SIP/701-b6d13438 (Admin Muted) (unmonitored) 01:37:22',
      'User #: 02 <unknown> Bob Smith Channel: SIP/702-b6d20001 (unmonitored) 00:12:05',
      '2 users in that conference.',
    ]);
  });

  it('a list item missing a required field is a typed schema error, not a half-parsed item', async () => {
    const { server, link } = await setup();
    server.handle('MeetmeListRooms', (conn, a) => {
      const id = a.actionId ?? '';
      conn.send([['Response', 'Success'], ['ActionID', id], ['EventList', 'start']]);
      conn.send([['Event', 'MeetmeListRooms'], ['ActionID', id], ['Conference', '200'], ['Parties', 'many']]);
      conn.send([['Event', 'MeetmeListRoomsComplete'], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', '1']]);
    });
    expect(isBotError(await rejection(ami.meetmeListRooms(link)), 'ami_bad_response')).toBe(true);
  });
});

describe('CR/LF injection through typed actions', () => {
  type Call = (link: AmiClient, v: string) => Promise<unknown>;
  const o = (extra: Partial<ami.OriginateParams>) => ({ channel: 'Local/1', ...extra });
  const calls: Record<string, Call> = {
    'command': (l, v) => ami.command(l, v),
    'hangup.channel': (l, v) => ami.hangup(l, v),
    'originateAsync.channel': (l, v) => ami.originateAsync(l, { channel: v }),
    'originateAsync.context': (l, v) => ami.originateAsync(l, o({ context: v })),
    'originateAsync.exten': (l, v) => ami.originateAsync(l, o({ exten: v })),
    'originateAsync.application': (l, v) => ami.originateAsync(l, o({ application: v })),
    'originateAsync.data': (l, v) => ami.originateAsync(l, o({ data: v })),
    'originateAsync.callerId': (l, v) => ami.originateAsync(l, o({ callerId: v })),
    'originateAsync.account': (l, v) => ami.originateAsync(l, o({ account: v })),
    'originateAsync.variable name': (l, v) => ami.originateAsync(l, o({ variables: { [`A${v}`]: '1' } })),
    'originateAsync.variable value': (l, v) => ami.originateAsync(l, o({ variables: { A: v } })),
    'redirect.channel': (l, v) => ami.redirect(l, { channel: v, context: 'c', exten: '1' }),
    'redirect.context': (l, v) => ami.redirect(l, { channel: 'x', context: v, exten: '1' }),
    'redirect.exten': (l, v) => ami.redirect(l, { channel: 'x', context: 'c', exten: v }),
    'redirect.extraChannel': (l, v) => ami.redirect(l, { channel: 'x', context: 'c', exten: '1', extraChannel: v }),
    'setVar.channel': (l, v) => ami.setVar(l, { channel: v, variable: 'a', value: 'b' }),
    'setVar.variable': (l, v) => ami.setVar(l, { variable: v, value: 'b' }),
    'setVar.value': (l, v) => ami.setVar(l, { variable: 'topic', value: v }),
    'getVar.channel': (l, v) => ami.getVar(l, { channel: v, variable: 'a' }),
    'getVar.variable': (l, v) => ami.getVar(l, { variable: v }),
    'confbridgeList.conference': (l, v) => ami.confbridgeList(l, v),
    'confbridgeMute.conference': (l, v) => ami.confbridgeMute(l, v, 'all'),
    'confbridgeMute.channel': (l, v) => ami.confbridgeMute(l, '200', v),
    'confbridgeUnmute.conference': (l, v) => ami.confbridgeUnmute(l, v, 'all'),
    'confbridgeUnmute.channel': (l, v) => ami.confbridgeUnmute(l, '200', v),
    'confbridgeKick.conference': (l, v) => ami.confbridgeKick(l, v, 'all'),
    'confbridgeKick.channel': (l, v) => ami.confbridgeKick(l, '200', v),
    'confbridgeLock.conference': (l, v) => ami.confbridgeLock(l, v),
    'confbridgeUnlock.conference': (l, v) => ami.confbridgeUnlock(l, v),
    'confbridgeStartRecord.conference': (l, v) => ami.confbridgeStartRecord(l, v),
    'confbridgeStartRecord.recordFile': (l, v) => ami.confbridgeStartRecord(l, '200', v),
    'confbridgeStopRecord.conference': (l, v) => ami.confbridgeStopRecord(l, v),
    'meetmeList.conference': (l, v) => ami.meetmeList(l, v),
    'meetmeMute.meetme': (l, v) => ami.meetmeMute(l, v, 1),
    'meetmeUnmute.meetme': (l, v) => ami.meetmeUnmute(l, v, 1),
  };

  it('refuses \\r, \\n and \\r\\n in every field of every typed action, and no byte reaches the socket', async () => {
    const { server, link } = await setup();
    const conn = server.connections[0]!;
    await link.action({ action: 'Ping' });
    const before = conn.received.length;
    let refused = 0;
    for (const [field, call] of Object.entries(calls)) {
      for (const bad of ['\r', '\n', '\r\n']) {
        const err = await rejection(call(link, `x${bad}Action: Originate${bad}Channel: Local/666@evil${bad}${bad}`));
        expect(err, `${field} with ${JSON.stringify(bad)}`).toBeInstanceOf(AmiUnsafeFieldError);
        refused++;
      }
    }
    expect(refused).toBe(Object.keys(calls).length * 3);
    // A Ping after all of them: the only bytes since the mark must be this Ping.
    await link.action({ action: 'Ping' });
    const since = conn.received.subarray(before).toString();
    expect(since).toMatch(/^Action: Ping\r\nActionID: t-\d+\r\n\r\n$/);
    expect(conn.actions.some((a) => a.get('Action') === 'Originate')).toBe(false);
  });
});
