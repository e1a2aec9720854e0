import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, Conversation } from '../../src/core/adapter.ts';
import { StatusService } from '../../src/core/status.ts';
import type { StatusView } from '../../src/core/views.ts';
import { openStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/types.ts';
import { FakeAdapter, FakeClock, FakeDirectory, fakeRender, participant, visible } from './status-fakes.ts';

const conv: Conversation = { platform: 'slack', id: 'C1' };
const alice: Actor = { platform: 'slack', userId: 'U1', displayName: 'alice', groups: [] };

/** One bot process: its own adapter connection, store handle and status service. */
interface Process {
  readonly adapter: FakeAdapter;
  readonly store: Store;
  readonly service: StatusService;
}

describe('StatusService across a restart', () => {
  let dir: string;
  let clock: FakeClock;
  let directory: FakeDirectory;
  const processes: Process[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meetme-status-'));
    clock = new FakeClock();
    directory = new FakeDirectory(clock);
  });
  afterEach(async () => {
    for (const p of processes.splice(0)) {
      await p.service.stop();
      await p.store.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** `pbx` stands for the new process's own link to the PBX (by default one that stays up across the restart). */
  async function boot(keepEndedSec = 3600, pbx: FakeDirectory = directory): Promise<Process> {
    const adapter = new FakeAdapter(clock);
    const store = await openStore({ dataDir: dir, clock });
    const service = new StatusService({ directory: pbx, adapters: new Map([['slack', adapter]]), store, render: fakeRender, clock, keepEndedSec });
    await service.start();
    const p = { adapter, store, service };
    processes.push(p);
    return p;
  }

  async function shutdown(p: Process): Promise<void> {
    processes.splice(processes.indexOf(p), 1);
    await p.service.stop();
    await p.store.close();
  }

  function truth(pbx: FakeDirectory = directory): StatusView {
    const state = pbx.state();
    return fakeRender({ pbx: 'pbx1', roomName: '200', room: state.rooms.get('200'), available: state.available, since: state.since, now: clock.now() });
  }

  it('stores the new ref of a message the platform re-posted (replaceRef), so a restart edits the new message', async () => {
    const first = await boot();
    directory.join('200', participant('200', 1));
    await first.service.watch('pbx1', '200', conv, alice);
    const old = first.adapter.posts[0]?.ref;
    if (old === undefined) throw new Error('not posted');
    const reposted = { ...old, id: `${old.id}-reposted` };
    first.service.replaceRef(old, reposted);
    directory.join('200', participant('200', 2));
    await clock.advance(2000);
    await first.service.idle();
    expect(first.adapter.edits.map((e) => e.ref)).toEqual([reposted]);
    await shutdown(first);

    directory.mute('200', participant('200', 1).uniqueid, true);
    await clock.advance(10_000);
    const second = await boot();
    await second.service.idle();
    expect(second.adapter.posts).toEqual([]);
    expect(second.adapter.edits.map((e) => e.ref)).toEqual([reposted]);
  });

  it('edits the existing message after a restart instead of posting a new one', async () => {
    const first = await boot();
    directory.join('200', participant('200', 1));
    await first.service.watch('pbx1', '200', conv, alice);
    const ref = first.adapter.posts[0]?.ref;
    await clock.advance(2000);
    await shutdown(first);

    directory.join('200', participant('200', 2));
    directory.mute('200', participant('200', 1).uniqueid, true);
    await clock.advance(10_000);

    const second = await boot();
    await second.service.idle();
    expect(second.adapter.posts).toEqual([]);
    expect(second.adapter.edits.map((e) => e.ref)).toEqual([ref]);
    expect(visible(second.adapter.edits[0]?.view)).toEqual(visible(truth()));

    directory.join('200', participant('200', 3));
    await clock.advance(1000);
    expect(visible(second.adapter.lastViewOf(ref?.id ?? ''))).toEqual(visible(truth()));
  });

  it('gives a room that ended while the bot was down its final summary', async () => {
    const first = await boot();
    const start = clock.now();
    directory.join('200', participant('200', 1, { callerName: 'Tim', callerNum: '701' }));
    await first.service.watch('pbx1', '200', conv, alice);
    await clock.advance(30_000);
    directory.join('200', participant('200', 2, { callerName: 'Ann', callerNum: '702' }));
    first.service.noteAction('pbx1', '200', 'alice muted Tim (701)');
    await clock.advance(30_000);
    await shutdown(first);

    directory.removeSilently('200');
    await clock.advance(600_000);

    const second = await boot();
    await second.service.idle();
    expect(second.adapter.posts).toEqual([]);
    const final = second.adapter.edits.at(-1)?.view as StatusView;
    expect(final.ended).toMatchObject({ peakSize: 2, attendees: ['Tim (701)', 'Ann (702)'], actions: ['alice muted Tim (701)'] });
    // The end is estimated from the last sign of life before the restart, never from the restart itself.
    expect(final.ended?.durationSec).toBeGreaterThanOrEqual(30);
    expect(final.ended?.durationSec).toBeLessThanOrEqual((clock.now() - start) / 1000 - 600);
    expect(final.buttons).toEqual([]);
  });

  it('waits for the reconnected PBX to be reconciled before calling a missing room ended', async () => {
    const first = await boot();
    directory.join('200', participant('200', 1));
    await first.service.watch('pbx1', '200', conv, alice);
    await shutdown(first);

    directory.removeSilently('200');
    directory.down();
    directory.up();
    const second = await boot();
    await clock.advance(1000);
    expect(second.adapter.attempts).toEqual([]);

    directory.join('200', participant('200', 1));
    await clock.advance(10_000);
    const last = second.adapter.lastViewOf(first.adapter.posts[0]?.ref.id ?? '') as StatusView;
    expect(last.ended).toBeUndefined();
    expect(visible(last)).toEqual(visible(truth()));
  });

  it('calls a missing room ended once the reconnected PBX has had time to reconcile', async () => {
    const first = await boot();
    directory.join('200', participant('200', 1, { callerName: 'Tim', callerNum: '701' }));
    await first.service.watch('pbx1', '200', conv, alice);
    await shutdown(first);

    directory.removeSilently('200');
    directory.down();
    directory.up();
    const second = await boot();
    await clock.advance(4000);
    expect(second.adapter.attempts).toEqual([]);
    await clock.advance(2000);
    expect((second.adapter.edits.at(-1)?.view as StatusView).ended).toMatchObject({ attendees: ['Tim (701)'] });
  });

  it('shows the unreachable banner while the PBX link is not up yet at resume, then the true state, never "ended"', async () => {
    const first = await boot();
    directory.join('200', participant('200', 1));
    await first.service.watch('pbx1', '200', conv, alice);
    await clock.advance(2000);
    await shutdown(first);
    await clock.advance(10_000);

    const relinking = new FakeDirectory(clock, { available: false });
    const second = await boot(3600, relinking);
    await second.service.idle();
    const ref = first.adapter.posts[0]?.ref.id ?? '';
    expect(second.adapter.posts).toEqual([]);
    const waiting = second.adapter.lastViewOf(ref) as StatusView;
    expect(waiting.banner).toBe(`PBX unreachable since ${relinking.state().since}`);
    expect(waiting.buttons).toEqual([]);

    await clock.advance(3000);
    relinking.up();
    relinking.join('200', participant('200', 1));
    relinking.join('200', participant('200', 2));
    await clock.advance(10_000);
    expect(visible(second.adapter.lastViewOf(ref))).toEqual(visible(truth(relinking)));
    expect(second.adapter.edits.map((e) => (e.view as StatusView).ended)).toEqual(second.adapter.edits.map(() => undefined));
  });

  it('gives a room that ended while the bot was down its summary once the late PBX link has reconciled', async () => {
    const first = await boot();
    const start = clock.now();
    directory.join('200', participant('200', 1, { callerName: 'Tim', callerNum: '701' }));
    await first.service.watch('pbx1', '200', conv, alice);
    await clock.advance(30_000);
    directory.join('200', participant('200', 2, { callerName: 'Ann', callerNum: '702' }));
    await clock.advance(30_000);
    const downAt = clock.now();
    await shutdown(first);
    await clock.advance(600_000);

    const relinking = new FakeDirectory(clock, { available: false });
    const second = await boot(3600, relinking);
    await second.service.idle();
    const ref = first.adapter.posts[0]?.ref.id ?? '';
    expect((second.adapter.lastViewOf(ref) as StatusView).banner).toBe(`PBX unreachable since ${relinking.state().since}`);

    await clock.advance(2000);
    // The re-listing finds no room 200: within the grace that may still be an incomplete listing.
    relinking.up();
    await clock.advance(4000);
    expect((second.adapter.lastViewOf(ref) as StatusView).ended).toBeUndefined();
    await clock.advance(2000);
    const final = second.adapter.lastViewOf(ref) as StatusView;
    expect(final.ended).toMatchObject({ peakSize: 2, attendees: ['Tim (701)', 'Ann (702)'] });
    // The banner edit at resume is no sign of life: the end estimate stays before the shutdown.
    expect(final.ended?.durationSec).toBeGreaterThanOrEqual(30);
    expect(final.ended?.durationSec).toBeLessThanOrEqual((downAt - start) / 1000);
    expect(final.buttons).toEqual([]);
  });

  it('forgets a summary older than keepEndedSec without editing it', async () => {
    const first = await boot(60);
    directory.join('200', participant('200', 1));
    await first.service.watch('pbx1', '200', conv, alice);
    directory.end('200');
    await clock.advance(1000);
    await shutdown(first);

    await clock.advance(61_000);
    const second = await boot(60);
    await second.service.idle();
    expect(second.adapter.attempts).toEqual([]);
    expect(await second.store.watches.list()).toEqual([]);
  });

  it('re-delivers a recent summary after a restart', async () => {
    const first = await boot(60);
    directory.join('200', participant('200', 1, { callerName: 'Tim', callerNum: '701' }));
    await first.service.watch('pbx1', '200', conv, alice);
    directory.end('200');
    await shutdown(first);

    await clock.advance(10_000);
    const second = await boot(60);
    await clock.advance(1000);
    expect(second.adapter.posts).toEqual([]);
    expect((second.adapter.edits.at(-1)?.view as StatusView).ended).toMatchObject({ attendees: ['Tim (701)'] });
    await clock.advance(50_000);
    expect(await second.store.watches.list()).toEqual([]);
  });
});
