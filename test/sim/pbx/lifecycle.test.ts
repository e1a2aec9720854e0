import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPbx, type EmbeddedPbx } from '../../../src/sim/pbx/index.ts';
import { RawAmi } from './raw-ami.ts';

describe('embedded PBX lifecycle and fault scenarios', () => {
  const pbxs: EmbeddedPbx[] = [];
  const clients: RawAmi[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const p of pbxs.splice(0)) await p.stop();
  });

  async function pbxOf(dialect: 'confbridge' | 'meetme'): Promise<EmbeddedPbx> {
    const p = await startEmbeddedPbx({ dialect });
    pbxs.push(p);
    return p;
  }
  async function client(port: number): Promise<RawAmi> {
    const c = await RawAmi.login(port);
    clients.push(c);
    return c;
  }

  it('restarts with a Shutdown event, a closed socket, and comes back on the same port', async () => {
    const pbx = await pbxOf('confbridge');
    const port = pbx.port;
    pbx.join('200', { num: '1001' });
    const ami = await client(port);
    const restarting = pbx.restart(20);
    const shutdown = await ami.event('Shutdown');
    expect(shutdown.toRecord()).toMatchObject({ privilege: 'system,all', shutdown: 'Cleanly', restart: 'True' });
    await ami.closed;
    await restarting;
    expect(pbx.port).toBe(port);
    const again = await client(port);
    expect((await again.action('Ping')).get('Ping')).toBe('Pong');
    expect(pbx.rooms()).toEqual([]);
  });

  it('keeps calls across a restart when asked to', async () => {
    const pbx = await pbxOf('confbridge');
    const alice = pbx.join('200', { num: '1001' });
    await pbx.restart(1, { keepCalls: true });
    const ami = await client(pbx.port);
    const list = await ami.list('ConfbridgeList', { Conference: '200' });
    expect(list.items.map((m) => m.get('Uniqueid'))).toEqual([alice.uniqueid]);
  });

  it('holds a slow action back, with the actions behind it on the same connection', async () => {
    const pbx = await pbxOf('confbridge');
    const ami = await client(pbx.port);
    pbx.setActionBehaviour('confbridgelistrooms', { delayMs: 80 });
    const slow = ami.send('ConfbridgeListRooms');
    const ping = ami.send('Ping');
    const pong = await ami.waitFor((m) => m.actionId === ping);
    const slowAnswer = ami.messages.findIndex((m) => m.actionId === slow);
    expect(slowAnswer).toBeGreaterThanOrEqual(0);
    expect(slowAnswer).toBeLessThan(ami.messages.indexOf(pong));
  });

  it('fails an action on demand without side effects, and recovers when the behaviour is cleared', async () => {
    const pbx = await pbxOf('confbridge');
    const alice = pbx.join('200', { num: '1001' });
    const ami = await client(pbx.port);
    pbx.setActionBehaviour('ConfbridgeKick', { fail: 'Internal error' });
    const res = await ami.action('ConfbridgeKick', { Conference: '200', Channel: alice.channel });
    expect(res.response).toBe('Error');
    expect(res.get('Message')).toBe('Internal error');
    expect(pbx.rooms()[0]!.participants).toHaveLength(1);
    pbx.setActionBehaviour('ConfbridgeKick', undefined);
    expect((await ami.action('ConfbridgeKick', { Conference: '200', Channel: alice.channel })).get('Message')).toBe('User kicked');
  });

  it('runs two instances at once with separate state', async () => {
    const a = await pbxOf('confbridge');
    const b = await pbxOf('meetme');
    expect(a.port).not.toBe(b.port);
    a.join('200', { num: '1001' });
    b.join('300', { num: '701' });
    const ca = await client(a.port);
    const cb = await client(b.port);
    const rooms = await ca.list('ConfbridgeListRooms');
    expect(rooms.items.map((m) => m.get('Conference'))).toEqual(['200']);
    const meetme = await cb.list('MeetmeListRooms');
    expect(meetme.items.map((m) => m.get('Conference'))).toEqual(['300']);
  });

  it('gives a renamed channel a Rename event and the new name', async () => {
    const pbx = await pbxOf('confbridge');
    const ami = await client(pbx.port);
    const alice = pbx.join('200', { num: '1001' });
    pbx.rename(alice.uniqueid, 'PJSIP/1001-0000abcd');
    const rename = await ami.event('Rename');
    expect(rename.toRecord()).toMatchObject({ channel: alice.channel, newname: 'PJSIP/1001-0000abcd', uniqueid: alice.uniqueid });
    expect(pbx.channel(alice.uniqueid)?.channel).toBe('PJSIP/1001-0000abcd');
  });

  it('waits a caller in a lobby conference when the room has one', async () => {
    const pbx = await startEmbeddedPbx({ dialect: 'confbridge', lobbies: { '200': { type: 'conference', conference: '200-lobby' } } });
    pbxs.push(pbx);
    const caller = pbx.waitInLobby('200', { num: '1009' });
    expect(pbx.rooms().map((r) => [r.name, r.participants.map((p) => p.uniqueid)])).toEqual([['200-lobby', [caller.uniqueid]]]);
  });
});
