import { afterEach, describe, expect, it } from 'vitest';
import { isBotError } from '../../src/errors.ts';
import type { EmbeddedPbx } from '../../src/sim/pbx/index.ts';
import { names, rejection, startHarness, until, type Harness } from './sim-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function sent(sim: EmbeddedPbx, action: string): number {
  return sim.received.filter((a) => a.some(([k, v]) => k === 'Action' && v === action)).length;
}

function userMessage(err: unknown): string {
  return (err as { userMessage: string }).userMessage;
}

describe.each(['confbridge', 'meetme'] as const)('a locked room (%s)', (dialect) => {
  it('refuses an invite up front, without dialling anyone', async () => {
    h = await startHarness(dialect);
    h.sim.join('200', { num: '1001', name: 'Host', admin: true });
    await until(h.conn, (s) => names(s, '200').length === 1);
    await h.conn.lock('200', true);
    const err = await rejection(h.conn.invite('200', '1999'));
    expect(isBotError(err, 'action_refused')).toBe(true);
    expect(userMessage(err)).toBe('Room 200 is locked: unlock it first to invite someone.');
    expect(sent(h.sim, 'Originate')).toBe(0);
  });

  it('refuses bringing a waiting caller in, and leaves them waiting', async () => {
    h = await startHarness(dialect, { lobbies: { '200': { type: 'moh', context: 'lobby', exten: '200' } } });
    h.sim.join('200', { num: '1001', name: 'Host', admin: true });
    h.sim.waitInLobby('200', { num: '5551', name: 'First Caller' });
    await until(h.conn, (s) => names(s, '200').length === 1);
    await h.conn.lock('200', true);
    const err = await rejection(h.conn.bringIn('200', '#1'));
    expect(isBotError(err, 'action_refused')).toBe(true);
    expect(userMessage(err)).toBe('Room 200 is locked: unlock it first to bring a caller in.');
    expect(sent(h.sim, 'Redirect')).toBe(0);
    expect((await h.conn.queue('200')).map((q) => q.callerName)).toEqual(['First Caller']);
  });

  it('invites again once unlocked, and the callee joins', async () => {
    h = await startHarness(dialect);
    h.sim.join('200', { num: '1001', name: 'Host', admin: true });
    await until(h.conn, (s) => names(s, '200').length === 1);
    await h.conn.lock('200', true);
    await h.conn.lock('200', false);
    const progress = await h.conn.invite('200', '1999');
    expect(progress.state).toBe('answered');
    expect(h.conn.state().rooms.get('200')?.participants.size).toBe(2);
  });
});

describe('an answered invite that does not reach the room', () => {
  it('is reported as answered but not joined when the callee is turned away and hung up', async () => {
    // The template leads to room 201, locked: the PBX answers, then drops the callee.
    h = await startHarness('confbridge', {
      config: { invite: { channel: 'PJSIP/{number}', context: 'confs', exten: '201', timeoutMs: 2000 } },
      inviteJoinWaitMs: 60_000,
    });
    h.sim.join('200', { num: '1001', name: 'Host' });
    h.sim.join('201', { num: '1002', name: 'Other Host', admin: true });
    await until(h.conn, (s) => s.rooms.has('200') && s.rooms.has('201'));
    await h.conn.lock('201', true);
    const seen: string[] = [];
    const progress = await h.conn.invite('200', '1999', (p) => seen.push(p.state));
    expect(progress).toMatchObject({ state: 'failed', reason: 'answered, but did not join the room' });
    expect(seen).toEqual(['pending', 'failed']);
  });

  it('is reported as answered but not joined when the callee stays elsewhere past the wait', async () => {
    h = await startHarness('confbridge', {
      config: { invite: { channel: 'PJSIP/{number}', context: 'default', exten: 'nowhere', timeoutMs: 2000 } },
      inviteJoinWaitMs: 100,
    });
    h.sim.join('200', { num: '1001', name: 'Host' });
    await until(h.conn, (s) => s.rooms.has('200'));
    const progress = await h.conn.invite('200', '1999');
    expect(progress).toMatchObject({ state: 'failed', reason: 'answered, but did not join the room' });
    expect(progress.channel).toMatch(/^PJSIP\/1999-/);
    expect(names(h.conn.state(), '200')).toEqual(['Host']);
  });
});
