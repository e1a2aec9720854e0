import { afterEach, describe, expect, it } from 'vitest';
import type { AmiHeader } from '../../src/ami/message.ts';
import { isBotError } from '../../src/errors.ts';
import type { EmbeddedPbx } from '../../src/sim/pbx/index.ts';
import { names, rejection, startHarness, until, type Harness } from './sim-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The last action named `action` the PBX received. */
function lastAction(sim: EmbeddedPbx, action: string): ReadonlyMap<string, string> {
  const found = [...sim.received].reverse().find((a) => a.some(([k, v]) => k === 'Action' && v === action));
  return new Map((found ?? []).map(([k, v]: AmiHeader) => [k, v]));
}

const MUZAK = { channel: 'Local/moh@lobby', context: 'confs', exten: '{room}', timeoutMs: 1000 };

describe('muzak originate', () => {
  it("passes the template's dial timeout, so a dial slower than the action timeout still succeeds", async () => {
    h = await startHarness('confbridge', { config: { actionTimeoutMs: 200, muzak: MUZAK }, sim: { originateDelayMs: 500 } });
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => s.rooms.has('200'));
    await h.conn.muzak('200', true);
    expect(lastAction(h.sim, 'Originate').get('Timeout')).toBe('1000');
    const s = await until(h.conn, (st) => st.rooms.get('200')?.muzak?.uniqueid !== undefined);
    expect(names(s, '200')).toEqual(['Alice']);
  });

  it('still recognises a muzak channel that joins after the bot stopped waiting for it', async () => {
    h = await startHarness('confbridge', { config: { actionTimeoutMs: 200, muzak: MUZAK }, sim: { originateDelayMs: 1500 } });
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => s.rooms.has('200'));
    const err = await rejection(h.conn.muzak('200', true));
    expect(isBotError(err, 'outcome_unknown')).toBe(true);
    expect(h.conn.state().rooms.get('200')?.muzak).toBeUndefined();
    const s = await until(h.conn, (st) => st.rooms.get('200')?.muzak?.uniqueid !== undefined);
    expect(names(s, '200')).toEqual(['Alice']);
    expect(h.changes.filter((c) => c.type === 'joined').map((c) => ('participant' in c ? c.participant.callerName : ''))).toEqual(['Alice']);
    // Shown while starting, cleared when the wait ran out, shown again when the channel joined.
    expect(h.changes.filter((c) => c.type === 'muzak').map((c) => 'on' in c && c.on)).toEqual([true, false, true]);
  });
});

describe('invite', () => {
  it("dials with the template's priority", async () => {
    h = await startHarness('confbridge', {
      config: { invite: { channel: 'PJSIP/{number}', context: 'confs', exten: '{room}', priority: 3, timeoutMs: 2000 } },
    });
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (s) => s.rooms.has('200'));
    await h.conn.invite('200', '5551234');
    expect(lastAction(h.sim, 'Originate').get('Priority')).toBe('3');
  });
});
