import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AmiMessage } from '../../../src/ami/message.ts';
import { AmiParser } from '../../../src/ami/protocol.ts';
import { startEmbeddedPbx, type EmbeddedPbx } from '../../../src/sim/pbx/index.ts';
import { keys, RawAmi } from './raw-ami.ts';

/** The real Asterisk 22 session these answers must look like. */
const capture: AmiMessage[] = new AmiParser()
  .push(readFileSync(new URL('../../fixtures/ami/05_conference_200.s2c.raw', import.meta.url)))
  .flatMap((o) => (o.kind === 'message' ? [o.message] : []));

function real(pred: (m: AmiMessage) => boolean): AmiMessage {
  const m = capture.find(pred);
  if (!m) throw new Error('not in the capture');
  return m;
}
const realEvent = (name: string, pred: (m: AmiMessage) => boolean = () => true): AmiMessage => real((m) => m.event === name && pred(m));
const realAnswer = (n: number): AmiMessage => real((m) => m.response !== undefined && m.actionId === `05_conference_200-${n}`);

describe('embedded PBX, ConfBridge dialect', () => {
  let pbx: EmbeddedPbx;
  let ami: RawAmi;

  beforeEach(async () => {
    pbx = await startEmbeddedPbx({
      dialect: 'confbridge',
      kickPromptMs: 30,
      originateDelayMs: 1,
      dialplan: {
        entries: [{ context: 'confs', exten: '210', room: '200', admin: true, marked: true }], musicOnHold: [{ context: 'confs', exten: '9000' }],
        applications: [{ context: 'confs', exten: '7005' }],
      },
    });
    ami = await RawAmi.login(pbx.port);
  });

  afterEach(async () => {
    ami.close();
    await pbx.stop();
  });

  /** Alice, Bob and Carol (admin, marked) in room 200, as the capture starts. */
  async function threeInRoom(): Promise<void> {
    await ami.action('Originate', { Channel: 'Local/200@confs', CallerID: '"Alice" <1001>', Async: 'true', Application: 'Wait', Data: '3600' });
    await ami.event('ConfbridgeJoin', (m) => m.get('CallerIDName') === 'Alice');
    await ami.action('Originate', { Channel: 'Local/200@confs', CallerID: '"Bob" <1002>', Async: 'true', Context: 'confs', Exten: '7005', Priority: '1' });
    await ami.event('ConfbridgeJoin', (m) => m.get('CallerIDName') === 'Bob');
    await ami.action('Originate', { Channel: 'Local/210@confs', CallerID: '"Carol" <1003>', Async: 'true', Application: 'Wait', Data: '3600' });
    await ami.event('ConfbridgeJoin', (m) => m.get('CallerIDName') === 'Carol');
  }

  it('joins originated Local channels with the events and fields of the capture', async () => {
    await threeInRoom();
    const start = await ami.event('ConfbridgeStart');
    expect(keys(start)).toEqual(keys(realEvent('ConfbridgeStart')));
    const join = await ami.event('ConfbridgeJoin', (m) => m.get('CallerIDName') === 'Alice');
    expect(keys(join)).toEqual(keys(realEvent('ConfbridgeJoin')));
    expect(join.get('Channel')).toBe('Local/200@confs-00000000;2');
    expect(join.get('BridgeNumChannels')).toBe('2');
    const carol = await ami.event('ConfbridgeJoin', (m) => m.get('CallerIDName') === 'Carol');
    expect(carol.get('Admin')).toBe('Yes');
    expect(carol.get('Exten')).toBe('210');
    const newchannel = await ami.event('Newchannel');
    expect(keys(newchannel)).toEqual(keys(realEvent('Newchannel')));
    expect(newchannel.get('Channel')).toBe('Local/200@confs-00000000;1');
    expect(newchannel.get('Uniqueid')).toMatch(/^\d+\.0$/);
  });

  it('reports an async Originate with OriginateResponse carrying the same ActionID, before the join', async () => {
    const id = ami.send('Originate', { Channel: 'Local/200@confs', CallerID: '"Alice" <1001>', Async: 'true', Application: 'Wait', Data: '3600' });
    const res = await ami.waitFor((m) => m.response !== undefined && m.actionId === id);
    expect(keys(res)).toEqual(keys(realAnswer(2)));
    expect(res.get('Message')).toBe('Originate successfully queued');
    const or = await ami.event('OriginateResponse');
    expect(keys(or)).toEqual(keys(realEvent('OriginateResponse', (m) => m.has('Application'))));
    expect(or.actionId).toBe(id);
    expect(or.get('Response')).toBe('Success');
    expect(or.get('Reason')).toBe('4');
    await ami.event('ConfbridgeJoin');
    expect(ami.messages.indexOf(or)).toBeLessThan(ami.messages.findIndex((m) => m.event === 'ConfbridgeJoin'));
    const bob = ami.send('Originate', { Channel: 'Local/200@confs', CallerID: '"Bob" <1002>', Async: 'true', Context: 'confs', Exten: '7005' });
    const bobOr = await ami.event('OriginateResponse', (m) => m.actionId === bob);
    expect(keys(bobOr)).toEqual(keys(realEvent('OriginateResponse', (m) => m.has('Context'))));
  });

  it('dials a PJSIP number into a room, and fails busy and unanswered numbers with their Reason', async () => {
    const ok = ami.send('Originate', { Channel: 'PJSIP/5551234', Context: 'confs', Exten: '300', Async: 'true', CallerID: '"Invite" <300>' });
    const okOr = await ami.event('OriginateResponse', (m) => m.actionId === ok);
    expect(okOr.get('Channel')).toMatch(/^PJSIP\/5551234-[0-9a-f]{8}$/);
    const join = await ami.event('ConfbridgeJoin', (m) => m.get('Conference') === '300');
    expect(join.get('Channel')).toBe(okOr.get('Channel'));
    for (const [num, reason] of [['486', '5'], ['480', '3'], ['503', '8']] as const) {
      const id = ami.send('Originate', { Channel: `PJSIP/${num}`, Context: 'confs', Exten: '300', Async: 'true' });
      const or = await ami.event('OriginateResponse', (m) => m.actionId === id);
      expect(or.get('Response')).toBe('Failure');
      expect(or.get('Reason')).toBe(reason);
      expect(or.get('Uniqueid')).toBe('<null>');
    }
    const sync = await ami.action('Originate', { Channel: 'PJSIP/486', Context: 'confs', Exten: '300' });
    expect(sync.get('Message')).toBe('Originate failed');
  });

  it('lists rooms and participants in the shapes of the capture', async () => {
    await threeInRoom();
    const rooms = await ami.list('ConfbridgeListRooms');
    expect(keys(rooms.response)).toEqual(keys(realAnswer(5)));
    expect(rooms.response.get('Message')).toBe('Confbridge conferences will follow');
    expect(rooms.items).toHaveLength(1);
    expect(keys(rooms.items[0]!)).toEqual(keys(realEvent('ConfbridgeListRooms')));
    expect(rooms.items[0]!.toRecord()).toMatchObject({ conference: '200', parties: '3', marked: '1', locked: 'No', muted: 'No' });
    expect(keys(rooms.complete!)).toEqual(keys(realEvent('ConfbridgeListRoomsComplete')));

    const list = await ami.list('ConfbridgeList', { Conference: '200' });
    expect(keys(list.response)).toEqual(keys(realAnswer(6)));
    expect(list.items.map((m) => m.get('CallerIDName'))).toEqual(['Alice', 'Bob', 'Carol']);
    for (const item of list.items) expect(keys(item)).toEqual(keys(realEvent('ConfbridgeList')));
    expect(list.items[2]!.toRecord()).toMatchObject({ admin: 'Yes', markeduser: 'Yes', muted: 'No' });
    expect(list.complete!.get('ListItems')).toBe('3');
  });

  it('answers list actions for missing conferences with the real errors', async () => {
    const none = await ami.list('ConfbridgeList', { Conference: '200' });
    expect(none.response.get('Message')).toBe(realAnswer(43).get('Message'));
    expect((await ami.action('ConfbridgeListRooms')).get('Message')).toBe('No active conferences.');
    pbx.join('200', { num: '1001' });
    const other = await ami.action('ConfbridgeList', { Conference: '999' });
    expect(other.get('Message')).toBe('No Conference by that name found.');
  });

  it('mutes by channel name, by prefix, with participants (not admins) and with all', async () => {
    await threeInRoom();
    const byName = await ami.action('ConfbridgeMute', { Conference: '200', Channel: 'Local/200@confs-00000000;2' });
    expect(byName.get('Message')).toBe('User muted');
    const mute = await ami.event('ConfbridgeMute');
    expect(keys(mute)).toEqual(keys(realEvent('ConfbridgeMute')));
    expect(pbx.rooms()[0]!.participants.map((p) => p.muted)).toEqual([true, false, false]);

    await ami.action('ConfbridgeMute', { Conference: '200', Channel: 'Local/200@confs-00000002' });
    expect(pbx.rooms()[0]!.participants.map((p) => p.muted)).toEqual([true, true, false]);
    await ami.action('ConfbridgeUnmute', { Conference: '200', Channel: 'all' });
    expect(pbx.rooms()[0]!.participants.map((p) => p.muted)).toEqual([false, false, false]);
    const before = ami.events('ConfbridgeMute').length;
    const res = await ami.action('ConfbridgeMute', { Conference: '200', Channel: 'participants' });
    expect(res.get('Message')).toBe('User muted');
    await ami.action('Ping');
    expect(ami.events('ConfbridgeMute').length - before).toBe(2);
    expect(pbx.rooms()[0]!.participants.map((p) => p.muted)).toEqual([true, true, false]);
    const missing = await ami.action('ConfbridgeMute', { Conference: '200', Channel: 'PJSIP/nobody' });
    expect(missing.get('Message')).toBe('No Channel by that name found in Conference.');
  });

  it('locks without an event and refuses a join into a locked room', async () => {
    await threeInRoom();
    const lock = await ami.action('ConfbridgeLock', { Conference: '200' });
    expect(lock.get('Message')).toBe('Conference locked');
    const rooms = await ami.list('ConfbridgeListRooms');
    expect(rooms.items[0]!.get('Locked')).toBe('Yes');
    const dave = pbx.join('200', { num: '1004', name: 'Dave' });
    const hangup = await ami.event('Hangup', (m) => m.get('Uniqueid') === dave.uniqueid);
    expect(hangup.get('Cause')).toBe('0');
    expect(hangup.get('Cause-txt')).toBe('Unknown');
    expect(pbx.rooms()[0]!.participants).toHaveLength(3);
    expect(ami.events('ConfbridgeLock')).toEqual([]);
    expect((await ami.action('ConfbridgeUnlock', { Conference: '200' })).get('Message')).toBe('Conference unlocked');
    pbx.join('200', { num: '1004', name: 'Dave' });
    expect(pbx.rooms()[0]!.participants).toHaveLength(4);
  });

  it('kicks at once but keeps listing the caller while the kick prompt plays, then hangs up', async () => {
    await threeInRoom();
    const kick = await ami.action('ConfbridgeKick', { Conference: '200', Channel: 'Local/200@confs-00000000;2' });
    expect(kick.get('Message')).toBe('User kicked');
    const leave = await ami.event('ConfbridgeLeave');
    expect(keys(leave)).toEqual(keys(realEvent('ConfbridgeLeave')));
    const listed = await ami.list('ConfbridgeList', { Conference: '200' });
    expect(listed.items.map((m) => m.get('CallerIDName'))).toContain('Alice');
    const hangup = await ami.event('Hangup', (m) => m.get('Channel') === 'Local/200@confs-00000000;2');
    expect(hangup.get('Cause')).toBe('16');
    expect(keys(hangup)).toEqual(keys(realEvent('Hangup')));
    const after = await ami.list('ConfbridgeList', { Conference: '200' });
    expect(after.items.map((m) => m.get('CallerIDName'))).toEqual(['Bob', 'Carol']);
    const nobody = await ami.action('ConfbridgeKick', { Conference: '200', Channel: 'Local/nobody-123;2' });
    expect(nobody.get('Message')).toBe(realAnswer(37).get('Message'));
  });

  it('records once, refuses a second StartRecord, and names the file X-<epoch>.wav', async () => {
    await threeInRoom();
    const start = await ami.action('ConfbridgeStartRecord', { Conference: '200', RecordFile: '/var/spool/asterisk/confbridge/conf200.wav' });
    expect(start.get('Message')).toBe(realAnswer(19).get('Message'));
    const record = await ami.event('ConfbridgeRecord');
    expect(keys(record)).toEqual(keys(realEvent('ConfbridgeRecord')));
    expect(pbx.rooms()[0]!.recordingFile).toMatch(/^\/var\/spool\/asterisk\/confbridge\/conf200-\d+\.wav$/);
    const again = await ami.action('ConfbridgeStartRecord', { Conference: '200' });
    expect(again.response).toBe('Error');
    expect(again.get('Message')).toBe(realAnswer(20).get('Message'));
    const stop = await ami.action('ConfbridgeStopRecord', { Conference: '200' });
    expect(stop.get('Message')).toBe(realAnswer(22).get('Message'));
    await ami.event('ConfbridgeStopRecord');
  });

  it('prints confbridge list like the CLI, as Output lines', async () => {
    await threeInRoom();
    const res = await ami.action('Command', { Command: 'confbridge list 200' });
    expect(keys(res).slice(0, 3)).toEqual(['Response', 'ActionID', 'Message']);
    const realOut = realAnswer(25).getAll('Output');
    const out = res.getAll('Output');
    expect(out.slice(0, 2)).toEqual(realOut.slice(0, 2));
    expect(out.slice(2)).toEqual(realOut.slice(2, 5));
    const rooms = await ami.action('Command', { Command: 'confbridge list' });
    expect(rooms.getAll('Output')).toEqual(realAnswer(26).getAll('Output').map((l) => l.replace(/ 4 /, ' 3 ')));
    const unknown = await ami.action('Command', { Command: 'frobnicate now' });
    expect(unknown.response).toBe('Error');
    expect(unknown.get('Output')).toMatch(/^No such command 'frobnicate now'/);
  });

  it('reads and writes channel and global variables, and answers GetVar on a missing channel with the real error', async () => {
    await threeInRoom();
    const bob = 'Local/200@confs-00000002;2';
    expect((await ami.action('SetVar', { Channel: bob, Variable: 'TOPIC', Value: 'budget' })).get('Message')).toBe('Variable Set');
    const got = await ami.action('GetVar', { Channel: bob, Variable: 'TOPIC' });
    expect(keys(got)).toEqual(keys(realAnswer(28)));
    expect(got.get('Value')).toBe('budget');
    expect((await ami.action('GetVar', { Channel: bob, Variable: 'CONFBRIDGE_INFO(parties,200)' })).get('Value')).toBe('3');
    await ami.action('SetVar', { Variable: 'G', Value: 'g1' });
    expect((await ami.action('GetVar', { Variable: 'G' })).get('Value')).toBe('g1');
    const missing = await ami.action('GetVar', { Channel: 'Local/nonexistent-0000;2', Variable: 'X' });
    expect(missing.response).toBe('Error');
    expect(missing.get('Message')).toBe(realAnswer(32).get('Message'));
  });

  it("answers CHANNEL(pjsip,call-id) with the channel's SIP Call-ID, the one calls() reports", async () => {
    const alice = pbx.join('200', { num: '1001', name: 'Alice' });
    expect(alice.channel).toMatch(/^PJSIP\/1001-[0-9a-f]{8}$/);
    const res = await ami.action('GetVar', { Channel: alice.channel, Variable: 'CHANNEL(pjsip,call-id)' });
    expect(res.get('Value')).toBe(alice.callId);
    expect(pbx.calls()).toEqual([expect.objectContaining({ callId: alice.callId, caller: '1001', callerName: 'Alice', called: '200' })]);
    const sip = pbx.join('200', { num: '701', tech: 'SIP' });
    expect((await ami.action('GetVar', { Channel: sip.channel, Variable: 'SIPCALLID' })).get('Value')).toBe(sip.callId);
  });

  it('redirects a participant out of the room, and back into it', async () => {
    const alice = pbx.join('200', { num: '1001', name: 'Alice' });
    const bob = pbx.join('200', { num: '1002', name: 'Bob' });
    const res = await ami.action('Redirect', { Channel: bob.channel, Context: 'confs', Exten: '9000', Priority: '1' });
    expect(res.get('Message')).toBe('Redirect successful');
    const leave = await ami.event('ConfbridgeLeave');
    expect(leave.get('Exten')).toBe('9000');
    expect(pbx.channel(bob.uniqueid)?.application).toBe('MusicOnHold');
    await ami.action('Redirect', { Channel: bob.channel, Context: 'confs', Exten: '201', Priority: '1' });
    await ami.event('ConfbridgeJoin', (m) => m.get('Conference') === '201');
    expect(pbx.rooms().map((r) => [r.name, r.participants.map((p) => p.uniqueid)])).toEqual([['200', [alice.uniqueid]], ['201', [bob.uniqueid]]]);
    const missing = await ami.action('Redirect', { Channel: 'PJSIP/ghost-00000009', Context: 'confs', Exten: '200' });
    expect(missing.get('Message')).toBe('Channel does not exist: PJSIP/ghost-00000009');
  });

  it('hangs up by channel with a cause, reporting Hangup before the leave as Asterisk 22 does', async () => {
    const alice = pbx.join('200', { num: '1001', name: 'Alice' });
    pbx.join('200', { num: '1002', name: 'Bob' });
    const res = await ami.action('Hangup', { Channel: alice.channel, Cause: '17' });
    expect(res.get('Message')).toBe('Channel Hungup');
    const hangup = await ami.event('Hangup');
    expect(hangup.get('Cause-txt')).toBe('User busy');
    const leave = await ami.event('ConfbridgeLeave');
    expect(ami.messages.indexOf(hangup)).toBeLessThan(ami.messages.indexOf(leave));
    expect((await ami.action('Hangup', { Channel: alice.channel })).get('Message')).toBe('No such channel');
  });

  it('a caller hanging up leaves first, then hangs up; the last one out ends the conference', async () => {
    const alice = pbx.join('200', { num: '1001', name: 'Alice' });
    pbx.talk(alice.uniqueid, true);
    const talking = await ami.event('ConfbridgeTalking');
    expect(keys(talking)).toEqual(keys(realEvent('ConfbridgeTalking')));
    expect(talking.get('TalkingStatus')).toBe('on');
    pbx.hangup(alice.uniqueid, 34);
    const end = await ami.event('ConfbridgeEnd');
    expect(keys(end)).toEqual(keys(realEvent('ConfbridgeEnd')));
    const names = ami.messages.map((m) => m.event).filter((e) => e === 'ConfbridgeLeave' || e === 'Hangup' || e === 'ConfbridgeEnd');
    expect(names).toEqual(['ConfbridgeLeave', 'ConfbridgeEnd', 'Hangup']);
    expect(ami.events('Hangup')[0]!.get('Cause-txt')).toBe('Circuit/channel congestion');
  });

  it('lists channels with CoreShowChannels and Status', async () => {
    await threeInRoom();
    const core = await ami.list('CoreShowChannels');
    expect(core.items).toHaveLength(6);
    for (const item of core.items) expect(keys(item)).toEqual(keys(realEvent('CoreShowChannel')));
    const inRoom = core.items.find((m) => m.get('Channel') === 'Local/210@confs-00000003;2');
    expect(inRoom?.get('ApplicationData')).toBe('200,default_bridge,admin_user,admin_menu');
    const status = await ami.list('Status');
    expect(status.items).toHaveLength(6);
    expect(status.complete?.get('Items')).toBe('6');
  });

  it('puts a lobby caller on music on hold until redirected into the room', async () => {
    const waiting = pbx.waitInLobby('200', { num: '1009', name: 'Ivan' });
    expect(pbx.channel(waiting.uniqueid)).toMatchObject({ application: 'MusicOnHold', context: 'lobby', exten: '200' });
    expect(pbx.rooms()).toEqual([]);
    await ami.action('Redirect', { Channel: waiting.channel, Context: 'confs', Exten: '200' });
    await ami.event('ConfbridgeJoin');
    expect(pbx.rooms()[0]!.participants[0]!.uniqueid).toBe(waiting.uniqueid);
  });
});
