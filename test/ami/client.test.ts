import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { AmiClient, DEFAULT_ORIGINATE_TIMEOUT_MS, originateWaitMs, type AmiClientOptions } from '../../src/ami/client.ts';
import type { AmiMessage } from '../../src/ami/message.ts';
import type { AmiEventMap } from '../../src/ami/events.ts';
import { isBotError } from '../../src/errors.ts';
import { confbridgeListRooms, originateAsync } from '../../src/ami/actions.ts';
import { ScriptedAmiServer, SECRET, USERNAME, type ScriptedConnection } from './helpers/scripted-server.ts';
import { fixture } from './helpers/fixtures.ts';
import { capturingLogger, LEVEL } from './helpers/log.ts';
import { rejection } from './helpers/rejection.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { cleanups, server } from './helpers/cleanups.ts';


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

/** Events emitted from now on (FullyBooted came before 'connected', so it is not among them). */
function collectEvents(c: AmiClient): AmiMessage[] {
  const seen: AmiMessage[] = [];
  c.on('event', (m) => seen.push(m));
  return seen;
}

/** The next emitted event of that name. */
function nextEvent(c: AmiClient, name: string): Promise<AmiMessage> {
  return new Promise((resolve) => {
    const listener = (m: AmiMessage): void => {
      if (m.event !== name) return;
      c.off('event', listener);
      resolve(m);
    };
    c.on('event', listener);
  });
}

/** Login answered Success, without the FullyBooted event that the default handler adds. */
function acceptLoginWithoutBoot(conn: ScriptedConnection, a: AmiMessage): void {
  conn.loggedIn = true;
  conn.ok(a, ['Message', 'Authentication accepted']);
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
    const c = client(s, { secret: 'wrong-secret-value', loginRetryMs: 10 });
    const err = await rejection(c.start());
    expect(isBotError(err, 'ami_login_failed')).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain(USERNAME);
    expect(message).toContain('127.0.0.1');
    expect(message).not.toContain('wrong-secret-value');
    expect(c.connected).toBe(false);
    await s.connection(1);
  });

  it('sends a non-default events mask at login, and without system events does not wait for FullyBooted', async () => {
    const s = await server();
    s.handle('Login', acceptLoginWithoutBoot);
    // A boot wait longer than the test's own timeout: start() resolving proves it was not waited for.
    const c = client(s, { events: 'call,agent', bootWaitMs: 60_000 });
    await c.start();
    expect((await s.connections[0]!.waitForAction('Login')).get('Events')).toBe('call,agent');
    expect(s.connections[0]!.received.toString()).toContain('Events: call,agent\r\n');
  });
});

