import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPbx, type EmbeddedPbx } from '../../../src/sim/pbx/index.ts';
import { keys, RawAmi } from './raw-ami.ts';

describe('embedded PBX, MeetMe dialects', () => {
  let pbx: EmbeddedPbx;
  let ami: RawAmi;

  async function start(dialect: 'meetme' | 'meetme-legacy'): Promise<void> {
    pbx = await startEmbeddedPbx({ dialect });
    ami = await RawAmi.login(pbx.port);
  }

  afterEach(async () => {
    ami.close();
    await pbx.stop();
  });

  it('numbers users from 1 and reuses a number once its holder leaves', async () => {
    await start('meetme');
    const tim = pbx.join('200', { num: '701', name: 'Tim-1' });
    const ann = pbx.join('200', { num: '702', name: 'Ann' });
    expect([tim.usernum, ann.usernum]).toEqual([1, 2]);
    expect(tim.channel).toMatch(/^SIP\/701-[0-9a-f]{8}$/);
    pbx.hangup(ann.uniqueid);
    const leave = await ami.event('MeetmeLeave');
    expect(leave.get('Usernum')).toBe('2');
    expect(leave.has('Duration')).toBe(true);
    const bob = pbx.join('200', { num: '703', name: 'Bob' });
    expect(bob.usernum).toBe(2);
    expect(bob.uniqueid).not.toBe(ann.uniqueid);
  });

  it('emits MeetmeJoin with the channel snapshot, Meetme and Usernum', async () => {
    await start('meetme');
    pbx.join('200', { num: '701', name: 'Tim-1' });
    const join = await ami.event('MeetmeJoin');
    expect(join.toRecord()).toMatchObject({ meetme: '200', usernum: '1', calleridnum: '701', calleridname: 'Tim-1' });
    expect(keys(join).slice(-2)).toEqual(['Meetme', 'Usernum']);
  });

  it('lists users with MeetmeList and rooms with MeetmeListRooms', async () => {
    await start('meetme');
    const empty = await ami.action('MeetmeList');
    expect(empty.get('Message')).toBe('No active conferences.');
    pbx.join('200', { num: '701', name: 'Tim-1', admin: true });
    pbx.join('200', { num: '702', name: 'Ann', muted: true });
    pbx.join('300', { num: '703', name: 'Bob' });
    const list = await ami.list('MeetmeList', { Conference: '200' });
    expect(list.response.get('Message')).toBe('Meetme user list will follow');
    // Ann joined with the `m` option: app_meetme starts her self-muted.
    expect(list.items.map((m) => [m.get('UserNumber'), m.get('CallerIDName'), m.get('Admin'), m.get('Muted')])).toEqual([
      ['1', 'Tim-1', 'Yes', 'No'], ['2', 'Ann', 'No', 'By self'],
    ]);
    expect(list.complete?.event).toBe('MeetmeListComplete');
    const rooms = await ami.list('MeetmeListRooms');
    expect(rooms.items.map((m) => [m.get('Conference'), m.get('Parties'), m.get('Locked')])).toEqual([['200', '2', 'No'], ['300', '1', 'No']]);
  });

  it('writes Marked as N/A or %.4d and a missing caller name as <no name> in the lists, as app_meetme does', async () => {
    await start('meetme');
    pbx.join('200', { num: '701' });
    pbx.join('300', { num: '702', name: 'Boss', marked: true });
    const rooms = await ami.list('MeetmeListRooms');
    expect(rooms.items.map((m) => [m.get('Conference'), m.get('Marked')])).toEqual([['200', 'N/A'], ['300', '0001']]);
    const users = await ami.list('MeetmeList', { Conference: '200' });
    expect(users.items.map((m) => [m.get('CallerIDNum'), m.get('CallerIDName'), m.get('ConnectedLineName')])).toEqual([['701', '<no name>', '<no name>']]);
    const cli = await ami.action('Command', { Command: 'meetme list 200' });
    expect(cli.getAll('Output')[0]).toMatch(/^User #: 01 701 <no name> Channel: /);
  });

  it('says Muted: By self for a mute from the phone and By admin for MeetmeMute', async () => {
    await start('meetme');
    const tim = pbx.join('200', { num: '701', name: 'Tim' });
    pbx.join('200', { num: '702', name: 'Ann' });
    pbx.mute(tim.uniqueid, true);
    await ami.action('MeetmeMute', { Meetme: '200', Usernum: '2' });
    const list = await ami.list('MeetmeList', { Conference: '200' });
    expect(list.items.map((m) => [m.get('CallerIDName'), m.get('Muted')])).toEqual([['Tim', 'By self'], ['Ann', 'By admin']]);
    const cli = (await ami.action('Command', { Command: 'meetme list 200' })).getAll('Output');
    expect(cli[0]).toContain('(Muted)');
    expect(cli[1]).toContain('(Admin Muted)');
    await ami.action('MeetmeUnmute', { Meetme: '200', Usernum: '2' });
    const after = await ami.list('MeetmeList', { Conference: '200' });
    expect(after.items.map((m) => m.get('Muted'))).toEqual(['By self', 'No']);
  });

  it('mutes and unmutes by user number with MeetmeMute/MeetmeUnmute', async () => {
    await start('meetme');
    pbx.join('200', { num: '701', name: 'Tim-1' });
    const res = await ami.action('MeetmeMute', { Meetme: '200', Usernum: '1' });
    expect(res.get('Message')).toBe('User muted');
    const mute = await ami.event('MeetmeMute');
    expect(mute.get('Status')).toBe('on');
    await ami.action('MeetmeUnmute', { Meetme: '200', Usernum: '1' });
    expect((await ami.event('MeetmeMute', (m) => m.get('Status') === 'off')).get('Usernum')).toBe('1');
    expect((await ami.action('MeetmeMute', { Meetme: '200', Usernum: '9' })).get('Message')).toBe('User number not found');
    expect((await ami.action('MeetmeMute', { Meetme: '999', Usernum: '1' })).get('Message')).toBe('Meetme conference does not exist');
  });

  it('answers Command meetme list with Output lines in the modern mode', async () => {
    await start('meetme');
    pbx.join('200', { num: '701', name: 'Tim-1' });
    const res = await ami.action('Command', { Command: 'meetme list 200' });
    expect(res.response).toBe('Success');
    expect(res.body).toBeUndefined();
    const out = res.getAll('Output');
    expect(out[0]).toMatch(/^User #: 01 701 Tim-1 Channel: SIP\/701-[0-9a-f]{8} \(not talking\) 00:00:0\d$/);
    expect(out[1]).toBe('1 users in that conference.');
  });

  it('answers Command the legacy way: Response Follows, raw text, --END COMMAND--', async () => {
    await start('meetme-legacy');
    const tim = pbx.join('200', { num: '701', name: 'Tim-1', admin: true });
    pbx.join('200', { num: '702', name: 'Jo Ann Smith' });
    pbx.talk(tim.uniqueid, true);
    await ami.action('MeetmeMute', { Meetme: '200', Usernum: '1' });
    const res = await ami.action('Command', { Command: 'meetme list 200' });
    expect(keys(res)).toEqual(['Response', 'Privilege', 'ActionID']);
    expect(res.response).toBe('Follows');
    expect(res.body).toEqual([
      expect.stringMatching(/^User #: 01 701 Tim-1 Channel: SIP\/701-[0-9a-f]{8} \(Admin\) \(Admin Muted\) \(talking\) \d\d:\d\d:\d\d$/),
      expect.stringMatching(/^User #: 02 702 Jo Ann Smith Channel: SIP\/702-[0-9a-f]{8} \(not talking\) \d\d:\d\d:\d\d$/),
      '2 users in that conference.',
    ]);
    const unknown = await ami.action('Command', { Command: 'confbridge list' });
    expect(unknown.body?.[0]).toMatch(/^No such command/);
  });

  it('speaks the Asterisk 1.8 event forms in the legacy dialect', async () => {
    await start('meetme-legacy');
    pbx.join('200', { num: '701', name: 'Tim-1' });
    const join = await ami.event('MeetmeJoin');
    expect(keys(join)).toEqual(['Event', 'Privilege', 'Channel', 'Uniqueid', 'Meetme', 'Usernum', 'CallerIDnum', 'CallerIDname', 'ConnectedLineNum', 'ConnectedLineName']);
  });

  it('kicks, locks and mutes through meetme CLI commands', async () => {
    await start('meetme');
    const tim = pbx.join('200', { num: '701', name: 'Tim-1', admin: true });
    const ann = pbx.join('200', { num: '702', name: 'Ann' });
    pbx.join('200', { num: '703', name: 'Bob' });
    await ami.action('Command', { Command: 'meetme mute 200 all' });
    expect(pbx.rooms()[0]!.participants.map((p) => p.muted)).toEqual([false, true, true]);
    await ami.action('Command', { Command: 'meetme unmute 200 2' });
    expect(pbx.rooms()[0]!.participants.map((p) => p.muted)).toEqual([false, false, true]);
    const kick = await ami.action('Command', { Command: 'meetme kick 200 2' });
    expect(kick.response).toBe('Success');
    const leave = await ami.event('MeetmeLeave');
    expect(leave.get('Uniqueid')).toBe(ann.uniqueid);
    await ami.event('Hangup', (m) => m.get('Uniqueid') === ann.uniqueid);
    await ami.action('Command', { Command: 'meetme lock 200' });
    const rooms = await ami.list('MeetmeListRooms');
    expect(rooms.items[0]!.get('Locked')).toBe('Yes');
    const refused = pbx.join('200', { num: '704', name: 'Dave' });
    expect(pbx.channel(refused.uniqueid)).toBeUndefined();
    await ami.action('Command', { Command: 'meetme unlock 200' });
    await ami.action('Command', { Command: 'meetme kick 200 all' });
    await ami.event('MeetmeEnd');
    expect(pbx.rooms()).toEqual([]);
    expect(pbx.channel(tim.uniqueid)).toBeUndefined();
  });

  it('reports talk requests and talking with Status on/off', async () => {
    await start('meetme');
    const tim = pbx.join('200', { num: '701', name: 'Tim-1' });
    pbx.requestToTalk(tim.uniqueid, true);
    expect((await ami.event('MeetmeTalkRequest')).get('Status')).toBe('on');
    pbx.talk(tim.uniqueid, true);
    pbx.talk(tim.uniqueid, false);
    await ami.event('MeetmeTalking', (m) => m.get('Status') === 'off');
    expect(ami.events('MeetmeTalking').map((m) => m.get('Status'))).toEqual(['on', 'off']);
  });
});
