import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Conversation, MessageRef } from '../../src/core/adapter.ts';
import type { Clock } from '../../src/core/clock.ts';
import { StatusService, StatusStoppedError, type StatusServiceDeps } from '../../src/core/status.ts';
import type { View } from '../../src/core/views.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/types.ts';
import { FakeAdapter, FakeClock, FakeDirectory, fakeRender, participant } from './status-fakes.ts';

/** A shutdown overtaking a command or a start-up: stop() first, the await it interrupted after. */

const c1: Conversation = { platform: 'slack', id: 'C1' };
const c2: Conversation = { platform: 'slack', id: 'C2' };
const alice = { platform: 'slack', userId: 'U1', displayName: 'alice', groups: [] };

/** A FakeAdapter whose next post answers only when the test says so. */
class HeldPostAdapter extends FakeAdapter {
  hold = false;
  #release: (() => void) | undefined;
  #posting: (() => void) | undefined;
  readonly posting = new Promise<void>((resolve) => { this.#posting = resolve; });

  override async post(conversation: Conversation, view: View): Promise<MessageRef> {
    if (this.hold) {
      this.#posting?.();
      await new Promise<void>((resolve) => { this.#release = resolve; });
    }
    return super.post(conversation, view);
  }

  release(): void {
    this.#release?.();
  }
}

/** Every store write, counted from the moment the test arms it (a closed store would throw). */
function countWrites(store: Store): () => number {
  const spies = [
    vi.spyOn(store.watches, 'put'), vi.spyOn(store.watches, 'remove'), vi.spyOn(store.kv, 'set'), vi.spyOn(store.kv, 'delete'),
  ];
  return () => spies.reduce((n, spy) => n + spy.mock.calls.length, 0);
}

const running: StatusService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  vi.restoreAllMocks();
});

function service(deps: Pick<StatusServiceDeps, 'directory' | 'store' | 'clock'> & Partial<StatusServiceDeps>, adapter: FakeAdapter): StatusService {
  const s = new StatusService({ adapters: new Map([['slack', adapter]]), render: fakeRender, keepEndedSec: 60, random: () => 0.5, ...deps });
  running.push(s);
  return s;
}

describe('StatusService lifecycle', () => {
  it('a watch whose post answers after stop() registers nothing, writes nothing and leaves no timer', async () => {
    const clock = new FakeClock();
    const directory = new FakeDirectory(clock);
    const adapter = new HeldPostAdapter(clock);
    const store = new MemoryStore();
    const status = service({ directory, store, clock }, adapter);
    await status.start();
    directory.join('200', participant('200', 1));
    await status.watch('pbx1', '200', c1, alice);
    // The room ends unseen, so the second watch starts its summary's keep timer before it posts.
    directory.removeSilently('200');
    adapter.hold = true;
    const late = status.watch('pbx1', '200', c2, alice);
    await adapter.posting;
    await status.stop();
    const writes = countWrites(store);
    const attempts = adapter.attempts.length;

    adapter.release();
    await expect(late).rejects.toBeInstanceOf(StatusStoppedError);
    await clock.advance(3_600_000);
    expect(clock.pendingTimers).toBe(0);
    expect(writes()).toBe(0);
    expect(adapter.attempts).toHaveLength(attempts);
    expect((await store.watches.list()).map((r) => r.conversation.id)).toEqual(['C1']);
  });

  it('a resume that reads the store past stop() resumes nothing and writes nothing', async () => {
    const clock = new FakeClock();
    const directory = new FakeDirectory(clock);
    const store = new MemoryStore();
    const first = service({ directory, store, clock }, new FakeAdapter(clock));
    await first.start();
    directory.join('200', participant('200', 1));
    await first.watch('pbx1', '200', c1, alice);
    await first.stop();

    const adapter = new FakeAdapter(clock);
    const second = service({ directory, store, clock }, adapter);
    let answer: (() => void) | undefined;
    const list = store.watches.list.bind(store.watches);
    vi.spyOn(store.watches, 'list').mockImplementation(async () => {
      await new Promise<void>((resolve) => { answer = resolve; });
      return list();
    });
    const starting = second.start();
    await vi.waitFor(() => expect(answer).toBeDefined());
    await second.stop();
    const writes = countWrites(store);

    answer?.();
    await starting;
    await clock.advance(3_600_000);
    expect(adapter.attempts).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    expect(writes()).toBe(0);
  });

  it('unrefs the summary keep timer and the recheck timer, so neither holds the process open', async () => {
    const fake = new FakeClock();
    const armed: { ms: number; handle: NodeJS.Timeout }[] = [];
    const clock: Clock = {
      now: () => fake.now(),
      setTimeout: (fn, ms) => {
        const handle = setTimeout(fn, ms);
        armed.push({ ms, handle });
        return handle;
      },
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    };
    const directory = new FakeDirectory(fake);
    const status = service({ directory, store: new MemoryStore(), clock, keepEndedSec: 99, reconcileGraceMs: 7777 }, new FakeAdapter(fake));
    await status.start();
    directory.join('200', participant('200', 1));
    await status.watch('pbx1', '200', c1, alice);
    // Back up without room 200: gone or not yet re-listed, the grace period tells.
    directory.down();
    directory.removeSilently('200');
    directory.up();
    directory.join('201', participant('201', 2));
    await status.watch('pbx1', '201', c1, alice);
    directory.end('201');

    const recheck = armed.filter((t) => t.ms === 7777);
    const keep = armed.filter((t) => t.ms === 99_000);
    expect([recheck.length, keep.length]).toEqual([1, 1]);
    expect([...recheck, ...keep].map((t) => t.handle.hasRef())).toEqual([false, false]);
  });
});
