import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/core/bot.ts';
import type { RoomDirectory } from '../../src/core/dispatcher.ts';
import { StatusService } from '../../src/core/status.ts';
import type { StatusView } from '../../src/core/views.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { actor, inbound, RecordingAdapter } from './fakes.ts';
import { FakeAdapter, FakeClock, FakeDirectory, participant } from './status-fakes.ts';

/** `watch` ahead of a room's start, through the bot and the real status service and renderer. */

const running: StatusService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

describe('watching a room before it starts', () => {
  it('posts "has not started yet" (not "ended") and turns live when the room starts', async () => {
    const clock = new FakeClock();
    const fakes = new FakeDirectory(clock);
    const directory: RoomDirectory = Object.assign(fakes, {
      findRoom: (name: string) => (fakes.state().rooms.has(name) ? { pbx: fakes.pbx, room: name } : undefined),
    });
    const chat = new FakeAdapter(clock, { name: 'test' });
    const watch = new StatusService({ directory, adapters: new Map([['test', chat]]), store: new MemoryStore(), clock, keepEndedSec: 60, random: () => 0.5 });
    await watch.start();
    running.push(watch);
    const bot = new Bot({ directory, grants: [], watch, now: () => clock.now() });
    const replies = new RecordingAdapter();
    const ctx = { ...inbound(actor('viewer')), conversation: { platform: 'test', id: 'c1' } };
    await bot.handlersFor(replies).command(ctx, 'watch 900');

    expect(replies.sent).toEqual([]);
    const posted = chat.posts[0]?.view as StatusView;
    expect(posted).toMatchObject({ kind: 'status', room: '900', ended: undefined, banner: 'Room 900 has not started yet' });

    fakes.join('900', participant('900', 1, { callerName: 'Tim' }));
    await clock.advance(2000);
    const live = chat.lastViewOf(chat.posts[0]?.ref.id ?? '') as StatusView;
    expect(live).toMatchObject({ count: 1, ended: undefined, banner: undefined });
    expect(live.rows.map((r) => r.name)).toEqual(['Tim']);
  });
});
