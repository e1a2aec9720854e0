import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { AmiClient, type AmiClientOptions, type AmiLinkState } from '../../src/ami/client.ts';
import { AmiPermissionDeniedError } from '../../src/ami/errors.ts';
import { confbridgeKick, originateAsync } from '../../src/ami/actions.ts';
import { isBotError } from '../../src/errors.ts';
import { SECRET, USERNAME } from './helpers/scripted-server.ts';
import { rejection } from './helpers/rejection.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { cleanups, server } from './helpers/cleanups.ts';


function client(port: number, clock: FakeClock, overrides: Partial<AmiClientOptions> = {}): { c: AmiClient; states: AmiLinkState[] } {
  const c = new AmiClient({
    name: 'pbx1', host: '127.0.0.1', port, username: USERNAME, secret: SECRET, authType: 'plain', pingIntervalMs: 0,
    reconnect: { initialDelayMs: 100, maxDelayMs: 100, jitter: 0 }, clock, ...overrides,
  });
  const states: AmiLinkState[] = [];
  c.on('state', (st) => states.push(st));
  cleanups.push(() => c.stop());
  return { c, states };
}

describe('AmiClient link state', () => {
  it('tells a refused login (wrong secret) apart, with the fix for an admin and the slow retry time', async () => {
    const s = await server();
    const clock = new FakeClock();
    const { c } = client(s.port, clock, { secret: 'wrong', loginRetryMs: 60_000 });
    expect(c.linkState).toEqual({ status: 'stopped' });
    expect(isBotError(await rejection(c.start()), 'ami_login_failed')).toBe(true);
    const st = c.linkState;
    expect(st.status).toBe('login_refused');
    if (st.status !== 'login_refused') return;
    expect(st.error.amiMessage).toBe('Authentication failed');
    expect(st.error.adminHint).toContain('secret');
    expect(st.error.adminHint).not.toContain('wrong');
    expect(st.nextAttemptAt).toBe(clock.now() + 60_000);
  });

  it('tells an unreachable PBX (nothing listening) apart from a dropped link, and keeps the first failure time', async () => {
    const s = await server();
    const port = s.port;
    await s.close();
    const clock = new FakeClock();
    const { c, states } = client(port, clock);
    expect(isBotError(await rejection(c.start()), 'ami_unreachable')).toBe(true);
    const first = c.linkState;
    expect(first.status).toBe('unreachable');
    if (first.status !== 'unreachable') return;
    expect(first.error.adminHint).toContain(`127.0.0.1:${port}`);
    const failed = new Promise<void>((resolve) => c.on('state', (st) => st.status === 'unreachable' && st.nextAttemptAt !== first.nextAttemptAt && resolve()));
    await clock.advance(await clock.nextTimer());
    await failed;
    expect(c.linkState.status === 'unreachable' && c.linkState.since).toBe(first.since);
    expect(states.map((st) => st.status)).toEqual(['connecting', 'unreachable', 'unreachable', 'unreachable', 'unreachable']);
  });

  it("counts a connect that does not finish within connectTimeoutMs (the client's clock) as unreachable", async () => {
    // Accepts TCP but never answers the TLS handshake.
    const sockets: Socket[] = [];
    const silent: Server = createServer((sock) => sockets.push(sock));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.push(async () => {
      for (const sock of sockets) sock.destroy();
      silent.close();
      await once(silent, 'close');
    });
    const port = (silent.address() as { port: number }).port;
    const clock = new FakeClock();
    const { c } = client(port, clock, { tls: true, connectTimeoutMs: 5_000 });
    const started = rejection(c.start());
    await clock.nextTimer((ms) => ms === 5_000);
    await clock.advance(5_000);
    const err = await started;
    expect(isBotError(err, 'ami_unreachable')).toBe(true);
    expect((err as Error).message).toContain('timed out after 5000 ms');
  });

  it('goes connected, then down with the reason when the link drops, then stopped', async () => {
    const s = await server();
    const clock = new FakeClock();
    const { c, states } = client(s.port, clock);
    await c.start();
    expect(c.linkState).toEqual({ status: 'connected', since: clock.now() });
    const disconnected = once(c, 'disconnected');
    s.connections[0]!.destroy();
    await disconnected;
    expect(c.linkState.status).toBe('down');
    expect(c.linkState.status === 'down' && c.linkState.error.code).toBe('ami_disconnected');
    await c.stop();
    expect(c.linkState).toEqual({ status: 'stopped' });
    expect(states.map((st) => st.status)).toEqual(['connecting', 'connected', 'down', 'down', 'stopped']);
  });
});

describe('AmiClient and Permission denied', () => {
  it('rejects the one action with ami_permission_denied naming the action and the write class to grant, and stays connected', async () => {
    const s = await server();
    s.handle('ConfbridgeKick', (conn, a) => conn.error(a, 'Permission denied'));
    const clock = new FakeClock();
    const { c } = client(s.port, clock);
    await c.start();
    const err = await rejection(confbridgeKick(c, '200', 'PJSIP/701-1'));
    expect(err).toBeInstanceOf(AmiPermissionDeniedError);
    const denied = err as AmiPermissionDeniedError;
    expect(denied.code).toBe('ami_permission_denied');
    expect(denied.action).toBe('ConfbridgeKick');
    expect(denied.writeClasses).toEqual(['call']);
    expect(denied.adminHint).toContain(`"${USERNAME}"`);
    expect(denied.adminHint).toContain('call');
    expect(denied.userMessage).not.toMatch(/permission denied|ConfbridgeKick/i);
    expect(c.connected).toBe(true);
    expect(c.linkState.status).toBe('connected');
  });

  it('names the originate class for a refused Originate, and still says something useful for an action it does not know', async () => {
    const s = await server();
    s.handle('Originate', (conn, a) => conn.error(a, 'Permission denied'));
    s.handle('SomethingNew', (conn, a) => conn.error(a, 'Permission denied'));
    const clock = new FakeClock();
    const { c } = client(s.port, clock);
    await c.start();
    const originate = await rejection(originateAsync(c, { channel: 'PJSIP/555', application: 'Wait', data: '1' }));
    expect((originate as AmiPermissionDeniedError).writeClasses).toEqual(['originate']);
    const unknown = await rejection(c.action({ action: 'SomethingNew' }));
    expect(isBotError(unknown, 'ami_permission_denied')).toBe(true);
    expect((unknown as AmiPermissionDeniedError).adminHint).toContain('write class');
  });

  it('keeps other refusals as ami_action_failed', async () => {
    const s = await server();
    s.handle('ConfbridgeKick', (conn, a) => conn.error(a, 'No Conference by that name found.'));
    const clock = new FakeClock();
    const { c } = client(s.port, clock);
    await c.start();
    expect(isBotError(await rejection(confbridgeKick(c, '200', 'PJSIP/701-1')), 'ami_action_failed')).toBe(true);
  });
});
