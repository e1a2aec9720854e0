import { afterEach, describe, expect, it } from 'vitest';
import { encodeAction } from '../../src/core/actions.ts';
import type { Actor, Conversation } from '../../src/core/adapter.ts';
import { StatusService } from '../../src/core/status.ts';
import type { StatusView } from '../../src/core/views.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { FakeAdapter, FakeClock, FakeDirectory, fakeRender, participant } from './status-fakes.ts';

const conv: Conversation = { platform: 'slack', id: 'C1', workspace: 'T1' };
const alice: Actor = { platform: 'slack', userId: 'U1', displayName: 'alice', groups: [] };

const running: StatusService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function setup() {
  const clock = new FakeClock();
  const directory = new FakeDirectory(clock);
  const adapter = new FakeAdapter(clock, { maxRowsPerPage: 2 });
  const service = new StatusService({ directory, adapters: new Map([['slack', adapter]]), store: new MemoryStore(), render: fakeRender, clock, random: () => 0.5 });
  await service.start();
  running.push(service);
  for (let n = 1; n <= 5; n++) directory.join('200', participant('200', n));
  await service.watch('pbx1', '200', conv, alice);
  const ref = adapter.posts[0]?.ref;
  if (ref === undefined) throw new Error('nothing posted');
  const shown = (): StatusView => adapter.lastViewOf(ref.id) as StatusView;
  return { clock, directory, adapter, service, ref, shown };
}

describe('StatusService: pages of a live status message', () => {
  it('posts page 1 of the adapter\'s row budget, with a Next page button', async () => {
    const s = await setup();
    expect(s.shown().paging).toMatchObject({ page: 0, pageCount: 3, first: 1, shown: 2, total: 5 });
    expect(s.shown().paging?.buttons.map((b) => b.id)).toEqual([encodeAction({ kind: 'page', pbx: 'pbx1', room: '200', page: 1 })]);
  });

  it('re-renders the pressed message on page 2, and a later live change keeps page 2', async () => {
    const s = await setup();
    expect(s.service.showPage(s.ref, 1)).toBe(true);
    await s.clock.advance(1000);
    expect(s.shown().paging).toMatchObject({ page: 1, first: 3, shown: 2 });
    expect(s.shown().rows.map((r) => r.key)).toEqual([participant('200', 3).uniqueid, participant('200', 4).uniqueid]);

    s.directory.mute('200', participant('200', 3).uniqueid, true);
    await s.clock.advance(1000);
    await s.service.idle();
    expect(s.adapter.edits.length).toBeGreaterThanOrEqual(2);
    expect(s.shown().paging?.page).toBe(1);
    expect(s.shown().rows[0]?.muted).toBe(true);
  });

  it('clamps the chosen page when the room shrinks', async () => {
    const s = await setup();
    s.service.showPage(s.ref, 2);
    await s.clock.advance(1000);
    expect(s.shown().paging?.page).toBe(2);
    s.directory.leave('200', participant('200', 5).uniqueid);
    await s.clock.advance(1000);
    await s.service.idle();
    expect(s.shown().paging).toMatchObject({ page: 1, pageCount: 2, first: 3, shown: 2 });
  });

  it('answers false for a message it does not keep, so the bot redraws that one itself', async () => {
    const s = await setup();
    expect(s.service.showPage({ ...s.ref, id: 'elsewhere' }, 1)).toBe(false);
  });
});
