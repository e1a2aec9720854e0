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
  it('is empty, and bringing in is refused', async () => {
    h = await startHarness('confbridge');
    h.sim.join('200', { num: '1001', name: 'Host' });
    await until(h.conn, (s) => names(s, '200').length === 1);
    expect(await h.conn.queue('200')).toEqual([]);
    expect(isBotError(await rejection(h.conn.bringIn('200', '1')), 'action_refused')).toBe(true);
  });
});
