import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPbx, type EmbeddedPbx } from '../../../src/sim/pbx/index.ts';
import { keys, RawAmi } from './raw-ami.ts';

describe('embedded PBX manager sessions', () => {
  let pbx: EmbeddedPbx;
  const clients: RawAmi[] = [];
  const open = async (p: Promise<RawAmi>): Promise<RawAmi> => {
    const c = await p;
    clients.push(c);
    return c;
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await pbx.stop();
  });

  it('sends the Asterisk banner and accepts a plain login, then FullyBooted', async () => {
    pbx = await startEmbeddedPbx({ dialect: 'confbridge' });
    const ami = await open(RawAmi.connect(pbx.port));
    expect(ami.banner).toBe('Asterisk Call Manager/11.0.0');
    const res = await ami.action('Login', { Username: 'bot', Secret: 'botsecret', Events: 'on' });
    expect(keys(res)).toEqual(['Response', 'ActionID', 'Message']);
    expect(res.get('Message')).toBe('Authentication accepted');
    const booted = await ami.event('FullyBooted');
    expect(keys(booted)).toEqual(['Event', 'Privilege', 'Uptime', 'LastReload', 'Status']);
    expect(booted.get('Status')).toBe('Fully Booted');
  });

  it('logs in with an MD5 challenge', async () => {
    pbx = await startEmbeddedPbx({ dialect: 'confbridge' });
    const ami = await open(RawAmi.connect(pbx.port));
    const challenge = await ami.action('Challenge', { AuthType: 'MD5' });
    expect(keys(challenge)).toEqual(['Response', 'ActionID', 'Challenge']);
    const nonce = challenge.get('Challenge') ?? '';
    const key = createHash('md5').update(nonce + 'botsecret').digest('hex');
    const res = await ami.action('Login', { AuthType: 'MD5', Username: 'bot', Key: key });
    expect(res.get('Message')).toBe('Authentication accepted');
  });

  it('answers a wrong secret with Authentication failed and closes the connection', async () => {
    pbx = await startEmbeddedPbx({ dialect: 'confbridge', authFailureDelayMs: 5 });
    const ami = await open(RawAmi.connect(pbx.port));
    const res = await ami.action('Login', { Username: 'bot', Secret: 'wrongsecret' });
    expect(res.response).toBe('Error');
    expect(res.get('Message')).toBe('Authentication failed');
    await ami.closed;
  });

  it('rejects a wrong MD5 key', async () => {
    pbx = await startEmbeddedPbx({ dialect: 'meetme', authFailureDelayMs: 1 });
    const ami = await open(RawAmi.connect(pbx.port));
    await ami.action('Challenge', { AuthType: 'MD5' });
    const res = await ami.action('Login', { AuthType: 'MD5', Username: 'bot', Key: '0'.repeat(32) });
    expect(res.get('Message')).toBe('Authentication failed');
    await ami.closed;
  });

  it('denies actions before login, as in the 03d capture', async () => {
    pbx = await startEmbeddedPbx({ dialect: 'confbridge' });
    const ami = await open(RawAmi.connect(pbx.port));
    const ping = await ami.action('Ping');
    const rooms = await ami.action('ConfbridgeListRooms');
    for (const res of [ping, rooms]) {
      expect(keys(res)).toEqual(['Response', 'ActionID', 'Message']);
      expect(res.response).toBe('Error');
      expect(res.get('Message')).toBe('Permission denied');
    }
  });

  it('answers Ping with Pong and a timestamp', async () => {
    pbx = await startEmbeddedPbx({ dialect: 'confbridge', now: () => 1_795_368_822_377 });
    const ami = await open(RawAmi.login(pbx.port));
    const res = await ami.action('Ping');
    expect(keys(res)).toEqual(['Response', 'ActionID', 'Ping', 'Timestamp']);
    expect(res.get('Ping')).toBe('Pong');
    expect(res.get('Timestamp')).toBe('1795368822.377000');
  });

  it('says Goodbye to Logoff and closes', async () => {
    pbx = await startEmbeddedPbx({ dialect: 'confbridge' });
    const ami = await open(RawAmi.login(pbx.port));
    const res = await ami.action('Logoff');
    expect(res.response).toBe('Goodbye');
    expect(res.get('Message')).toBe('Thanks for all the fish.');
    await ami.closed;
  });

  it('answers an unknown action with Invalid/unknown command', async () => {
    pbx = await startEmbeddedPbx({ dialect: 'meetme' });
    const ami = await open(RawAmi.login(pbx.port));
    const res = await ami.action('ConfbridgeList', { Conference: '200' });
    expect(res.response).toBe('Error');
    expect(res.get('Message')).toBe('Invalid/unknown command');
  });

  it('sends no events to a session that logged in with Events: off', async () => {
    pbx = await startEmbeddedPbx({ dialect: 'confbridge' });
    const quiet = await open(RawAmi.login(pbx.port, { Events: 'off' }));
    const loud = await open(RawAmi.login(pbx.port));
    pbx.join('200', { num: '1001', name: 'Alice' });
    await loud.event('ConfbridgeJoin');
    await quiet.action('Ping');
    expect(quiet.messages.filter((m) => m.event !== undefined)).toEqual([]);
  });

  it('echoes the ActionID on every answer, whatever the key spelling', async () => {
    pbx = await startEmbeddedPbx({ dialect: 'confbridge' });
    const ami = await open(RawAmi.login(pbx.port));
    const res = await ami.action('GetVar', { Variable: 'NOPE' });
    expect(res.get('Actionid')).toBe(res.actionId);
    expect(res.get('Value')).toBe('');
  });
});
