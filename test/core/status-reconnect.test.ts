import { afterEach, describe, expect, it } from 'vitest';
import { PlatformRateLimitedError } from '../../src/core/adapter-errors.ts';
import type { Actor, Conversation } from '../../src/core/adapter.ts';
import { EditScheduler } from '../../src/core/edit-scheduler.ts';
import { StatusService } from '../../src/core/status.ts';
import type { StatusView } from '../../src/core/views.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { FakeAdapter, FakeClock, FakeDirectory, fakeRender, participant, settle, visible } from './status-fakes.ts';

/**
 * The edit that corrects the "PBX unreachable" banner once the link is back goes out as soon as the
 * state is rebuilt, not one edit interval after the banner; a Retry-After and the per-message budget
 * still hold it back.
 */

const conv: Conversation = { platform: 'slack', id: 'C1', workspace: 'T1' };
const alice: Actor = { platform: 'slack', userId: 'U1', displayName: 'alice', groups: [] };
const WORKSPACE = { kind: 'workspace', key: 'chat.update' } as const;

const running: StatusService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function watched(): Promise<{ clock: FakeClock; directory: FakeDirectory; adapter: FakeAdapter; ref: string }> {
  const clock = new FakeClock();
  const directory = new FakeDirectory(clock);
  // A platform that allows 5 edits of a message in any 5 s, like Discord's per-message bucket.
  const adapter = new FakeAdapter(clock, { minEditIntervalMs: 1000, messageLimit: { edits: 5, perMs: 5000 } });
  const service = new StatusService({ directory, adapters: new Map([['slack', adapter]]), store: new MemoryStore(), render: fakeRender, clock, random: () => 0.5 });
  await service.start();
  running.push(service);
  directory.join('200', participant('200', 1));
  await service.watch('pbx1', '200', conv, alice);
  await clock.advance(5000);
  return { clock, directory, adapter, ref: adapter.posts[0]?.ref.id ?? '' };
}

function truth(directory: FakeDirectory, clock: FakeClock): StatusView {
  const state = directory.state();
  return fakeRender({ pbx: 'pbx1', roomName: '200', room: state.rooms.get('200'), available: state.available, since: state.since, now: clock.now() });
}

describe('correcting edit after reconnect', () => {
  it('goes out as soon as the link is back, not one edit interval after the banner', async () => {
    const { clock, directory, adapter, ref } = await watched();
    directory.down();
    await settle();
    const bannerAt = clock.now();
    expect((adapter.lastViewOf(ref) as StatusView).banner).toBeDefined();

    await clock.advance(200);
    directory.join('200', participant('200', 2));
    directory.up();
    await settle();
    expect(adapter.editsOf(ref).map((e) => e.at - bannerAt)).toEqual([0, 200]);
    expect(visible(adapter.lastViewOf(ref))).toEqual(visible(truth(directory, clock)));
    expect(adapter.rateLimited).toBe(0);
  });

  it("still waits for a Retry-After the banner edit got", async () => {
    const { clock, directory, adapter, ref } = await watched();
    adapter.failNext(new PlatformRateLimitedError('slack', 3000, WORKSPACE));
    directory.down();
    await settle();
    const downAt = clock.now();
    await clock.advance(200);
    directory.join('200', participant('200', 2));
    directory.up();
    await settle();
    expect(adapter.editsOf(ref)).toEqual([]);
    await clock.advance(2799);
    expect(adapter.editsOf(ref)).toEqual([]);
    await clock.advance(1);
    expect(adapter.editsOf(ref).map((e) => e.at - downAt)).toEqual([3000]);
    expect(visible(adapter.lastViewOf(ref))).toEqual(visible(truth(directory, clock)));
  });
});

describe('EditScheduler prompt edits', () => {
  it('skip the interval but keep the per-message budget of 5 edits in 5 intervals', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const sends: number[] = [];
    const scheduler = new EditScheduler({
      clock, minIntervalMs: 1000, minorIntervalMs: 3000, backoffBaseMs: 1000, maxBackoffMs: 8000, random: () => 0.5, lastWriteAt: undefined,
      send: async () => {
        sends.push(clock.now() - t0);
        return 'sent';
      },
      onGone: () => undefined, onFailure: () => undefined,
    });
    for (let i = 0; i < 8; i++) {
      scheduler.request('prompt');
      await settle();
      await clock.advance(10);
    }
    await clock.advance(5000 - (clock.now() - t0));
    // Five at once, then the budget: one more when the oldest leaves the 5 s window.
    expect(sends).toEqual([0, 10, 20, 30, 40, 5000]);
    // An ordinary edit after a prompt one keeps the interval.
    scheduler.request('major');
    await clock.advance(999);
    expect(sends).toHaveLength(6);
    await clock.advance(1);
    expect(sends.at(-1)).toBe(6000);
  });
});
