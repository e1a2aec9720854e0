import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConferenceDirectory } from '../../src/conference/backend.ts';
import type { RoomChange } from '../../src/conference/types.ts';
import { PlatformError, PlatformRateLimitedError } from '../../src/core/adapter-errors.ts';
import type { Actor, Conversation } from '../../src/core/adapter.ts';
import { MOVED_BELOW_BANNER, StatusService, UNWATCHED_BANNER, type StatusServiceDeps } from '../../src/core/status.ts';
import type { StatusView } from '../../src/core/views.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/types.ts';
import { FakeAdapter, FakeClock, FakeDirectory, fakeRender, participant, visible, type FakeAdapterOptions } from './status-fakes.ts';

const conv: Conversation = { platform: 'slack', id: 'C1', workspace: 'T1' };
const WORKSPACE = { kind: 'workspace', key: 'chat.update' } as const;
const alice: Actor = { platform: 'slack', userId: 'U1', displayName: 'alice', groups: [] };

interface Setup {
  readonly clock: FakeClock;
  readonly directory: FakeDirectory;
  readonly adapter: FakeAdapter;
  readonly store: Store;
  readonly service: StatusService;
  readonly logs: Record<string, unknown>[];
}

const running: StatusService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function setup(adapterOptions: FakeAdapterOptions = {}, deps: Partial<StatusServiceDeps> = {}, defaultRender = false): Promise<Setup> {
  const clock = new FakeClock();
  const directory = new FakeDirectory(clock);
  const adapter = new FakeAdapter(clock, adapterOptions);
  const store = new MemoryStore();
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const all: StatusServiceDeps = {
    directory, adapters: new Map([['slack', adapter]]), store, render: fakeRender, clock, keepEndedSec: 60,
    random: () => 0.5, logger: pino({ level: 'info' }, sink), ...deps,
  };
  const { render: _render, ...withoutRender } = all;
  const service = new StatusService(defaultRender ? withoutRender : all);
  await service.start();
  running.push(service);
  return { clock, directory, adapter, store, service, logs };
}

function truth(s: Setup, room = '200'): StatusView {
  const state = s.directory.state();
  return fakeRender({ pbx: 'pbx1', roomName: room, room: state.rooms.get(room), available: state.available, since: state.since, now: s.clock.now() });
}

function statusView(view: unknown): StatusView {
  expect(view).toMatchObject({ kind: 'status' });
  return view as StatusView;
}

