import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { AmiClient, type AmiClientOptions } from '../../src/ami/client.ts';
import type { AmiMessage } from '../../src/ami/message.ts';
import { isBotError } from '../../src/errors.ts';
import { confbridgeListRooms, originate } from '../../src/ami/actions.ts';
import { ScriptedAmiServer, SECRET, USERNAME } from './helpers/scripted-server.ts';
import { fixture } from './helpers/fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function server(): Promise<ScriptedAmiServer> {
  const s = await ScriptedAmiServer.start();
  cleanups.push(() => s.close());
  return s;
}

function client(s: ScriptedAmiServer, overrides: Partial<AmiClientOptions> = {}): AmiClient {
  let n = 0;
  const c = new AmiClient({
    name: 'pbx1',
    host: '127.0.0.1',
    port: s.port,
    username: USERNAME,
    secret: SECRET,
    authType: 'plain',
    actionTimeoutMs: 2000,
    pingIntervalMs: 0,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
    actionIdGenerator: () => `test-${++n}`,
    ...overrides,
  });
  cleanups.push(() => c.stop());
  return c;
}

/** Events the test provokes; the server's FullyBooted after login races with attaching the listener. */
function collectEvents(c: AmiClient): AmiMessage[] {
  const seen: AmiMessage[] = [];
  c.on('event', (m: AmiMessage) => {
    if (m.event !== 'FullyBooted') seen.push(m);
  });
  return seen;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('AmiClient login', () => {
  it('logs in with a plain secret, reports the banner and becomes connected', async () => {
    const s = await server();
    const c = client(s);
    const banner = once(c, 'banner');
    const connected = once(c, 'connected');
    await c.start();
    await connected;
    expect(await banner).toEqual(['11.0.0']);
    expect(c.connected).toBe(true);
    const login = await s.connections[0]!.waitForAction('Login');
    expect(login.get('Username')).toBe(USERNAME);
    expect(login.get('Secret')).toBe(SECRET);
    expect(login.get('Events')).toBe('on');
  });

  it('logs in with the MD5 challenge and never sends the secret', async () => {
    const s = await server();
    const c = client(s, { authType: 'md5' });
    await c.start();
    const login = await s.connections[0]!.waitForAction('Login');
    expect(login.get('AuthType')).toBe('MD5');
    expect(login.has('Secret')).toBe(false);
    expect(s.allReceived()).not.toContain(SECRET);
    expect(c.connected).toBe(true);
  });

  it('computes the MD5 key exactly as in the real Asterisk capture', async () => {
    const s = await server();
    const c = client(s, { authType: 'md5' });
    await c.start();
    // 02_login_md5_challenge: challenge 893264912 + secret botsecret → this key.
    expect((await s.connections[0]!.waitForAction('Login')).get('Key')).toBe('7692e64e8939d2f2251cb5d670a4320a');
  });

  it('rejects start() with ami_login_failed naming user and host but not the secret, and keeps retrying', async () => {
    const s = await server();
    const c = client(s, { secret: 'wrong-secret-value' });
    const err = await rejection(c.start());
    expect(isBotError(err, 'ami_login_failed')).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain(USERNAME);
    expect(message).toContain('127.0.0.1');
    expect(message).not.toContain('wrong-secret-value');
    expect(c.connected).toBe(false);
    await s.connection(1);
  });
});

describe('AmiClient over TLS', () => {
  it('logs in over TLS, verifying the server certificate', async () => {
    const tls = { key: fixture('tls/key.pem'), cert: fixture('tls/cert.pem') };
    const s = await ScriptedAmiServer.start({ tls });
    cleanups.push(() => s.close());
    const c = client(s, { tls: { ca: tls.cert }, authType: 'md5' });
    await c.start();
    expect((await c.action({ action: 'Ping' })).get('Ping')).toBe('Pong');
  });

  it('refuses a server certificate it cannot verify', async () => {
    const s = await ScriptedAmiServer.start({ tls: { key: fixture('tls/key.pem'), cert: fixture('tls/cert.pem') } });
    cleanups.push(() => s.close());
    const c = client(s, { tls: true });
    expect(isBotError(await rejection(c.start()), 'ami_disconnected')).toBe(true);
  });
});

describe('AmiClient actions', () => {
  it('rejects an unanswered action with ami_timeout and stays usable', async () => {
    const s = await server();
    s.handle('CoreSettings', () => undefined);
    const c = client(s);
    await c.start();
    const err = await rejection(c.action({ action: 'CoreSettings' }, { timeoutMs: 30 }));
    expect(isBotError(err, 'ami_timeout')).toBe(true);
    expect((await c.action({ action: 'Ping' })).get('Ping')).toBe('Pong');
  });

  it('turns Response: Error into ami_action_failed keeping the PBX text for logs only', async () => {
    const s = await server();
    s.handle('ConfbridgeStartRecord', (conn, a) => conn.error(a, 'Conference is already being recorded.'));
    const c = client(s);
    await c.start();
    const err = await rejection(c.action({ action: 'ConfbridgeStartRecord', fields: { Conference: '200' } }));
    expect(isBotError(err, 'ami_action_failed')).toBe(true);
    expect((err as { amiMessage: string }).amiMessage).toBe('Conference is already being recorded.');
    expect((err as { userMessage: string }).userMessage).not.toContain('recorded');
  });

  it('matches 1,000 concurrent actions answered in reverse order', async () => {
    const s = await server();
    const held: AmiMessage[] = [];
    s.handle('Echo', (conn, a) => {
      held.push(a);
      if (held.length === 1000) for (const h of held.reverse()) conn.ok(h, ['Echo', h.get('N') ?? '']);
    });
    const c = client(s);
    await c.start();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => c.action({ action: 'Echo', fields: { N: i } }).then((m) => m.get('Echo'))),
    );
    expect(results).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
  });

  it('matches the ActionID case-insensitively in both key and value', async () => {
    const s = await server();
    s.handle('Status2', (conn, a) => conn.sendRaw(`Response: Success\r\nactionid: ${(a.actionId ?? '').toUpperCase()}\r\nX: 1\r\n\r\n`));
    const c = client(s, { actionIdGenerator: () => 'MixedCase-id-7' });
    await c.start();
    expect((await c.action({ action: 'Status2' })).get('X')).toBe('1');
  });

  it('gives two clients with the default generator different ActionIDs', async () => {
    const s = await server();
    const make = (): AmiClient => {
      const c = new AmiClient({ name: 'pbx1', host: '127.0.0.1', port: s.port, username: USERNAME, secret: SECRET, authType: 'plain', pingIntervalMs: 0 });
      cleanups.push(() => c.stop());
      return c;
    };
    await Promise.all([make().start(), make().start()]);
    const ids = s.connections.map((conn) => conn.actions[0]?.actionId);
    expect(ids[0]).toMatch(/^pbx1-[0-9a-f]+-1$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('returns Command output from Output: headers (Asterisk 14+)', async () => {
    const s = await server();
    s.handle('Command', (conn, a) =>
      conn.send([['Response', 'Success'], ['ActionID', a.actionId ?? ''], ['Message', 'Command output follows'], ['Output', 'line one'], ['Output', '  line two'], ['Output', '']]),
    );
    const c = client(s);
    await c.start();
    expect(await c.command('core show uptime')).toEqual(['line one', '  line two', '']);
  });

  it('returns Command output from the legacy Response: Follows body', async () => {
    const s = await server();
    s.handle('Command', (conn, a) =>
      conn.send([['Response', 'Follows'], ['Privilege', 'Command'], ['ActionID', a.actionId ?? '']], ['User #: 01 701 Tim-1 Channel: SIP/701-b6d13438 (Admin Muted) (unmonitored) 01:37:22', '1 users in that conference.']),
    );
    const c = client(s);
    await c.start();
    expect(await c.command('meetme list 200')).toEqual(['User #: 01 701 Tim-1 Channel: SIP/701-b6d13438 (Admin Muted) (unmonitored) 01:37:22', '1 users in that conference.']);
  });
});

describe('AmiClient event lists and events', () => {
  it('collects list items until EventList: Complete and does not emit them as events', async () => {
    const s = await server();
    s.handle('ConfbridgeListRooms', (conn, a) => {
      const id = a.actionId ?? '';
      conn.send([['Response', 'Success'], ['ActionID', id], ['EventList', 'start'], ['Message', 'Confbridge conferences will follow']]);
      conn.send([['Event', 'ConfbridgeListRooms'], ['ActionID', id], ['Conference', '200'], ['Parties', '3'], ['Marked', '1'], ['Locked', 'No'], ['Muted', 'No']]);
      conn.send([['Event', 'ConfbridgeJoin'], ['Conference', '200'], ['Channel', 'Local/1'], ['Uniqueid', '1.1']]);
      conn.send([['Event', 'ConfbridgeListRooms'], ['ActionID', id], ['Conference', '300'], ['Parties', '1'], ['Marked', '0'], ['Locked', 'Yes'], ['Muted', 'No']]);
      conn.send([['Event', 'ConfbridgeListRoomsComplete'], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', '2']]);
    });
    const c = client(s);
    await c.start();
    const events = collectEvents(c);
    const items = await c.listAction({ action: 'ConfbridgeListRooms' });
    expect(items.map((m) => m.get('Conference'))).toEqual(['200', '300']);
    expect(events.map((m) => m.event)).toEqual(['ConfbridgeJoin']);
    expect(await confbridgeListRooms(c)).toHaveLength(2);
  });

  it('resolves No active conferences. as an empty list', async () => {
    const s = await server();
    s.handle('ConfbridgeListRooms', (conn, a) => conn.error(a, 'No active conferences.'));
    const c = client(s);
    await c.start();
    expect(await c.listAction({ action: 'ConfbridgeListRooms' })).toEqual([]);
    expect(await confbridgeListRooms(c)).toEqual([]);
  });

  it('resolves async Originate on the OriginateResponse event, not on the queued answer', async () => {
    const s = await server();
    const c = client(s);
    await c.start();
    const emitted = collectEvents(c);
    let settled = false;
    const result = c.originateAsync({ action: 'Originate', fields: { Channel: 'Local/200@confs', Application: 'Wait', Data: '3600' } }).finally(() => {
      settled = true;
    });
    const conn = s.connections[0]!;
    const action = await conn.waitForAction('Originate');
    expect(action.get('Async')).toBe('true');
    conn.ok(action, ['Message', 'Originate successfully queued']);
    await c.action({ action: 'Ping' });
    expect(settled).toBe(false);
    conn.send([['Event', 'OriginateResponse'], ['Privilege', 'call,all'], ['ActionID', action.actionId ?? ''], ['Response', 'Success'], ['Channel', 'Local/200@confs-00000000;1'], ['Reason', '4'], ['Uniqueid', '1795368827.0']]);
    const msg = await result;
    expect(msg.get('Reason')).toBe('4');
    expect(emitted.map((m) => m.event)).toEqual(['OriginateResponse']);
  });

  it('sends one Variable header per variable', async () => {
    const s = await server();
    s.handle('Originate', (conn, a) => conn.ok(a, ['Message', 'Originate successfully queued']));
    const c = client(s);
    await c.start();
    await originate(c, { channel: 'Local/200@confs', application: 'Wait', data: '1', variables: { HOLDOUT_ROLE: 'alice', TOPIC: 'a=b' } });
    const action = await s.connections[0]!.waitForAction('Originate');
    expect(action.getAll('Variable')).toEqual(['HOLDOUT_ROLE=alice', 'TOPIC=a=b']);
    expect(s.connections[0]!.received.toString()).toContain('Variable: HOLDOUT_ROLE=alice\r\nVariable: TOPIC=a=b\r\n');
  });

  it('survives a throwing event listener', async () => {
    const s = await server();
    const c = client(s);
    c.on('event', () => {
      throw new Error('listener bug');
    });
    await c.start();
    s.connections[0]!.send([['Event', 'Reload'], ['Module', 'x']]);
    expect((await c.action({ action: 'Ping' })).get('Ping')).toBe('Pong');
  });
});

describe('AmiClient disconnects and reconnects', () => {
  it('rejects a list cut off mid-way with ami_disconnected and resolves no half list', async () => {
    const s = await server();
    s.handle('ConfbridgeList', (conn, a) => {
      const id = a.actionId ?? '';
      conn.send([['Response', 'Success'], ['ActionID', id], ['EventList', 'start']]);
      conn.send([['Event', 'ConfbridgeList'], ['ActionID', id], ['Conference', '200'], ['Channel', 'Local/1'], ['Uniqueid', '1.1']]);
      conn.sendRaw('Event: ConfbridgeList\r\nActionID: ');
      setImmediate(() => conn.destroy());
    });
    const c = client(s);
    await c.start();
    const disconnected = once(c, 'disconnected');
    const events = collectEvents(c);
    const err = await rejection(c.listAction({ action: 'ConfbridgeList', fields: { Conference: '200' } }));
    expect(isBotError(err, 'ami_disconnected')).toBe(true);
    const [reason] = (await disconnected) as [Error];
    expect(isBotError(reason, 'ami_disconnected')).toBe(true);
    expect(events).toEqual([]);
  });

  it('fails actions fast while disconnected and never re-sends them after reconnecting', async () => {
    const s = await server();
    s.handle('Hangup', () => undefined);
    const c = client(s, { reconnect: { initialDelayMs: 200, maxDelayMs: 200 } });
    expect(isBotError(await rejection(c.action({ action: 'Ping' })), 'ami_disconnected')).toBe(true);
    await c.start();
    const pending = c.action({ action: 'Hangup', fields: { Channel: 'SIP/1' } });
    await s.connections[0]!.waitForAction('Hangup');
    const disconnected = once(c, 'disconnected');
    s.connections[0]!.destroy();
    expect(isBotError(await rejection(pending), 'ami_disconnected')).toBe(true);
    await disconnected;
    expect(isBotError(await rejection(c.action({ action: 'Ping' })), 'ami_disconnected')).toBe(true);
    await once(c, 'connected');
    await c.action({ action: 'Ping' });
    expect(s.connections[1]!.actions.map((a) => a.get('Action'))).toEqual(['Login', 'Ping']);
  });

  it('reconnects after the server restarts', async () => {
    const s = await server();
    const c = client(s);
    await c.start();
    const disconnected = once(c, 'disconnected');
    const reconnected = disconnected.then(() => once(c, 'connected'));
    await s.restart();
    await reconnected;
    expect(c.connected).toBe(true);
    expect((await c.action({ action: 'Ping' })).get('Ping')).toBe('Pong');
  });

  it('keeps retrying while the server is down, then connects', async () => {
    const s = await server();
    const port = s.port;
    await s.close();
    const c = client(s, { port, reconnect: { initialDelayMs: 5, maxDelayMs: 20 } });
    const err = await rejection(c.start());
    expect(isBotError(err, 'ami_disconnected')).toBe(true);
    const connected = once(c, 'connected');
    await s.restart();
    await connected;
    expect(c.connected).toBe(true);
  });

  it('drops the link and reconnects when a keepalive Ping gets no reply', async () => {
    const s = await server();
    s.handle('Ping', (conn, a) => {
      if (conn === s.connections[0]) return;
      conn.ok(a, ['Ping', 'Pong']);
    });
    const c = client(s, { pingIntervalMs: 20, pingTimeoutMs: 40 });
    await c.start();
    const [reason] = (await once(c, 'disconnected')) as [Error];
    expect(reason.message).toMatch(/Ping/);
    await once(c, 'connected');
    expect(s.connections.length).toBeGreaterThanOrEqual(2);
    await s.connections[1]!.waitForAction('Ping');
  });

  it('stop() sends Logoff, closes, and does not reconnect', async () => {
    const s = await server();
    const c = client(s);
    await c.start();
    await c.stop();
    expect(c.connected).toBe(false);
    expect(s.connections[0]!.actions.map((a) => a.get('Action'))).toEqual(['Login', 'Logoff']);
    expect(s.connections).toHaveLength(1);
  });

  it('stop() during the first connect attempt rejects start()', async () => {
    const s = await server();
    s.handle('Login', () => undefined);
    const c = client(s);
    const started = rejection(c.start());
    await s.connection(0);
    await c.stop();
    expect(isBotError(await started, 'ami_disconnected')).toBe(true);
  });
});
