import { afterEach, describe, expect, it } from 'vitest';
import type { AmiHeader } from '../../src/ami/message.ts';
import type { AmiLink } from '../../src/ami/types.ts';
import { meetmeDialect } from '../../src/conference/meetme.ts';
import type { Participant } from '../../src/conference/types.ts';
import { isBotError } from '../../src/errors.ts';
import type { EmbeddedPbx } from '../../src/sim/pbx/index.ts';
import { names, rejection, startHarness, until, type Harness } from './sim-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function field(headers: readonly AmiHeader[], key: string): string | undefined {
  return headers.find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
}

/** Actions the PBX received from `mark` on, as `Action` or `Action:Conference`. */
function actionsSince(sim: EmbeddedPbx, mark: number): string[] {
  return sim.received.slice(mark).map((a) => {
    const conference = field(a, 'Conference');
    return `${field(a, 'Action') ?? ''}${conference === undefined ? '' : `:${conference}`}`;
  });
}

function participant(harness: Harness, room: string, uniqueid: string): Participant | undefined {
  return harness.conn.state().rooms.get(room)?.participants.get(uniqueid);
}

describe('MeetMe list answers as app_meetme writes them', () => {
  it('comes up available when MeetmeListRooms says Marked: N/A (no marked user)', async () => {
    h = await startHarness('meetme', { beforeStart: (sim) => sim.join('200', { num: '1001', name: 'Alice' }) });
    expect(h.conn.available).toBe(true);
    expect(h.conn.dialect).toBe('meetme');
    expect(names(h.conn.state(), '200')).toEqual(['Alice']);
  });

  it('keeps a caller without a name nameless: MeetmeList says <no name>', async () => {
    h = await startHarness('meetme', { beforeStart: (sim) => sim.join('200', { num: '1001' }) });
    const listed = [...(h.conn.state().rooms.get('200')?.participants.values() ?? [])];
    expect(listed.map((p) => [p.callerNum, p.callerName])).toEqual([['1001', undefined]]);
  });

  it('records who muted from MeetmeList: By self for a mute from the phone, By admin for the bot', async () => {
    h = await startHarness('meetme');
    const hh = h;
    const tim = h.sim.join('200', { num: '701', name: 'Tim' });
    const ann = h.sim.join('200', { num: '702', name: 'Ann' });
    await until(h.conn, (s) => names(s, '200').length === 2);
    h.sim.mute(tim.uniqueid, true);
    await until(h.conn, () => participant(hh, '200', tim.uniqueid)?.mutedBy === 'self');
    await h.conn.mute('200', { kind: 'one', text: 'ann' }, true);
    await until(h.conn, () => participant(hh, '200', ann.uniqueid)?.mutedBy === 'admin');
    await h.conn.resync();
    expect([participant(h, '200', tim.uniqueid)?.mutedBy, participant(h, '200', ann.uniqueid)?.mutedBy]).toEqual(['self', 'admin']);
  });
});

describe('a MeetMe join burst', () => {
  it('re-lists only the joined room with MeetmeList, without MeetmeListRooms or Status', async () => {
    h = await startHarness('meetme', { beforeStart: (sim) => sim.join('300', { num: '2001', name: 'Other' }) });
    const hh = h;
    const mark = h.sim.received.length;
    const boss = h.sim.join('200', { num: '1001', name: 'Boss', admin: true, marked: true });
    h.sim.join('200', { num: '1002', name: 'Guest' });
    await until(h.conn, () => participant(hh, '200', boss.uniqueid)?.admin === true);
    expect(participant(h, '200', boss.uniqueid)?.marked).toBe(true);
    expect(actionsSince(h.sim, mark)).toEqual(['MeetmeList:200']);
    expect(names(h.conn.state(), '300')).toEqual(['Other']);
  });

  it('tells listeners that a joiner turned out to be a moderator (an `updated` record)', async () => {
    h = await startHarness('meetme');
    const hh = h;
    const boss = h.sim.join('200', { num: '1001', name: 'Boss', admin: true });
    await until(h.conn, () => participant(hh, '200', boss.uniqueid)?.admin === true);
    const updated = h.changes.filter((c) => c.type === 'updated');
    expect(updated.map((c) => ('participant' in c ? [c.participant.callerName, c.participant.admin] : []))).toEqual([['Boss', true]]);
  });
});