describe('AmiClient and a PBX that is still booting', () => {
  it("emits 'connected' only after FullyBooted, so a sync run on 'connected' gets real answers", async () => {
    const s = await server();
    let bootedSent = false;
    // Like Asterisk after a restart: logins are accepted while modules still load, FullyBooted follows.
    s.handle('Login', acceptLoginWithoutBoot);
    s.handle('ConfbridgeListRooms', (conn, a) => {
      if (!bootedSent) {
        conn.error(a, 'Invalid/unknown command');
        return;
      }
      const id = a.actionId ?? '';
      conn.send([['Response', 'Success'], ['ActionID', id], ['EventList', 'start']]);
      conn.send([['Event', 'ConfbridgeListRooms'], ['ActionID', id], ['Conference', '200'], ['Parties', '2'], ['Marked', '0'], ['Locked', 'No'], ['Muted', 'No']]);
      conn.send([['Event', 'ConfbridgeListRoomsComplete'], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', '1']]);
    });
    const clock = new FakeClock();
    const c = client(s, { bootWaitMs: 60_000, clock });
    let connected = false;
    const synced = new Promise((resolve, reject) => {
      c.once('connected', () => {
        connected = true;
        confbridgeListRooms(c).then(resolve, reject);
      });
    });
    const started = c.start();
    await clock.nextTimer((ms) => ms === 60_000);
    await clock.advance(59_999);
    expect(connected).toBe(false);
    bootedSent = true;
    s.connections[0]!.send([['Event', 'FullyBooted'], ['Privilege', 'system,all'], ['Status', 'Fully Booted']]);
    await started;
    expect(await synced).toEqual([{ conference: '200', parties: 2, marked: 0, locked: false, muted: false }]);
  });

  it('goes on after bootWaitMs when FullyBooted never comes (a user without the system read class)', async () => {
    const s = await server();
    s.handle('Login', acceptLoginWithoutBoot);
    const clock = new FakeClock();
    const c = client(s, { bootWaitMs: 2_000, clock });
    const started = c.start();
    await clock.nextTimer((ms) => ms === 2_000);
    await clock.advance(1_999);
    expect(c.connected).toBe(false);
    await clock.advance(1);
    await started;
    expect(c.connected).toBe(true);
    expect((await c.action({ action: 'Ping' })).get('Ping')).toBe('Pong');
  });
});

describe('AmiClient and refused logins', () => {
  it('retries a refused login after loginRetryMs, not on the fast reconnect backoff', async () => {
    const s = await server();
    const { logger, records } = capturingLogger();
    const clock = new FakeClock();
    const c = client(s, { secret: 'wrong', logger, loginRetryMs: 60_000, reconnect: { initialDelayMs: 5, maxDelayMs: 5 }, clock });
    expect(isBotError(await rejection(c.start()), 'ami_login_failed')).toBe(true);
    expect(records.filter((r) => r.msg === 'reconnecting to AMI').map((r) => r['delayMs'])).toEqual([60_000]);
    expect(await clock.nextTimer()).toBe(60_000);
    await clock.advance(59_999);
    expect(s.connections).toHaveLength(1);
    await clock.advance(1);
    await s.connection(1);
  });

  it('logs a refusal streak at error level once, and again for a new streak after a login was accepted', async () => {
    const s = await server();
    const accepted = new Set([3]);
    s.handle('Login', (conn, a) => {
      if (accepted.has(s.connections.indexOf(conn))) acceptLoginWithoutBoot(conn, a);
      else conn.error(a, 'Authentication failed');
    });
    const { logger, records } = capturingLogger();
    const c = client(s, { logger, loginRetryMs: 5, bootWaitMs: 0, reconnect: { initialDelayMs: 5, maxDelayMs: 5 } });
    const connected = once(c, 'connected');
    expect(isBotError(await rejection(c.start()), 'ami_login_failed')).toBe(true);
    await connected;
    const refusalErrors = (): number => records.filter((r) => r.level === LEVEL.error && /login refused/.test(r.msg)).length;
    expect(refusalErrors()).toBe(1);
    s.connections[3]!.destroy();
    // Connection 5 exists once the refusal on connection 4 (the new streak's first) has been handled.
    await s.connection(5);
    expect(refusalErrors()).toBe(2);
    expect(records.filter((r) => r.level === LEVEL.debug && /login refused again/.test(r.msg))).toHaveLength(2);
  });

  it('treats a refusal followed by the server closing the socket (as Asterisk does) as a refused login', async () => {
    const s = await server();
    s.handle('Login', (conn, a) => {
      conn.error(a, 'Authentication failed');
      conn.socket.end();
    });
    const clock = new FakeClock();
    const c = client(s, { loginRetryMs: 5, reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 }, clock });
    expect(isBotError(await rejection(c.start()), 'ami_login_failed')).toBe(true);
    // Only the login retry is short here, so a retry after it shows it was handled as a refusal.
    expect(await clock.nextTimer()).toBe(5);
    await clock.advance(5);
    await s.connection(1);
  });

  it('fails with ami_bad_response when the Challenge answer carries no challenge', async () => {
    const s = await server();
    s.handle('Challenge', (conn, a) => conn.ok(a));
    const c = client(s, { authType: 'md5' });
    expect(isBotError(await rejection(c.start()), 'ami_bad_response')).toBe(true);
    expect(s.connections[0]!.actions.map((a) => a.get('Action'))).toEqual(['Challenge']);
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
    const clock = new FakeClock();
    const c = client(s, { clock });
    await c.start();
    let settled = false;
    const answer = rejection(c.action({ action: 'CoreSettings' }, { timeoutMs: 30 })).finally(() => {
      settled = true;
    });
    await clock.advance(29);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(isBotError(await answer, 'ami_timeout')).toBe(true);
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

  it('rejects an action whose ActionID is still pending as an internal bug, without sending it', async () => {
    const s = await server();
    s.handle('Hold', () => undefined);
    const clock = new FakeClock();
    const c = client(s, { actionIdGenerator: () => 'same-id', clock });
    await c.start();
    const held = rejection(c.action({ action: 'Hold' }, { timeoutMs: 200 }));
    const err = await rejection(c.action({ action: 'Echo' }));
    expect(isBotError(err, 'internal')).toBe(true);
    expect((err as Error).message).toContain('same-id');
    await clock.advance(200);
    expect(isBotError(await held, 'ami_timeout')).toBe(true);
    expect(s.connections[0]!.actions.map((a) => a.get('Action'))).toEqual(['Login', 'Hold']);
  });

  it('drops a late answer to a timed-out list action instead of emitting its items as events', async () => {
    const s = await server();
    s.handle('CoreShowChannels', () => undefined);
    const clock = new FakeClock();
    const c = client(s, { clock });
    await c.start();
    const failed = rejection(c.listAction({ action: 'CoreShowChannels' }, { timeoutMs: 20 }));
    await clock.advance(20);
    expect(isBotError(await failed, 'ami_timeout')).toBe(true);
    const events = collectEvents(c);
    const conn = s.connections[0]!;
    const id = (await conn.waitForAction('CoreShowChannels')).actionId ?? '';
    conn.send([['Response', 'Success'], ['ActionID', id], ['EventList', 'start']]);
    conn.send([['Event', 'CoreShowChannel'], ['ActionID', id], ['Channel', 'PJSIP/1-1'], ['Uniqueid', '1.1']]);
    conn.send([['Event', 'CoreShowChannelsComplete'], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', '1']]);
    const marker = nextEvent(c, 'Reload');
    conn.send([['Event', 'Reload'], ['Module', 'x']]);
    await marker;
    expect(events.map((m) => m.event)).toEqual(['Reload']);
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

  it('leaves "No active conferences." to the typed actions: the raw list fails, confbridgeListRooms is empty', async () => {
    const s = await server();
    s.handle('ConfbridgeListRooms', (conn, a) => conn.error(a, 'No active conferences.'));
    const c = client(s);
    await c.start();
    expect(isBotError(await rejection(c.listAction({ action: 'ConfbridgeListRooms' })), 'ami_action_failed')).toBe(true);
    expect(await confbridgeListRooms(c)).toEqual([]);
  });

  it('ends a list on the Asterisk 1.8 StatusComplete without EventList, and on no other *Complete name', async () => {
    const s = await server();
    s.handle('Status', (conn, a) => {
      const id = a.actionId ?? '';
      conn.send([['Response', 'Success'], ['ActionID', id], ['Message', 'Channel status will follow']]);
      conn.send([['Event', 'Status'], ['ActionID', id], ['Channel', 'SIP/701-1'], ['Uniqueid', '1.1']]);
      conn.send([['Event', 'StatusComplete'], ['ActionID', id], ['Items', '1']]);
    });
    s.handle('ListX', (conn, a) => {
      const id = a.actionId ?? '';
      conn.send([['Response', 'Success'], ['ActionID', id], ['EventList', 'start']]);
      conn.send([['Event', 'TransferComplete'], ['ActionID', id], ['Channel', 'SIP/701-1']]);
      conn.send([['Event', 'ListXItem'], ['ActionID', id], ['N', '2']]);
      conn.send([['Event', 'ListXComplete'], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', '2']]);
    });
    const c = client(s);
    await c.start();
    expect((await c.listAction({ action: 'Status' })).map((m) => m.event)).toEqual(['Status']);
    expect((await c.listAction({ action: 'ListX' })).map((m) => m.event)).toEqual(['TransferComplete', 'ListXItem']);
  });

  it('rejects a list ended by EventList: Cancelled with ami_action_failed', async () => {
    const s = await server();
    s.handle('ConfbridgeList', (conn, a) => {
      const id = a.actionId ?? '';
      conn.send([['Response', 'Success'], ['ActionID', id], ['EventList', 'start']]);
      conn.send([['Event', 'ConfbridgeList'], ['ActionID', id], ['Conference', '200'], ['Channel', 'Local/1'], ['Uniqueid', '1.1']]);
      conn.send([['Event', 'ConfbridgeListComplete'], ['ActionID', id], ['EventList', 'Cancelled']]);
    });
    const c = client(s);
    await c.start();
    const events = collectEvents(c);
    const err = await rejection(c.listAction({ action: 'ConfbridgeList', fields: { Conference: '200' } }));
    expect(isBotError(err, 'ami_action_failed')).toBe(true);
    expect((err as Error).message).toContain('cancelled');
    await c.action({ action: 'Ping' });
    expect(events).toEqual([]);
  });

  it('warns when ListItems disagrees with the items received, and still resolves the list', async () => {
    const s = await server();
    s.handle('CoreShowChannels', (conn, a) => {
      const id = a.actionId ?? '';
      conn.send([['Response', 'Success'], ['ActionID', id], ['EventList', 'start']]);
      conn.send([['Event', 'CoreShowChannel'], ['ActionID', id], ['Channel', 'PJSIP/1-1'], ['Uniqueid', '1.1']]);
      conn.send([['Event', 'CoreShowChannelsComplete'], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', '3']]);
    });
    const { logger, records } = capturingLogger();
    const c = client(s, { logger });
    await c.start();
    expect(await c.listAction({ action: 'CoreShowChannels' })).toHaveLength(1);
    expect(records.filter((r) => r.level === LEVEL.warn && /ListItems/.test(r.msg))).toEqual([
      expect.objectContaining({ action: 'CoreShowChannels', listItems: 3, received: 1 }),
    ]);
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

  it('waits for an async Originate without Timeout beyond actionTimeoutMs, since Asterisk dials for 30 s by default', async () => {
    const s = await server();
    s.handle('Originate', (conn, a) => conn.ok(a, ['Message', 'Originate successfully queued']));
    const clock = new FakeClock();
    const c = client(s, { actionTimeoutMs: 2_000, clock });
    await c.start();
    let settled = false;
    const result = c.originateAsync({ action: 'Originate', fields: { Channel: 'PJSIP/555', Context: 'confs', Exten: '200', Priority: 1 } }).finally(() => {
      settled = true;
    });
    const conn = s.connections[0]!;
    const action = await conn.waitForAction('Originate');
    expect(action.has('Timeout')).toBe(false);
    await clock.advance(DEFAULT_ORIGINATE_TIMEOUT_MS + 2_000 - 1);
    expect(settled).toBe(false);
    conn.send([['Event', 'OriginateResponse'], ['ActionID', action.actionId ?? ''], ['Response', 'Success'], ['Channel', 'PJSIP/555-1'], ['Reason', '4'], ['Uniqueid', '9.1']]);
    expect((await result).get('Reason')).toBe('4');
  });

  it('computes the OriginateResponse wait in one place: the dial timeout (default 30 s) plus actionTimeoutMs', () => {
    expect(DEFAULT_ORIGINATE_TIMEOUT_MS).toBe(30_000);
    expect(originateWaitMs({ Channel: 'PJSIP/1' }, 10_000)).toBe(40_000);
    expect(originateWaitMs({ Channel: 'PJSIP/1', Timeout: 15_000 }, 10_000)).toBe(25_000);
    expect(originateWaitMs({ timeout: '5000' }, 2_000)).toBe(7_000);
    expect(originateWaitMs(undefined, 1_000)).toBe(31_000);
  });

  it('still emits an OriginateResponse that comes after its wait ran out, as an event', async () => {
    const s = await server();
    s.handle('Originate', (conn, a) => conn.ok(a, ['Message', 'Originate successfully queued']));
    const clock = new FakeClock();
    const c = client(s, { clock });
    await c.start();
    const failed = rejection(c.originateAsync({ action: 'Originate', fields: { Channel: 'PJSIP/555', Application: 'Wait', Data: '1' } }, { timeoutMs: 20 }));
    await clock.advance(20);
    expect(isBotError(await failed, 'ami_timeout')).toBe(true);
    const late = nextEvent(c, 'OriginateResponse');
    const action = await s.connections[0]!.waitForAction('Originate');
    s.connections[0]!.send([['Event', 'OriginateResponse'], ['ActionID', action.actionId ?? ''], ['Response', 'Success'], ['Channel', 'PJSIP/555-1'], ['Reason', '4'], ['Uniqueid', '9.1']]);
    expect((await late).get('Uniqueid')).toBe('9.1');
  });

  it('sends one Variable header per variable', async () => {
    const s = await server();
    s.handle('Originate', (conn, a) => {
      conn.ok(a, ['Message', 'Originate successfully queued']);
      conn.send([['Event', 'OriginateResponse'], ['ActionID', a.actionId ?? ''], ['Response', 'Success'], ['Channel', 'Local/200@confs-1;1'], ['Reason', '4'], ['Uniqueid', '1.1']]);
    });
    const c = client(s);
    await c.start();
    await originateAsync(c, { channel: 'Local/200@confs', application: 'Wait', data: '1', variables: { HOLDOUT_ROLE: 'alice', TOPIC: 'a=b' } });
    const action = await s.connections[0]!.waitForAction('Originate');
    expect(action.getAll('Variable')).toEqual(['HOLDOUT_ROLE=alice', 'TOPIC=a=b']);
    expect(s.connections[0]!.received.toString()).toContain('Variable: HOLDOUT_ROLE=alice\r\nVariable: TOPIC=a=b\r\n');
  });

  it('runs every listener even when one before it throws, and stays usable', async () => {
    const s = await server();
    const { logger, records } = capturingLogger();
    const c = client(s, { logger });
    c.on('event', () => {
      throw new Error('listener bug');
    });
    const after = nextEvent(c, 'Reload');
    await c.start();
    s.connections[0]!.send([['Event', 'Reload'], ['Module', 'x']]);
    expect((await after).get('Module')).toBe('x');
    expect((await c.action({ action: 'Ping' })).get('Ping')).toBe('Pong');
    expect(records.some((r) => r.level === LEVEL.error && r.msg === 'AMI listener threw')).toBe(true);
  });
});

describe('AmiClient typed events', () => {
  const join: [string, string][] = [
    ['Event', 'ConfbridgeJoin'], ['Conference', '200'], ['Channel', 'Local/200@confs-00000000;2'], ['Uniqueid', '1795368827.1'],
    ['CallerIDNum', '1001'], ['CallerIDName', 'Alice'], ['Admin', 'No'], ['Muted', 'Yes'],
  ];

  it('hands onEvent listeners the typed event, parsed once for all listeners of that name', async () => {
    const s = await server();
    const c = client(s);
    await c.start();
    const seen: AmiEventMap['ConfbridgeJoin'][] = [];
    const first = new Promise<AmiEventMap['ConfbridgeJoin']>((resolve) => c.onEvent('ConfbridgeJoin', resolve));
    c.onEvent('ConfbridgeJoin', (ev) => seen.push(ev));
    s.connections[0]!.send(join);
    const ev = await first;
    expect(ev).toMatchObject({ event: 'ConfbridgeJoin', typed: true, conference: '200', callerIdName: 'Alice', admin: false, muted: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(ev);
  });

  it('gives typed listeners neither other event names, nor an event missing a required field, nor anything after offEvent', async () => {
    const s = await server();
    const c = client(s);
    await c.start();
    const typed: string[] = [];
    const listener = (ev: AmiEventMap['ConfbridgeJoin']): void => {
      typed.push(ev.uniqueid);
    };
    c.onEvent('ConfbridgeJoin', listener);
    const conn = s.connections[0]!;
    let raw = nextEvent(c, 'ConfbridgeLeave');
    conn.send([['Event', 'ConfbridgeLeave'], ['Conference', '200'], ['Channel', 'Local/1'], ['Uniqueid', '1.1']]);
    await raw;
    raw = nextEvent(c, 'ConfbridgeJoin');
    conn.send([['Event', 'ConfbridgeJoin'], ['Conference', '200']]);
    await raw;
    c.offEvent('ConfbridgeJoin', listener);
    raw = nextEvent(c, 'ConfbridgeJoin');
    conn.send(join);
    await raw;
    expect(typed).toEqual([]);
  });

  it("types the arguments of 'banner', 'connected' and 'disconnected' listeners", async () => {
    const s = await server();
    const c = client(s);
    const versions: string[] = [];
    const codes: 'ami_disconnected'[] = [];
    c.on('banner', (version) => versions.push(version));
    c.on('disconnected', (reason) => codes.push(reason.code));
    const connected = once(c, 'connected');
    await c.start();
    await connected;
    const disconnected = once(c, 'disconnected');
    s.connections[0]!.destroy();
    await disconnected;
    expect(versions).toEqual(['11.0.0']);
    expect(codes).toEqual(['ami_disconnected']);
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
    expect(isBotError(err, 'ami_unreachable')).toBe(true);
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
    const clock = new FakeClock();
    const c = client(s, { pingIntervalMs: 15_000, pingTimeoutMs: 5_000, clock });
    await c.start();
    const disconnected = once(c, 'disconnected');
    await clock.advance(15_000);
    await s.connections[0]!.waitForAction('Ping');
    await clock.advance(4_999);
    expect(c.connected).toBe(true);
    await clock.advance(1);
    const [reason] = (await disconnected) as [Error];
    expect(reason.message).toMatch(/Ping/);
    const reconnected = once(c, 'connected');
    await clock.advance(await clock.nextTimer((ms) => ms <= 50));
    await reconnected;
    expect(s.connections).toHaveLength(2);
    await clock.advance(15_000);
    await s.connections[1]!.waitForAction('Ping');
    await clock.advance(5_000);
    expect(c.connected).toBe(true);
  });

  it('stop() sends Logoff, closes, and does not reconnect', async () => {
    const s = await server();
    const clock = new FakeClock();
    const c = client(s, { clock });
    await c.start();
    await c.stop();
    expect(c.connected).toBe(false);
    expect(s.connections[0]!.actions.map((a) => a.get('Action'))).toEqual(['Login', 'Logoff']);
    // No reconnect is even scheduled.
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60_000);
    expect(s.connections).toHaveLength(1);
  });

  it("stop() emits no 'disconnected' and logs no warning", async () => {
    const s = await server();
    const { logger, records } = capturingLogger();
    const c = client(s, { logger });
    let disconnected = 0;
    c.on('disconnected', () => disconnected++);
    await c.start();
    await c.stop();
    expect(disconnected).toBe(0);
    expect(records.filter((r) => r.level >= LEVEL.warn)).toEqual([]);
  });

  it('start() resolves once the loop has connected, even after the first attempt failed', async () => {
    const s = await server();
    const port = s.port;
    await s.close();
    const c = client(s, { port, reconnect: { initialDelayMs: 5, maxDelayMs: 20 } });
    expect(isBotError(await rejection(c.start()), 'ami_unreachable')).toBe(true);
    const connected = once(c, 'connected');
    await s.restart();
    await connected;
    await expect(c.start()).resolves.toBeUndefined();
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