/** A small deterministic generator, so a failing burst can be replayed. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe('StatusService', () => {
  it('posts one status message, stores it, and edits it in place on changes', async () => {
    const s = await setup();
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    expect(s.adapter.posts).toHaveLength(1);
    const ref = s.adapter.posts[0]?.ref;
    expect(await s.store.watches.find('pbx1', '200', conv)).toMatchObject({ ref, createdBy: 'U1' });

    s.directory.join('200', participant('200', 2));
    await s.clock.advance(1000);
    expect(s.adapter.posts).toHaveLength(1);
    expect(s.adapter.edits.map((e) => e.ref)).toEqual([ref]);
    expect(visible(s.adapter.lastViewOf(ref?.id ?? ''))).toEqual(visible(truth(s)));
  });

  it('posts each noted action as a thread line under the status message where the platform has threads', async () => {
    const s = await setup();
    const notes: [string, string][] = [];
    s.adapter.postThreadNote = async (ref, text) => {
      notes.push([ref.id, text]);
    };
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    s.service.noteAction('pbx1', '200', 'alice muted Tim (701)');
    s.service.noteAction('pbx1', '201', 'alice locked 201');
    await s.clock.advance(10);
    expect(notes).toEqual([[s.adapter.posts[0]?.ref.id, 'alice muted Tim (701)']]);
  });

  it('re-posts at the bottom on a second show and retires the old message without buttons', async () => {
    const s = await setup();
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(5000);
    await s.service.watch('pbx1', '200', conv, alice);
    await s.service.idle();

    const [first, second] = s.adapter.posts;
    expect(s.adapter.posts).toHaveLength(2);
    const retired = statusView(s.adapter.lastViewOf(first?.ref.id ?? ''));
    expect(retired.banner).toBe(MOVED_BELOW_BANNER);
    expect(retired.buttons).toEqual([]);
    expect(retired.rows.every((r) => r.buttons.length === 0)).toBe(true);
    expect(await s.store.watches.list()).toEqual([expect.objectContaining({ ref: second?.ref })]);

    s.directory.mute('200', participant('200', 1).uniqueid, true);
    await s.clock.advance(2000);
    expect(s.adapter.editsOf(first?.ref.id ?? '')).toHaveLength(1);
    expect(visible(s.adapter.lastViewOf(second?.ref.id ?? ''))).toEqual(visible(truth(s)));
  });

  it('re-posting while an edit of the old message is in flight still retires it last, with the banner and no buttons', async () => {
    const s = await setup({ latencyMs: 300 });
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(5000);
    s.directory.join('200', participant('200', 2));
    expect(s.adapter.attempts).toHaveLength(1);
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(2000);
    await s.service.idle();

    const old = s.adapter.posts[0]?.ref.id ?? '';
    expect(s.adapter.editsOf(old).map((e) => statusView(e.view).banner)).toEqual([undefined, MOVED_BELOW_BANNER]);
    const retired = statusView(s.adapter.lastViewOf(old));
    expect(retired.buttons).toEqual([]);
    expect(retired.rows.every((r) => r.buttons.length === 0)).toBe(true);
    expect(await s.store.watches.list()).toEqual([expect.objectContaining({ ref: s.adapter.posts[1]?.ref })]);
  });

  it('unwatching while an edit is in flight still sends the banner edit last and keeps the watch forgotten', async () => {
    const s = await setup({ latencyMs: 300 });
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(5000);
    s.directory.join('200', participant('200', 2));
    expect(s.adapter.attempts).toHaveLength(1);
    expect(await s.service.unwatch('pbx1', '200', conv)).toBe(true);
    await s.clock.advance(2000);
    await s.service.idle();

    const ref = s.adapter.posts[0]?.ref.id ?? '';
    expect(s.adapter.editsOf(ref).map((e) => statusView(e.view).banner)).toEqual([undefined, UNWATCHED_BANNER]);
    expect(statusView(s.adapter.lastViewOf(ref)).buttons).toEqual([]);
    expect(await s.store.watches.list()).toEqual([]);
    s.directory.join('200', participant('200', 3));
    await s.clock.advance(5000);
    expect(s.adapter.editsOf(ref)).toHaveLength(2);
  });

  it('still sends the banner when the live edit that raced the retire is refused', async () => {
    const s = await setup({ latencyMs: 300 });
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(5000);
    s.adapter.failNext(new PlatformError('slack', 'invalid_blocks', false));
    s.directory.join('200', participant('200', 2));
    await s.service.unwatch('pbx1', '200', conv);
    await s.clock.advance(2000);
    await s.service.idle();
    const ref = s.adapter.posts[0]?.ref.id ?? '';
    expect(s.adapter.editsOf(ref).map((e) => statusView(e.view).banner)).toEqual([UNWATCHED_BANNER]);
  });

  it('holds back every message in the workspace after a 429, until its Retry-After, keeping each message interval', async () => {
    const s = await setup({ minEditIntervalMs: 1000, sharedLimit: { edits: 3, perMs: 1000 } });
    const rooms = ['200', '201', '202', '203', '204', '205'];
    for (const room of rooms) {
      s.directory.join(room, participant(room, 1));
      await s.service.watch('pbx1', room, { platform: 'slack', id: `C${room}`, workspace: 'T1' }, alice);
    }
    await s.clock.advance(5000);
    const uid = participant('200', 1).uniqueid;
    for (let i = 0; i < 240; i++) {
      const room = rooms[i % rooms.length] ?? '200';
      s.directory.mute(room, uid, Math.floor(i / rooms.length) % 2 === 0);
      await s.clock.advance(50);
    }
    await s.clock.advance(20_000);
    await s.service.idle();

    expect(s.adapter.rateLimits.length).toBeGreaterThan(0);
    // Once one message is told to wait, no message of the workspace tries again before that.
    for (const limit of s.adapter.rateLimits) {
      const early = s.adapter.attempts.filter((a) => a.at > limit.at && a.at < limit.at + limit.retryAfterMs);
      expect(early).toEqual([]);
    }
    // Only edits started in the same instant as a 429 can collect one of their own.
    const instants = new Set(s.adapter.rateLimits.map((l) => l.at));
    expect(s.adapter.rateLimits.length).toBeLessThanOrEqual(instants.size * 2);
    for (const post of s.adapter.posts) {
      const times = s.adapter.editsOf(post.ref.id).map((e) => e.at);
      expect(times.every((t, i) => i === 0 || t - (times[i - 1] ?? 0) >= 1000)).toBe(true);
      expect(visible(s.adapter.lastViewOf(post.ref.id))).toEqual(visible(truth(s, statusView(post.view).room)));
    }
  });

  it('keeps a 429 block to its workspace', async () => {
    const s = await setup();
    const t1b: Conversation = { platform: 'slack', id: 'C2', workspace: 'T1' };
    const t2: Conversation = { platform: 'slack', id: 'C3', workspace: 'T2' };
    for (const room of ['200', '201', '202']) s.directory.join(room, participant(room, 1));
    await s.service.watch('pbx1', '200', conv, alice);
    await s.service.watch('pbx1', '201', t1b, alice);
    await s.service.watch('pbx1', '202', t2, alice);
    await s.clock.advance(5000);
    const [inT1, alsoT1, inT2] = s.adapter.posts.map((p) => p.ref.id);

    s.adapter.failNext(new PlatformRateLimitedError('slack', 4000, WORKSPACE));
    s.directory.join('200', participant('200', 2));
    const blockedAt = s.clock.now();
    await s.clock.advance(0);
    s.directory.join('201', participant('201', 2));
    s.directory.join('202', participant('202', 2));
    await s.clock.advance(10);
    expect(s.adapter.editsOf(inT2 ?? '').map((e) => e.at)).toEqual([blockedAt]);
    expect(s.adapter.attempts.filter((a) => a.ref.id === alsoT1)).toEqual([]);
    await s.clock.advance(4000);
    expect(s.adapter.editsOf(alsoT1 ?? '').map((e) => e.at - blockedAt)).toEqual([4000]);
    expect(s.adapter.editsOf(inT1 ?? '').map((e) => e.at - blockedAt)).toEqual([4000]);
  });

  it('keeps a separate message per conversation', async () => {
    const s = await setup();
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    await s.service.watch('pbx1', '200', { platform: 'slack', id: 'C2' }, alice);
    s.directory.join('200', participant('200', 2));
    await s.clock.advance(1000);
    expect(s.adapter.posts).toHaveLength(2);
    for (const post of s.adapter.posts) expect(visible(s.adapter.lastViewOf(post.ref.id))).toEqual(visible(truth(s)));
  });

  it('folds a burst of 500 changes in 2 s into at most ceil(2000/1000)+1 edits that end on the truth', async () => {
    const s = await setup({ minEditIntervalMs: 1000 });
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    const next = lcg(42);
    const present = new Set<number>([1]);
    let n = 2;
    for (let i = 0; i < 500; i++) {
      const r = next();
      const ids = [...present];
      const pick = ids[Math.floor(next() * ids.length)] ?? 1;
      const uid = participant('200', pick).uniqueid;
      if (r < 0.15 || present.size < 2) {
        s.directory.join('200', participant('200', n));
        present.add(n++);
      } else if (r < 0.25) {
        s.directory.leave('200', uid);
        present.delete(pick);
      } else if (r < 0.4) {
        s.directory.mute('200', uid, next() < 0.5);
      } else {
        s.directory.talk('200', uid, next() < 0.5);
      }
      await s.clock.advance(4);
    }
    await s.clock.advance(5000);
    const ref = s.adapter.posts[0]?.ref.id ?? '';
    expect(s.adapter.editsOf(ref).length).toBeLessThanOrEqual(Math.ceil(2000 / 1000) + 1);
    expect(s.adapter.rateLimited).toBe(0);
    expect(visible(s.adapter.lastViewOf(ref))).toEqual(visible(truth(s)));
  });

  it('sends a join at the platform interval even while talking flaps', async () => {
    const s = await setup({ minEditIntervalMs: 1000 }, { talkingIntervalMs: 3000 });
    const speaker = participant('200', 1);
    s.directory.join('200', speaker);
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(5000);
    const ref = s.adapter.posts[0]?.ref.id ?? '';
    const before = s.adapter.editsOf(ref).length;
    for (let i = 0; i < 40; i++) {
      s.directory.talk('200', speaker.uniqueid, i % 2 === 0);
      await s.clock.advance(50);
    }
    const talkingEdits = s.adapter.editsOf(ref).length - before;
    const joinAt = s.clock.now();
    s.directory.join('200', participant('200', 2));
    for (let i = 0; i < 40; i++) {
      s.directory.talk('200', speaker.uniqueid, i % 2 === 0);
      await s.clock.advance(50);
    }
    const joinEdit = s.adapter.editsOf(ref).find((e) => statusView(e.view).count === 2);
    expect(joinEdit).toBeDefined();
    expect((joinEdit?.at ?? Infinity) - joinAt).toBeLessThanOrEqual(1000);
    // Two seconds of flapping alone produced at most one talking-only edit.
    expect(talkingEdits).toBeLessThanOrEqual(1);
  });

  it('shows a final summary without buttons when the room ends, and edits no more', async () => {
    const s = await setup();
    const tim = participant('200', 1, { callerName: 'Tim', callerNum: '701' });
    s.directory.join('200', tim);
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(10_000);
    s.directory.join('200', participant('200', 2, { callerName: 'Ann', callerNum: '702' }));
    s.service.noteAction('pbx1', '200', 'alice muted Tim (701)');
    s.directory.mute('200', tim.uniqueid, true);
    await s.clock.advance(50_000);
    s.directory.leave('200', tim.uniqueid);
    s.directory.end('200');
    await s.clock.advance(1000);

    const ref = s.adapter.posts[0]?.ref.id ?? '';
    const final = statusView(s.adapter.lastViewOf(ref));
    expect(final.ended).toEqual({ durationSec: 60, peakSize: 2, attendees: ['Tim (701)', 'Ann (702)'], actions: ['alice muted Tim (701)'] });
    expect(final.buttons).toEqual([]);
    const edits = s.adapter.edits.length;
    s.directory.join('200', participant('200', 3));
    await s.clock.advance(5000);
    expect(s.adapter.edits).toHaveLength(edits);
  });

  it('shows and stores the label a re-list learned after the join, in the summary and across a restart', async () => {
    const clock = new FakeClock();
    const directory = new FakeDirectory(clock);
    // FakeDirectory has no re-list: the test hands the service the `updated` record a re-list emits.
    const emits: ((changes: readonly RoomChange[]) => void)[] = [];
    const relisting: ConferenceDirectory = {
      pbxIds: () => directory.pbxIds(),
      backend: (pbx) => directory.backend(pbx),
      onChange: (listener) => {
        emits.push(listener);
        return directory.onChange(listener);
      },
    };
    const store = new MemoryStore();
    const boot = async (adapter: FakeAdapter): Promise<StatusService> => {
      const service = new StatusService({ directory: relisting, adapters: new Map([['slack', adapter]]), store, render: fakeRender, clock, keepEndedSec: 60, random: () => 0.5 });
      running.push(service);
      await service.start();
      return service;
    };
    const first = await boot(new FakeAdapter(clock));
    const nameless = participant('200', 2, { callerName: undefined, callerNum: '702' });
    directory.join('200', nameless);
    await first.watch('pbx1', '200', conv, alice);
    const bob = { ...nameless, callerName: 'Bob' };
    for (const emit of emits) emit([{ type: 'updated', pbx: 'pbx1', room: '200', participant: bob }]);
    await first.stop();

    const adapter = new FakeAdapter(clock);
    await boot(adapter);
    directory.end('200');
    await clock.advance(2000);
    const ref = adapter.edits[0]?.ref.id ?? '';
    expect(statusView(adapter.lastViewOf(ref)).ended?.attendees).toEqual(['Bob (702)']);
  });

  it('forgets an ended room after keepEndedSec, deleting its stored history', async () => {
    const s = await setup({}, { keepEndedSec: 60 });
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    s.directory.end('200');
    await s.clock.advance(59_000);
    expect(await s.store.watches.list()).toHaveLength(1);
    expect(await s.store.kv.get('status.history:pbx1:200')).toBeDefined();
    await s.clock.advance(1000);
    await s.service.idle();
    expect(await s.store.watches.list()).toEqual([]);
    expect(await s.store.kv.get('status.history:pbx1:200')).toBeUndefined();
  });

  it('shows a banner while the PBX is unreachable and the true state after reconciliation', async () => {
    const s = await setup();
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(2000);
    s.directory.down();
    await s.clock.advance(1000);
    const ref = s.adapter.posts[0]?.ref.id ?? '';
    const down = statusView(s.adapter.lastViewOf(ref));
    expect(down.banner).toBe(`PBX unreachable since ${s.directory.state().since}`);
    expect(down.buttons).toEqual([]);

    s.directory.up();
    s.directory.join('200', participant('200', 2));
    await s.clock.advance(1000);
    expect(visible(s.adapter.lastViewOf(ref))).toEqual(visible(truth(s)));
    expect(statusView(s.adapter.lastViewOf(ref)).banner).toBeUndefined();
  });

  it('retries a 429 after its Retry-After and never drops the final state', async () => {
    const s = await setup();
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(5000);
    s.adapter.failNext(new PlatformRateLimitedError('slack', 4000, WORKSPACE));
    s.directory.join('200', participant('200', 2));
    await s.clock.advance(3999);
    s.directory.mute('200', participant('200', 2).uniqueid, true);
    await s.clock.advance(1);
    const ref = s.adapter.posts[0]?.ref.id ?? '';
    expect(s.adapter.attempts.filter((a) => a.ref.id === ref).map((a) => a.at - s.adapter.posts[0]!.at)).toEqual([5000, 9000]);
    expect(visible(s.adapter.lastViewOf(ref))).toEqual(visible(truth(s)));
  });

  it('retries 5xx with capped backoff until the final state is shown', async () => {
    const s = await setup({}, { maxBackoffMs: 4000 });
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(5000);
    s.adapter.failNext(...Array.from({ length: 6 }, () => new PlatformError('slack', '503 service unavailable', true)));
    s.directory.join('200', participant('200', 2));
    await s.clock.advance(60_000);
    const ref = s.adapter.posts[0]?.ref.id ?? '';
    const gaps = s.adapter.attempts.map((a, i, all) => a.at - (all[i - 1]?.at ?? a.at)).slice(1);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(4000);
    expect(s.adapter.attempts).toHaveLength(7);
    expect(visible(s.adapter.lastViewOf(ref))).toEqual(visible(truth(s)));
  });

  it('ends the watch cleanly when a person deletes the message', async () => {
    const s = await setup();
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    const ref = s.adapter.posts[0]?.ref.id ?? '';
    s.adapter.deleteMessage(ref);
    s.directory.join('200', participant('200', 2));
    await s.clock.advance(1000);
    await s.service.idle();
    expect(await s.store.watches.list()).toEqual([]);
    s.directory.join('200', participant('200', 3));
    await s.clock.advance(5000);
    expect(s.adapter.attempts).toHaveLength(1);
    expect(s.logs.some((l) => l['msg'] === 'status message was deleted; watch ended' && l['component'] === 'status')).toBe(true);
    expect(await s.service.unwatch('pbx1', '200', conv)).toBe(false);
  });

  it('unwatch leaves a last edit without buttons and forgets the message', async () => {
    const s = await setup();
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    expect(await s.service.unwatch('pbx1', '200', conv)).toBe(true);
    await s.clock.advance(1000);
    const ref = s.adapter.posts[0]?.ref.id ?? '';
    const last = statusView(s.adapter.lastViewOf(ref));
    expect(last.banner).toBe(UNWATCHED_BANNER);
    expect(last.buttons).toEqual([]);
    expect(await s.store.watches.list()).toEqual([]);
    s.directory.join('200', participant('200', 2));
    await s.clock.advance(5000);
    expect(s.adapter.edits).toHaveLength(1);
    expect(await s.service.unwatch('pbx1', '200', conv)).toBe(false);
  });

  it('sends pending edits once on stop and leaves no timers behind', async () => {
    const s = await setup();
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    s.directory.end('200');
    await s.service.stop();
    const ref = s.adapter.posts[0]?.ref.id ?? '';
    expect(s.adapter.attempts.map((a) => a.ref.id)).toEqual([ref]);
    expect(statusView(s.adapter.attempts[0]?.view).ended).toBeDefined();
    expect(s.clock.pendingTimers).toBe(0);
    expect(s.directory.listenerCount).toBe(0);
  });

  it('sends nothing on stop to a message under a Retry-After block', async () => {
    const s = await setup();
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(5000);
    s.adapter.failNext(new PlatformRateLimitedError('slack', 4000, WORKSPACE));
    s.directory.join('200', participant('200', 2));
    await s.clock.advance(10);
    await s.service.stop();
    expect(s.adapter.attempts).toHaveLength(1);
    expect(s.adapter.rateLimited).toBe(0);
    expect(s.clock.pendingTimers).toBe(0);
  });

  it('shows a change that raced the post in a follow-up edit', async () => {
    const s = await setup();
    s.directory.join('200', participant('200', 1));
    const post = s.adapter.post.bind(s.adapter);
    s.adapter.post = async (conversation, view) => {
      s.directory.join('200', participant('200', 2));
      return post(conversation, view);
    };
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(1000);
    expect(visible(s.adapter.lastViewOf(s.adapter.posts[0]?.ref.id ?? ''))).toEqual(visible(truth(s)));
  });

  it('refuses a conversation on a platform it has no adapter for', async () => {
    const s = await setup();
    await expect(s.service.watch('pbx1', '200', { platform: 'discord', id: 'D1' }, alice)).rejects.toMatchObject({ code: 'platform_error' });
    expect(await s.store.watches.list()).toEqual([]);
  });

  it('renders with buildStatusView by default', async () => {
    const s = await setup({}, {}, true);
    const clockText = new Date(s.clock.now()).toISOString().slice(11, 16);
    s.directory.join('200', participant('200', 1));
    await s.service.watch('pbx1', '200', conv, alice);
    s.directory.down();
    await s.clock.advance(1000);
    const view = statusView(s.adapter.lastViewOf(s.adapter.posts[0]?.ref.id ?? ''));
    expect(view.banner).toBe(`PBX unreachable since ${clockText}, reconnecting`);
  });
});