describe('reconciliation that fails while the link is up', () => {
  it('is retried with backoff until the PBX shows available', async () => {
    h = await startHarness('meetme', {
      config: { dialect: 'meetme' },
      beforeStart: (sim) => {
        sim.join('200', { num: '1001', name: 'Alice' });
        sim.setActionBehaviour('MeetmeListRooms', { fail: 'Internal error' });
      },
    });
    expect(h.conn.available).toBe(false);
    // Nothing else re-lists here (no resync timer, the link stays up): only the retry can bring it up.
    h.sim.setActionBehaviour('MeetmeListRooms', undefined);
    const s = await until(h.conn, (st) => st.available);
    expect(names(s, '200')).toEqual(['Alice']);
    expect(h.changes.map((c) => c.type)).toContain('pbx_up');
    expect(actionsSince(h.sim, 0).filter((a) => a === 'MeetmeListRooms').length).toBeGreaterThanOrEqual(2);
  });

  it('is retried after a list action times out', async () => {
    h = await startHarness('meetme', { config: { dialect: 'meetme', actionTimeoutMs: 150 } });
    const hh = h;
    h.sim.join('200', { num: '1001', name: 'Alice' });
    await until(h.conn, (st) => names(st, '200').length === 1);
    h.sim.setActionBehaviour('MeetmeList', { delayMs: 400 });
    const bob = h.sim.join('200', { num: '1002', name: 'Bob', admin: true });
    await h.conn.resync();
    expect(participant(h, '200', bob.uniqueid)?.admin).toBe(false);
    h.sim.setActionBehaviour('MeetmeList', undefined);
    await until(h.conn, () => participant(hh, '200', bob.uniqueid)?.admin === true);
  });
});

describe('dialect detection on a PBX that runs both ConfBridge and MeetMe', () => {
  it('picks MeetMe when only MeetMe has active rooms', async () => {
    h = await startHarness('meetme', { sim: { alsoLoaded: 'confbridge' }, beforeStart: (sim) => sim.join('200', { num: '1001', name: 'Alice' }) });
    expect(h.conn.dialect).toBe('meetme');
    expect(names(h.conn.state(), '200')).toEqual(['Alice']);
  });

  it('starts on ConfBridge when neither has rooms, and switches once only MeetMe has some', async () => {
    h = await startHarness('meetme', { sim: { alsoLoaded: 'confbridge' } });
    expect(h.conn.dialect).toBe('confbridge');
    h.sim.join('200', { num: '1001', name: 'Alice', admin: true });
    await until(h.conn, (s) => names(s, '200').length === 1);
    await h.conn.resync();
    expect(h.conn.dialect).toBe('meetme');
    expect(names(h.conn.state(), '200')).toEqual(['Alice']);
    expect([...(h.conn.state().rooms.get('200')?.participants.values() ?? [])][0]?.admin).toBe(true);
  });
});

describe('MeetMe mute of a participant without a user number', () => {
  it('is refused as a PBX state problem (action_refused), not as bad input', async () => {
    const unused = {} as unknown as AmiLink;
    const p = { channel: 'SIP/701-00000001', usernum: undefined } as unknown as Participant;
    const err = await rejection(meetmeDialect(unused).mute('200', p, true));
    expect(isBotError(err, 'action_refused')).toBe(true);
    expect((err as { userMessage: string }).userMessage).toMatch(/user number of SIP\/701-00000001/);
  });
});
