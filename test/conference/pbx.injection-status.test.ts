import { afterEach, describe, expect, it } from 'vitest';
import { ConferenceRegistry } from '../../src/conference/directory.ts';
import type { PbxState } from '../../src/conference/types.ts';
import { Bot } from '../../src/core/bot.ts';
import type { ReplyView } from '../../src/core/views.ts';
import type { OriginateJoin } from '../../src/sim/pbx/types.ts';
import { actor, inbound, MemoryAuditStore, RecordingAdapter } from '../core/fakes.ts';
import { eventually, names, startHarness, until, type Harness } from './sim-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ORDERS: [string, OriginateJoin][] = [
  ['OriginateResponse before the join', { afterResponseMs: 30 }],
  ['the join before OriginateResponse', 'before-response'],
];

describe.each(ORDERS)('muzak and stream with %s', (_order, originateJoin) => {
  it.each(['muzak', 'stream'] as const)('%s on: the last change record shows what the state holds', async (kind) => {
    h = await startHarness('confbridge', { sim: { originateJoin } });
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => names(s, '200').length === 1);
    // What a status message shows: the state as of the last change record it was given.
    let shown: PbxState = h.conn.state();
    h.conn.onChange(() => {
      shown = h?.conn.state() ?? shown;
    });
    await h.conn[kind]('200', true);
    const s = await until(h.conn, (st) => st.rooms.get('200')?.[kind]?.uniqueid !== undefined);
    // The channel may already be bound when the originate answers: wait for the join itself.
    await eventually(() => h?.sim.rooms().find((r) => r.name === '200')?.participants.length === 2);
    expect(shown.rooms.get('200')?.[kind]).toEqual(h.conn.state().rooms.get('200')?.[kind]);
    expect(names(s, '200')).toEqual(['Alice']);
    expect(h.changes.filter((c) => c.type === kind).map((c) => 'on' in c && c.on)).not.toContain(false);
  });
});

describe('muzak on while music already plays', () => {
  it('answers "already playing" without an AMI call (same for the stream)', async () => {
    h = await startHarness('confbridge');
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => names(s, '200').length === 1);
    const bot = new Bot({
      directory: new ConferenceRegistry([h.conn]), audit: new MemoryAuditStore(),
      grants: [{ role: 'moderator', users: ['test:mod'], groups: [], pbx: '*', rooms: '*' }],
    });
    const adapter = new RecordingAdapter();
    const handlers = bot.handlersFor(adapter);
    for (const [command, kind, text] of [['muzak', 'muzak', 'Music'], ['stream', 'stream', 'The stream']] as const) {
      await handlers.command(inbound(actor('mod')), `${command} on 200`);
      expect((adapter.last().view as ReplyView).text).toMatch(/ on in 200\.$/);
      await until(h.conn, (s) => s.rooms.get('200')?.[kind]?.uniqueid !== undefined);
      const originates = h.sim.received.filter((a) => a.some(([k, v]) => k === 'Action' && v === 'Originate')).length;
      await handlers.command(inbound(actor('mod')), `${command} on 200`);
      expect((adapter.last().view as ReplyView).text).toBe(`${text} is already playing in 200.`);
      expect(h.sim.received.filter((a) => a.some(([k, v]) => k === 'Action' && v === 'Originate')).length).toBe(originates);
    }
  });
});
