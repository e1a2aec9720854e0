import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBotError } from '../../src/errors.ts';
import type { PbxDialect } from '../../src/sim/pbx/index.ts';
import { names, rejection, startHarness, until, type Harness } from './sim-harness.ts';

describe.each(['confbridge', 'meetme', 'meetme-legacy'] as const)('PbxConnection against the embedded %s PBX', (dialect: PbxDialect) => {
  let h: Harness;
  const expectedDialect = dialect === 'confbridge' ? 'confbridge' : 'meetme';

  beforeEach(async () => {
    h = await startHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  it('detects the dialect and lists rooms and participants present before connecting', async () => {
    const h2 = await (async () => {
      await h.conn.stop();
      h.sim.join('300', { num: '701', name: 'Tim-1', tech: 'SIP' });
      h.sim.join('300', { num: '702', name: 'Tina', admin: true });
      await h.conn.start();
      return h;
    })();
    expect(h2.conn.dialect).toBe(expectedDialect);
    expect(h2.conn.available).toBe(true);
    const [room] = await h2.conn.rooms();
    expect(room?.name).toBe('300');
    const ps = await h2.conn.participants('300');
    expect(ps.map((p) => p.callerName)).toEqual(['Tim-1', 'Tina']);
    expect(ps[0]).toMatchObject({ tech: 'SIP', callerNum: '701', pbx: 'sim', room: '300' });
    if (expectedDialect === 'meetme') expect(ps.map((p) => p.usernum)).toEqual([1, 2]);
  });

  it('follows joins, talking and hangups from events', async () => {
    const alice = h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => names(s, '200').includes('Alice'));
    h.sim.talk(alice.uniqueid, true);
    await until(h.conn, (s) => s.rooms.get('200')?.participants.get(alice.uniqueid)?.talking === true);
    h.sim.hangup(alice.uniqueid, 17);
    await until(h.conn, (s) => !s.rooms.get('200')?.participants.has(alice.uniqueid));
    await until(h.conn, () => h.changes.some((c) => c.type === 'hangup' && c.uniqueid === alice.uniqueid));
    expect(h.changes).toContainEqual(expect.objectContaining({ type: 'hangup', uniqueid: alice.uniqueid, cause: 17, callerName: 'Alice' }));
  });

  it('mutes and unmutes one participant, recording that the bot muted', async () => {
    h.sim.join('200', { num: '1001', name: 'Alice' });
    const bob = h.sim.join('200', { num: '1002', name: 'Bob' });
    await until(h.conn, (s) => names(s, '200').length === 2);
    const [muted] = await h.conn.mute('200', { kind: 'one', text: 'bo' }, true);
    expect(muted?.uniqueid).toBe(bob.uniqueid);
    const s = await until(h.conn, (st) => st.rooms.get('200')?.participants.get(bob.uniqueid)?.muted === true);
    expect(s.rooms.get('200')?.participants.get(bob.uniqueid)?.mutedBy).toBe('admin');
    await h.conn.mute('200', { kind: 'one', text: '1002' }, false);
    await until(h.conn, (st) => st.rooms.get('200')?.participants.get(bob.uniqueid)?.muted === false);
  });

  it('mutes everyone but the admins, and unmutes everyone', async () => {
    h.sim.join('200', { num: '1001', name: 'Alice' });
    h.sim.join('200', { num: '1002', name: 'Bob' });
    const carol = h.sim.join('200', { num: '1003', name: 'Carol', admin: true });
    await until(h.conn, (s) => names(s, '200').length === 3);
    // MeetmeJoin has no Admin flag: the re-list after the joins learns it.
    await h.conn.resync();
    expect(h.conn.state().rooms.get('200')?.participants.get(carol.uniqueid)?.admin).toBe(true);
    const targets = await h.conn.mute('200', { kind: 'all' }, true);
    expect(targets.map((p) => p.callerName)).toEqual(['Alice', 'Bob']);
    const s = await until(h.conn, (st) => [...(st.rooms.get('200')?.participants.values() ?? [])].filter((p) => p.muted).length === 2);
    expect(s.rooms.get('200')?.participants.get(carol.uniqueid)?.muted).toBe(false);
    await h.conn.mute('200', { kind: 'all' }, false);
    await until(h.conn, (st) => [...(st.rooms.get('200')?.participants.values() ?? [])].every((p) => !p.muted));
  });

  it('kicks one participant, then everyone', async () => {
    h.sim.join('200', { num: '1001', name: 'Alice' });
    h.sim.join('200', { num: '1002', name: 'Bob' });
    h.sim.join('200', { num: '1003', name: 'Carol' });
    await until(h.conn, (s) => names(s, '200').length === 3);
    await h.conn.kick('200', { kind: 'one', text: 'alice' });
    await until(h.conn, (s) => !names(s, '200').includes('Alice'));
    const kicked = await h.conn.kick('200', { kind: 'all' });
    expect(kicked.map((p) => p.callerName)).toEqual(['Bob', 'Carol']);
    await until(h.conn, (s) => names(s, '200').length === 0);
  });

  it('locks and unlocks a room', async () => {
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => s.rooms.has('200'));
    await h.conn.lock('200', true);
    expect(h.conn.state().rooms.get('200')?.locked).toBe(true);
    expect(h.sim.rooms().find((r) => r.name === '200')?.locked).toBe(true);
    expect(h.changes).toContainEqual({ type: 'locked', pbx: 'sim', room: '200', on: true });
    await h.conn.lock('200', false);
    expect(h.sim.rooms().find((r) => r.name === '200')?.locked).toBe(false);
    expect(h.conn.state().rooms.get('200')?.locked).toBe(false);
  });

  it(dialect === 'confbridge' ? 'starts and stops recording' : 'refuses recording, which MeetMe cannot toggle', async () => {
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => s.rooms.has('200'));
    if (dialect !== 'confbridge') {
      const err = await rejection(h.conn.record('200', true));
      expect(isBotError(err, 'action_refused')).toBe(true);
      return;
    }
    await h.conn.record('200', true);
    await until(h.conn, (s) => s.rooms.get('200')?.recording === true);
    const again = await rejection(h.conn.record('200', true));
    expect(isBotError(again, 'action_refused')).toBe(true);
    expect((again as Error & { userMessage: string }).userMessage).not.toMatch(/already being recorded/);
    await h.conn.record('200', false);
    await until(h.conn, (s) => s.rooms.get('200')?.recording === false);
  });

  it('turns muzak and the stream on and off without listing them as participants', async () => {
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => s.rooms.has('200'));
    await h.conn.muzak('200', true);
    const on = await until(h.conn, (s) => s.rooms.get('200')?.muzak?.uniqueid !== undefined);
    expect(names(on, '200')).toEqual(['Alice']);
    await h.conn.stream('200', true);
    await until(h.conn, (s) => s.rooms.get('200')?.stream?.uniqueid !== undefined);
    expect(h.sim.rooms().find((r) => r.name === '200')?.participants).toHaveLength(3);
    await h.conn.muzak('200', false);
    await until(h.conn, (s) => s.rooms.get('200')?.muzak === undefined);
    await h.conn.stream('200', false);
    const off = await until(h.conn, (s) => s.rooms.get('200')?.stream === undefined);
    expect(names(off, '200')).toEqual(['Alice']);
    // On when the originate starts (and again when its channel is bound), off once: never a stale status.
    const muzak = h.changes.filter((c) => c.type === 'muzak').map((c) => 'on' in c && c.on);
    expect(muzak.indexOf(false)).toBe(muzak.length - 1);
    expect(muzak[0]).toBe(true);
  });

  it('invites a number with progress, and reports a busy one as failed', async () => {
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => s.rooms.has('200'));
    const seen: string[] = [];
    const ok = await h.conn.invite('200', '5551234', (p) => seen.push(p.state));
    expect(ok.state).toBe('answered');
    expect(seen).toEqual(['pending', 'answered']);
    await until(h.conn, (s) => names(s, '200').length === 2);
    const busy = await h.conn.invite('200', '486');
    expect(busy).toMatchObject({ state: 'failed', reason: 'busy' });
    const bad = await rejection(h.conn.invite('200', '123\r\nAction: Originate'));
    expect(isBotError(bad, 'bad_input')).toBe(true);
  });

  it('transfers a participant out of the room', async () => {
    const alice = h.sim.join('200', { num: '1001', name: 'Alice' });
    h.sim.join('200', { num: '1002', name: 'Bob' });
    await until(h.conn, (s) => names(s, '200').length === 2);
    const moved = await h.conn.transfer('200', 'alice', { exten: 'hold', context: undefined });
    expect(moved.uniqueid).toBe(alice.uniqueid);
    await until(h.conn, (s) => !names(s, '200').includes('Alice'));
    expect(h.sim.channel(alice.uniqueid)).toMatchObject({ context: 'default', exten: 'hold' });
  });

  it('sets and reads a participant topic, reflecting it in state', async () => {
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => names(s, '200').length === 1);
    const p = await h.conn.setTopic('200', 'alice', 'Q3 pricing');
    expect(p.topic).toBe('Q3 pricing');
    expect(h.changes).toContainEqual(expect.objectContaining({ type: 'topic', participant: expect.objectContaining({ topic: 'Q3 pricing' }) }));
    const got = await h.conn.getTopic('200', 'alice');
    expect(got.topic).toBe('Q3 pricing');
    expect(h.sim.channel(p.uniqueid)?.variables['MEETME_TOPIC']).toBe('Q3 pricing');
  });

  it('reads a channel variable', async () => {
    const alice = h.sim.join('200', { num: '1001', name: 'Alice', tech: 'PJSIP' });
    await until(h.conn, (s) => names(s, '200').length === 1);
    expect(await h.conn.getChannelVar(alice.channel, 'CHANNEL(pjsip,call-id)')).toBe(alice.callId);
  });

  it('rejects bad input with typed errors', async () => {
    h.sim.join('200', { num: '1001', name: 'Tim' });
    h.sim.join('200', { num: '1002', name: 'Timothy' });
    h.sim.join('200', { num: '1003', name: 'Tina' });
    await until(h.conn, (s) => names(s, '200').length === 3);
    const code = async (p: Promise<unknown>): Promise<string | undefined> => {
      const err = await rejection(p);
      return isBotError(err) ? err.code : undefined;
    };
    expect(await code(h.conn.mute('404', { kind: 'one', text: 'tim' }, true))).toBe('room_not_found');
    expect(await code(h.conn.kick('200', { kind: 'one', text: 'nobody' }))).toBe('participant_not_found');
    expect(await code(h.conn.mute('200', { kind: 'one', text: 'ti' }, true))).toBe('ambiguous_participant');
    expect(await code(h.conn.mute('200', { kind: 'one', text: '#abc' }, true))).toBe('bad_input');
    expect(await code(h.conn.kick('200', { kind: 'one', text: 'tim\r\nAction: Hangup' }))).toBe('bad_input');
    expect(await code(h.conn.room('200\n'))).toBe('room_not_found');
    expect(await code(h.conn.transfer('200', 'tim', { exten: 'x y', context: undefined }))).toBe('bad_input');
    const amb = await rejection(h.conn.resolve('200', 'ti'));
    expect((amb as { candidates: string[] }).candidates).toHaveLength(3);
    expect(names(h.conn.state(), '200')).toHaveLength(3);
  });
});
