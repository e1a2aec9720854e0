import { afterEach, describe, expect, it } from 'vitest';
import { createPbxConnection, type PbxConnection } from '../../src/conference/pbx.ts';
import type { KeyValue } from '../../src/conference/room-memory.ts';
import { names, startHarness, until, type Harness } from './sim-harness.ts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const MIN = 60_000;

class MemoryKv implements KeyValue {
  readonly values = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
}

let h: Harness | undefined;
let second: PbxConnection | undefined;
afterEach(async () => {
  await second?.stop();
  await h?.close();
  h = undefined;
  second = undefined;
});

describe.each(['confbridge', 'meetme'] as const)('a room already running when the bot connects (%s)', (dialect) => {
  it('started when its earliest participant answered, as the PBX reports, and its end summary says so', async () => {
    let t = T0;
    h = await startHarness(dialect, {
      now: () => t,
      beforeStart: (sim) => {
        sim.join('200', { num: '1001', name: 'Alice' });
        t += 2 * MIN;
        sim.join('200', { num: '1002', name: 'Bob' });
        t += 8 * MIN;
      },
    });
    const s = await until(h.conn, (st) => names(st, '200').length === 2);
    expect(s.rooms.get('200')?.startedAt).toBe(T0);
    for (const p of h.sim.rooms()[0]?.participants ?? []) h.sim.hangup(p.uniqueid);
    await until(h.conn, (st) => !st.rooms.has('200'));
    const ended = h.changes.find((c) => c.type === 'room_ended');
    expect(ended?.type === 'room_ended' && ended.final.startedAt).toBe(T0);
  });
});

describe('a restarted bot', () => {
  it('keeps the room start after its first participant left, and who muted whom', async () => {
    let t = T0;
    const memory = new MemoryKv();
    h = await startHarness('confbridge', { now: () => t, memory });
    const alice = h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => names(s, '200').length === 1);
    t += MIN;
    h.sim.join('200', { num: '1002', name: 'Bob' });
    h.sim.join('200', { num: '1003', name: 'Carol' });
    await until(h.conn, (s) => names(s, '200').length === 3);
    await h.conn.mute('200', { kind: 'one', text: 'Bob' }, true);
    const carol = h.conn.state().rooms.get('200')?.participants;
    const carolId = [...(carol?.values() ?? [])].find((p) => p.callerName === 'Carol')?.uniqueid ?? '';
    h.sim.mute(carolId, true);
    await until(h.conn, (s) => [...(s.rooms.get('200')?.participants.values() ?? [])].filter((p) => p.muted).length === 2);
    h.sim.hangup(alice.uniqueid);
    await until(h.conn, (s) => names(s, '200').length === 2);
    await h.conn.stop();
    t += 5 * MIN;

    second = createPbxConnection(h.config, { now: () => t, memory });
    await second.start();
    const room = second.state().rooms.get('200');
    expect(room?.startedAt).toBe(T0);
    const muted = Object.fromEntries([...(room?.participants.values() ?? [])].map((p) => [p.callerName, p.mutedBy]));
    expect(muted).toEqual({ Bob: 'admin', Carol: undefined });
  });

  it('does not carry a start over to a new session of a room with the same name', async () => {
    let t = T0;
    const memory = new MemoryKv();
    h = await startHarness('confbridge', { now: () => t, memory });
    const alice = h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => names(s, '200').length === 1);
    await h.conn.stop();
    h.sim.hangup(alice.uniqueid);
    t += 30 * MIN;
    h.sim.join('200', { num: '1002', name: 'Bob' });
    t += MIN;
    second = createPbxConnection(h.config, { now: () => t, memory });
    await second.start();
    expect(second.state().rooms.get('200')?.startedAt).toBe(t - MIN);
  });
});
