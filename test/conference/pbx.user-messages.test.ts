import { afterEach, describe, expect, it } from 'vitest';
import { ActionRefusedError, RoomNotFoundError } from '../../src/conference/errors.ts';
import { rejection, startHarness, until, type Harness } from './sim-harness.ts';

/**
 * Messages any moderator may read name no config key and no room they did not type: the keys go to
 * the admin hint (the core shows it to admins only), the room list to the core to filter.
 */

const CONFIG_WORDS = /pbxs\[|\bconfig\b/;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harnessWithout(missing: Record<string, unknown>): Promise<Harness> {
  const started = await startHarness('confbridge', { config: missing });
  started.sim.join('200', { num: '1001', name: 'Alice' });
  started.sim.join('board', { num: '1002', name: 'Bob' });
  await until(started.conn, (s) => s.rooms.has('200') && s.rooms.has('board'));
  return started;
}

async function refusal(p: Promise<unknown>): Promise<ActionRefusedError> {
  const err = await rejection(p);
  if (!(err instanceof ActionRefusedError)) throw new Error(`expected ActionRefusedError, got ${String(err)}`);
  return err;
}

describe('PbxConnection: features that are not set up', () => {
  it('says invite is not set up for the PBX, with the config key in the admin hint and the log message only', async () => {
    h = await harnessWithout({ invite: undefined });
    const err = await refusal(h.conn.invite('200', '5551234'));
    expect(err.userMessage).toBe('Invite is not set up for PBX sim; an admin must configure it.');
    expect(err.adminHint).toBe('Set pbxs[].invite for PBX sim in the config.');
    expect(err.message).toContain('pbxs[].invite');
  });

  it('says music and streaming are not set up without naming pbxs[].muzak or .stream', async () => {
    h = await harnessWithout({ muzak: undefined, stream: undefined });
    const muzak = await refusal(h.conn.muzak('200', true));
    expect(muzak.userMessage).toBe('Music is not set up for PBX sim; an admin must configure it.');
    expect(muzak.adminHint).toContain('pbxs[].muzak');
    const stream = await refusal(h.conn.stream('200', true));
    expect(stream.userMessage).toBe('Streaming is not set up for PBX sim; an admin must configure it.');
    expect(stream.adminHint).toContain('pbxs[].stream');
  });

  it('says a room has no caller queue, or cannot bring callers in, without naming pbxs[].lobbies or .invite', async () => {
    h = await harnessWithout({ invite: undefined, lobbies: { '200': { type: 'conference', conference: '299' } } });
    const noQueue = await refusal(h.conn.bringIn('board', '1'));
    expect(noQueue.userMessage).toBe('Room board has no caller queue; an admin must set one up.');
    expect(noQueue.adminHint).toContain('pbxs[].lobbies.board');
    const noTarget = await refusal(h.conn.bringIn('200', '1'));
    expect(noTarget.userMessage).toBe('Bringing callers in is not set up for room 200; an admin must configure it.');
    expect(noTarget.adminHint).toContain('pbxs[].lobbies.200.target');
    for (const err of [noQueue, noTarget]) expect(err.userMessage).not.toMatch(CONFIG_WORDS);
  });
});

describe('PbxConnection: a room that is not there', () => {
  it('names no other room in its own message, and hands the core every room to filter by grant', async () => {
    h = await harnessWithout({});
    const err = await rejection(h.conn.lock('gone', true));
    if (!(err instanceof RoomNotFoundError)) throw new Error(`expected RoomNotFoundError, got ${String(err)}`);
    expect(err.userMessage).toBe('No active room "gone".');
    expect(err.active).toEqual(['200', 'board']);
    expect(err.listing((r) => r === 'board').userMessage).toBe('No active room "gone". Active rooms: board.');
  });
});
