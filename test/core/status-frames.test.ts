import { afterEach, describe, expect, it } from 'vitest';
import type { Actor, Conversation } from '../../src/core/adapter.ts';
import { StatusService } from '../../src/core/status.ts';
import type { StatusView, StatusViewInput } from '../../src/core/views.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/types.ts';
import { FakeAdapter, FakeClock, FakeDirectory, participant } from './status-fakes.ts';

/** Which frames a status message goes through: no edit repeats the last one, no frame shows an empty room's buttons. */

const conv: Conversation = { platform: 'slack', id: 'C1', workspace: 'T1' };
const alice: Actor = { platform: 'slack', userId: 'U1', displayName: 'alice', groups: [] };

const running: StatusService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

interface World {
  readonly clock: FakeClock;
  readonly directory: FakeDirectory;
  readonly store: Store;
}

function world(): World {
  const clock = new FakeClock();
  return { clock, directory: new FakeDirectory(clock), store: new MemoryStore() };
}

/** One bot process on `w` with the real status view (so time moves what it shows). */
async function boot(w: World, render?: (input: StatusViewInput) => StatusView): Promise<{ adapter: FakeAdapter; service: StatusService }> {
  const adapter = new FakeAdapter(w.clock);
  const service = new StatusService({
    directory: w.directory, adapters: new Map([['slack', adapter]]), store: w.store, clock: w.clock, keepEndedSec: 3600,
    random: () => 0.5, ...(render === undefined ? {} : { render }),
  });
  await service.start();
  running.push(service);
  return { adapter, service };
}

async function shutdown(service: StatusService): Promise<void> {
  running.splice(running.indexOf(service), 1);
  await service.stop();
}

function statusView(view: unknown): StatusView {
  expect(view).toMatchObject({ kind: 'status' });
  return view as StatusView;
}

describe('status edits: never the same edit twice', () => {
  it('sends nothing when a re-list after a reconnect shows the room as it was', async () => {
    const w = world();
    const { adapter, service } = await boot(w);
    w.directory.join('200', participant('200', 1));
    await service.watch('pbx1', '200', conv, alice);
    w.directory.join('200', participant('200', 2));
    await w.clock.advance(2000);
    expect(adapter.attempts).toHaveLength(1);

    await w.clock.advance(10_000);
    w.directory.relist('200');
    await w.clock.advance(5000);
    expect(adapter.attempts).toHaveLength(1);

    w.directory.mute('200', '1700000000.1', true);
    await w.clock.advance(2000);
    expect(adapter.attempts).toHaveLength(2);
    expect(statusView(adapter.attempts[1]?.view).rows[0]?.muted).toBe(true);
  });

  it('sends nothing when a join and its leave fall within one edit interval', async () => {
    const w = world();
    const { adapter, service } = await boot(w);
    w.directory.join('200', participant('200', 1));
    await service.watch('pbx1', '200', conv, alice);
    // Within the platform interval after the post: the edit waits, and by then the room is as posted.
    w.directory.join('200', participant('200', 2));
    await w.clock.advance(500);
    w.directory.leave('200', '1700000000.2');
    await w.clock.advance(5000);
    expect(adapter.attempts).toEqual([]);
  });

  it('does not edit a restored summary again after a restart', async () => {
    const w = world();
    const first = await boot(w);
    w.directory.join('200', participant('200', 1, { callerName: 'Tim', callerNum: '701' }));
    await first.service.watch('pbx1', '200', conv, alice);
    await w.clock.advance(30_000);
    w.directory.end('200');
    await w.clock.advance(2000);
    expect(statusView(first.adapter.edits.at(-1)?.view).ended).toBeDefined();
    await shutdown(first.service);

    await w.clock.advance(60_000);
    const second = await boot(w);
    await second.service.idle();
    await w.clock.advance(5000);
    expect(second.adapter.attempts).toEqual([]);
    expect(second.adapter.posts).toEqual([]);
  });

  it('does not edit a restored live message whose room is unchanged, and edits it on the next change', async () => {
    const w = world();
    const first = await boot(w);
    w.directory.join('200', participant('200', 1));
    await first.service.watch('pbx1', '200', conv, alice);
    w.directory.join('200', participant('200', 2));
    await w.clock.advance(2000);
    await shutdown(first.service);

    await w.clock.advance(20_000);
    const second = await boot(w);
    await second.service.idle();
    expect(second.adapter.attempts).toEqual([]);

    w.directory.leave('200', '1700000000.2');
    await w.clock.advance(2000);
    expect(second.adapter.edits).toHaveLength(1);
    expect(statusView(second.adapter.edits[0]?.view).count).toBe(1);
  });

  it('still sends the banner that retires a message whose last edit is current', async () => {
    const w = world();
    const { adapter, service } = await boot(w);
    w.directory.join('200', participant('200', 1));
    await service.watch('pbx1', '200', conv, alice);
    await w.clock.advance(2000);
    await service.unwatch('pbx1', '200', conv);
    await w.clock.advance(2000);
    expect(adapter.edits).toHaveLength(1);
    expect(statusView(adapter.edits[0]?.view).banner).toBe('No longer updated.');
  });
});

describe('status frames of an empty room', () => {
  it('shows "starting" without room buttons between the start and the first join', async () => {
    const w = world();
    const { adapter, service } = await boot(w);
    w.directory.open('200');
    await service.watch('pbx1', '200', conv, alice);
    const posted = statusView(adapter.posts[0]?.view);
    expect(posted).toMatchObject({ count: 0, notStarted: true, banner: 'Room 200 is starting', buttons: [], rows: [] });

    w.directory.join('200', participant('200', 1));
    await w.clock.advance(2000);
    expect(statusView(adapter.edits.at(-1)?.view).buttons.map((b) => b.label)).toEqual(['Lock', 'Mute all']);
  });

  it('shows "ending" without room buttons between the last leave and the end, then the summary', async () => {
    const w = world();
    const { adapter, service } = await boot(w);
    w.directory.join('200', participant('200', 1));
    await service.watch('pbx1', '200', conv, alice);
    await w.clock.advance(5000);
    w.directory.leave('200', '1700000000.1');
    await w.clock.advance(2000);
    const between = statusView(adapter.edits.at(-1)?.view);
    expect(between).toMatchObject({ count: 0, notStarted: true, banner: 'Room 200 is ending', buttons: [], rows: [] });

    w.directory.end('200');
    await w.clock.advance(2000);
    expect(statusView(adapter.edits.at(-1)?.view).ended).toBeDefined();
    for (const edit of adapter.edits) {
      const view = statusView(edit.view);
      if (view.count === 0) expect(view.buttons).toEqual([]);
    }
  });
});
