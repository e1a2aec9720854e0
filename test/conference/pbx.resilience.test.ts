import { afterEach, describe, expect, it } from 'vitest';
import { ConferenceRegistry } from '../../src/conference/directory.ts';
import { isBotError } from '../../src/errors.ts';
import { names, rejection, startHarness, until, type Harness } from './sim-harness.ts';

const open: Harness[] = [];
async function harness(...args: Parameters<typeof startHarness>): Promise<Harness> {
  const h = await startHarness(...args);
  open.push(h);
  return h;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

describe.each(['confbridge', 'meetme', 'meetme-legacy'] as const)('reconnect reconciliation (%s)', (dialect) => {
  it('drops those who left while the link was down, adds newcomers, and flags the PBX down then up', async () => {
    const h = await harness(dialect);
    const alice = h.sim.join('200', { num: '1001', name: 'Alice' });
    h.sim.join('200', { num: '1002', name: 'Bob' });
    await until(h.conn, (s) => names(s, '200').length === 2);

    const restarted = h.sim.restart(150, { keepCalls: true });
    await until(h.conn, (s) => !s.available);
    expect(h.conn.state().rooms.get('200')?.participants.size).toBe(2);
    h.sim.hangup(alice.uniqueid);
    h.sim.join('200', { num: '1003', name: 'Carol' });
    h.sim.join('201', { num: '1004', name: 'Dave' });
    const mark = h.changes.length;
    await restarted;

    const s = await until(h.conn, (st) => st.available);
    expect(names(s, '200')).toEqual(['Bob', 'Carol']);
    expect(names(s, '201')).toEqual(['Dave']);
    const after = h.changes.slice(mark).map((c) => `${c.type}${'participant' in c ? `:${c.participant.callerName ?? ''}` : ''}`);
    expect(after).toEqual(expect.arrayContaining(['left:Alice', 'joined:Carol', 'room_started', 'joined:Dave', 'pbx_up']));
    expect(h.changes.map((c) => c.type)).toContain('pbx_down');
  });
});

describe('a side-effecting action cut off by a drop', () => {
  it('fails with outcome_unknown and is not sent again after the reconnect', async () => {
    const h = await harness('confbridge');
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => names(s, '200').length === 1);
    h.sim.setActionBehaviour('ConfbridgeKick', { delayMs: 10_000 });
    const kick = rejection(h.conn.kick('200', { kind: 'one', text: 'alice' }));
    // The kick is on the wire (the PBX sits on it) before the link drops.
    await new Promise((resolve) => setImmediate(resolve));
    await h.sim.restart(50, { keepCalls: true });
    const err = await kick;
    expect(isBotError(err, 'outcome_unknown')).toBe(true);
    expect((err as { userMessage: string }).userMessage).toMatch(/outcome unknown, re-check room 200/);

    h.sim.setActionBehaviour('ConfbridgeKick', undefined);
    await until(h.conn, (s) => s.available);
    await h.conn.resync();
    expect(names(h.conn.state(), '200')).toEqual(['Alice']);
    expect(h.sim.rooms().find((r) => r.name === '200')?.participants).toHaveLength(1);
  });

  it('refuses with pbx_unavailable while the link is down', async () => {
    const h = await harness('meetme');
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => names(s, '200').length === 1);
    await h.sim.stop();
    await until(h.conn, (s) => !s.available);
    const err = await rejection(h.conn.mute('200', { kind: 'one', text: 'alice' }, true));
    expect(isBotError(err, 'pbx_unavailable')).toBe(true);
    expect((await h.conn.rooms()).map((r) => r.name)).toEqual(['200']);
  });
});

describe('ConferenceRegistry with two PBXs', () => {
  it('keeps one working while the other is killed, whose rooms show unavailable', async () => {
    const a = await harness('confbridge', { id: 'east' });
    const b = await harness('meetme', { id: 'west' });
    const registry = new ConferenceRegistry([a.conn, b.conn]);
    const seen: string[] = [];
    registry.onChange((changes) => seen.push(...changes.map((c) => `${c.pbx}:${c.type}`)));
    a.sim.join('200', { num: '1001', name: 'Alice' });
    b.sim.join('300', { num: '2001', name: 'Wes' });
    await until(a.conn, (s) => s.rooms.has('200'));
    await until(b.conn, (s) => s.rooms.has('300'));

    expect(registry.pbxIds()).toEqual(['east', 'west']);
    expect(registry.findRoom('300')).toEqual({ pbx: 'west', room: '300' });
    expect(registry.findRoom('east/200')).toEqual({ pbx: 'east', room: '200' });
    expect(registry.findRoom('west/200')).toBeUndefined();
    expect(isBotError((() => { try { registry.backend('north'); } catch (e) { return e; } })(), 'pbx_not_found')).toBe(true);

    await b.sim.stop();
    await until(b.conn, (s) => !s.available);
    expect(seen).toContain('west:pbx_down');
    expect(registry.allRooms().map((r) => `${r.pbx}/${r.name}`)).toEqual(['east/200', 'west/300']);
    expect(registry.backend('west').available).toBe(false);

    await registry.backend('east').mute('200', { kind: 'one', text: 'alice' }, true);
    await until(a.conn, (s) => s.rooms.get('200')?.participants.values().next().value?.muted === true);
    a.sim.join('200', { num: '1002', name: 'Bob' });
    await until(a.conn, (s) => names(s, '200').includes('Bob'));
    expect(seen).toContain('east:joined');
  });

  it('keeps telling the other listeners when one listener throws', async () => {
    const a = await harness('confbridge', { id: 'east' });
    const registry = new ConferenceRegistry([a.conn]);
    const heard: string[][] = [];
    registry.onChange(() => {
      throw new Error('listener bug');
    });
    registry.onChange((changes) => heard.push(changes.map((c) => c.type)));
    a.sim.join('200', { num: '1001', name: 'Alice' });
    await until(a.conn, (s) => names(s, '200').length === 1);
    expect(heard.flat()).toEqual(['room_started', 'joined']);
  });

  it('starts every PBX even when one cannot connect', async () => {
    const a = await harness('confbridge', { id: 'up' });
    await a.conn.stop();
    const dead = await harness('confbridge', { id: 'down' });
    await dead.conn.stop();
    await dead.sim.stop();
    const registry = new ConferenceRegistry([dead.conn, a.conn]);
    const failures = await registry.start();
    expect(failures.map((f) => f.pbx)).toEqual(['down']);
    expect(a.conn.available).toBe(true);
    expect(dead.conn.available).toBe(false);
    await registry.stop();
  });
});

describe('periodic resync', () => {
  it('picks up changes the events did not tell (here: a link with events off)', async () => {
    const h = await harness('confbridge', { config: { events: 'off', resyncIntervalSec: 1 } });
    h.sim.join('200', { num: '1001', name: 'Alice' });
    const s = await until(h.conn, (st) => names(st, '200').includes('Alice'), 4000);
    expect(s.rooms.get('200')?.participants.size).toBe(1);
  });
});
