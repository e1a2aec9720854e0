import { afterEach, describe, expect, it } from 'vitest';
import { isBotError } from '../../src/errors.ts';
import type { LobbySpec } from '../../src/sim/pbx/index.ts';
import { names, rejection, startHarness, until, type Harness } from './sim-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const lobbies: Record<'moh' | 'conference', Record<string, LobbySpec>> = {
  moh: { '200': { type: 'moh', context: 'lobby', exten: '200' } },
  conference: { '200': { type: 'conference', conference: '299' } },
};

describe.each(['confbridge', 'meetme'] as const)('caller queue (%s)', (dialect) => {
  it.each(['moh', 'conference'] as const)('lists %s lobby callers in arrival order and brings one in', async (kind) => {
    h = await startHarness(dialect, { lobbies: lobbies[kind] });
    const conn = h.conn;
    h.sim.join('200', { num: '1001', name: 'Host', admin: true });
    await until(conn, (s) => names(s, '200').length === 1);
    h.sim.waitInLobby('200', { num: '5551', name: 'First Caller' });
    h.sim.waitInLobby('200', { num: '5552', name: 'Second Caller' });
    h.sim.waitInLobby('200', { num: '5553', name: 'Third Caller' });
    if (kind === 'conference') await until(conn, (s) => names(s, '299').length === 3);

    const queue = await conn.queue('200');
    expect(queue.map((q) => [q.position, q.callerName])).toEqual([[1, 'First Caller'], [2, 'Second Caller'], [3, 'Third Caller']]);
    expect(queue.every((q) => q.waitingSince <= Date.now())).toBe(true);

    const brought = await conn.bringIn('200', '#2');
    expect(brought.callerName).toBe('Second Caller');
    await until(conn, (s) => names(s, '200').includes('Second Caller'));
    expect((await conn.queue('200')).map((q) => [q.position, q.callerNum])).toEqual([[1, '5551'], [2, '5553']]);

    await conn.bringIn('200', 'third');
    await until(conn, (s) => names(s, '200').includes('Third Caller'));
    const err = await rejection(conn.bringIn('200', 'nobody'));
    expect(isBotError(err, 'participant_not_found')).toBe(true);
    expect((err as { userMessage: string }).userMessage).toContain('First Caller');
  });
});

describe('caller queue without a lobby', () => {
  it('is refused for listing and for bringing in, with the same answer', async () => {
    h = await startHarness('confbridge');
    h.sim.join('200', { num: '1001', name: 'Host' });
    await until(h.conn, (s) => names(s, '200').length === 1);
    const listed = await rejection(h.conn.queue('200'));
    expect(isBotError(listed, 'action_refused')).toBe(true);
    expect((listed as { userMessage: string }).userMessage).toBe('Room 200 has no caller queue; an admin must set one up.');
    expect(isBotError(await rejection(h.conn.bringIn('200', '1')), 'action_refused')).toBe(true);
  });
});

describe('caller queue while the PBX is down', () => {
  it('refuses a conference lobby with pbx_unavailable instead of serving stale state', async () => {
    h = await startHarness('confbridge', { lobbies: lobbies.conference });
    h.sim.waitInLobby('200', { num: '5551', name: 'First Caller' });
    await until(h.conn, (s) => names(s, '299').length === 1);
    await h.sim.stop();
    await until(h.conn, (s) => !s.available);
    expect(isBotError(await rejection(h.conn.queue('200')), 'pbx_unavailable')).toBe(true);
  });
});

describe('bringing a caller in', () => {
  it("sends them to the lobby's own target when it has one, with its priority", async () => {
    h = await startHarness('confbridge', {
      lobbies: lobbies.moh,
      config: { lobbies: { '200': { ...lobbies.moh['200'], target: { context: 'confs', exten: '201', priority: 2 } } } },
    });
    h.sim.join('201', { num: '1001', name: 'Host' });
    h.sim.waitInLobby('200', { num: '5551', name: 'First Caller' });
    await until(h.conn, (s) => names(s, '201').length === 1);
    await h.conn.bringIn('200', '#1');
    await until(h.conn, (s) => names(s, '201').includes('First Caller'));
    const redirect = [...h.sim.received].reverse().find((a) => a.some(([k, v]) => k === 'Action' && v === 'Redirect')) ?? [];
    expect(new Map(redirect).get('Priority')).toBe('2');
  });
});

describe('queue order and waiting times, with an injected clock', () => {
  const T0 = 1_700_000_000_000;

  it('orders a music-on-hold lobby by channel age for callers already waiting, then by arrival', async () => {
    let now = T0;
    const clock = (): number => now;
    h = await startHarness('meetme', {
      lobbies: lobbies.moh, now: clock,
      // Waiting before the bot connects: only their channel age tells the order.
      beforeStart: (sim) => {
        sim.waitInLobby('200', { num: '5551', name: 'Early' });
        now += 5_000;
        sim.waitInLobby('200', { num: '5552', name: 'Later' });
        now += 15_000;
      },
    });
    now += 10_000;
    h.sim.waitInLobby('200', { num: '5553', name: 'Arrived' });
    // The PBX sends the arrival events before this list's answer: once it is back, the bot has noted them.
    await h.conn.queue('200');
    now += 10_000;
    const queue = await h.conn.queue('200');
    expect(queue.map((q) => [q.position, q.callerName, (now - q.waitingSince) / 1000])).toEqual([
      [1, 'Early', 40], [2, 'Later', 35], [3, 'Arrived', 10],
    ]);
  });

  it('orders a conference lobby by join time', async () => {
    let now = T0;
    h = await startHarness('confbridge', { lobbies: lobbies.conference, now: () => now });
    h.sim.waitInLobby('200', { num: '5551', name: 'First' });
    await until(h.conn, (s) => names(s, '299').length === 1);
    now += 7_000;
    h.sim.waitInLobby('200', { num: '5552', name: 'Second' });
    await until(h.conn, (s) => names(s, '299').length === 2);
    now += 3_000;
    const queue = await h.conn.queue('200');
    expect(queue.map((q) => [q.position, q.callerName, (now - q.waitingSince) / 1000])).toEqual([[1, 'First', 10], [2, 'Second', 3]]);
  });
});
