import { afterEach, describe, expect, it } from 'vitest';
import { ConferenceRegistry } from '../../src/conference/directory.ts';
import { Bot } from '../../src/core/bot.ts';
import type { ReplyView } from '../../src/core/views.ts';
import { actor, inbound, MemoryAuditStore, RecordingAdapter } from '../core/fakes.ts';
import { FakeClock } from '../core/status-fakes.ts';
import { RawAmi } from '../sim/pbx/raw-ami.ts';
import { names, startHarness, until, type Harness } from './sim-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const locks = (h: Harness): boolean[] => h.changes.flatMap((c) => (c.type === 'locked' ? [c.on] : []));

describe.each(['confbridge', 'meetme'] as const)('lock state comes from the PBX (%s)', (dialect) => {
  it('learns a lock made at the PBX, which sends no event, when asked to refresh', async () => {
    h = await startHarness(dialect);
    h.sim.join('200', { num: '1001', name: 'Host', admin: true });
    await until(h.conn, (s) => names(s, '200').length === 1);
    h.sim.setLocked('200', true);
    await h.conn.refreshLock('200');
    expect(h.conn.state().rooms.get('200')?.locked).toBe(true);
    expect(locks(h)).toEqual([true]);
  });

  it('shows a lock made at the PBX within the refresh interval', async () => {
    const clock = new FakeClock();
    h = await startHarness(dialect, { clock, config: { lockRefreshSec: 15 } });
    h.sim.join('200', { num: '1001', name: 'Host', admin: true });
    await until(h.conn, (s) => names(s, '200').length === 1);
    h.sim.setLocked('200', true);
    await clock.advance(14_000);
    expect(h.conn.state().rooms.get('200')?.locked).toBe(false);
    await clock.advance(1_000);
    await until(h.conn, (s) => s.rooms.get('200')?.locked === true);
    h.sim.setLocked('200', false);
    await clock.advance(15_000);
    await until(h.conn, (s) => s.rooms.get('200')?.locked === false);
    expect(locks(h)).toEqual([true, false]);
  });

  it('reads the lock back after its own lock action', async () => {
    h = await startHarness(dialect);
    h.sim.join('200', { num: '1001', name: 'Host', admin: true });
    await until(h.conn, (s) => names(s, '200').length === 1);
    await h.conn.lock('200', true);
    expect(h.conn.state().rooms.get('200')?.locked).toBe(true);
    expect(h.sim.rooms().find((r) => r.name === '200')?.locked).toBe(true);
  });
});

describe('the embedded PBX', () => {
  it('locks a room from the CLI without any event, as Asterisk 22', async () => {
    h = await startHarness('confbridge');
    h.sim.join('200', { num: '1001', name: 'Host', admin: true });
    await until(h.conn, (s) => names(s, '200').length === 1);
    const before = h.sim.emitted.length;
    const ami = await RawAmi.login(h.sim.port);
    const answer = await ami.action('Command', { Command: 'confbridge lock 200' });
    ami.close();
    expect(answer.getAll('Output')).toEqual(['Conference locked.']);
    expect(h.sim.rooms().find((r) => r.name === '200')?.locked).toBe(true);
    expect(h.sim.emitted.length).toBe(before);
  });
});

describe('unlock from chat after a lock made at the PBX', () => {
  it('asks the PBX, unlocks the room, and does not answer "already unlocked"', async () => {
    h = await startHarness('confbridge');
    h.sim.join('200', { num: '1001', name: 'Host', admin: true });
    await until(h.conn, (s) => names(s, '200').length === 1);
    const registry = new ConferenceRegistry([h.conn]);
    const bot = new Bot({
      directory: registry, audit: new MemoryAuditStore(),
      grants: [{ role: 'moderator', users: ['test:mod'], groups: [], pbx: '*', rooms: '*' }],
    });
    const adapter = new RecordingAdapter();
    const handlers = bot.handlersFor(adapter);
    h.sim.setLocked('200', true);
    await handlers.command(inbound(actor('mod')), 'unlock 200');
    expect((adapter.last().view as ReplyView).text).toBe('Room 200 is unlocked.');
    expect(h.sim.rooms().find((r) => r.name === '200')?.locked).toBe(false);
    await handlers.command(inbound(actor('mod')), 'unlock 200');
    expect((adapter.last().view as ReplyView).text).toBe('Room 200 is already unlocked.');
  });
});
