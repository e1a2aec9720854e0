import type { Clock, TimerHandle } from '../../src/core/clock.ts';

/**
 * What the status tests drive: the peers shared with the bench (bench/status-fakes.ts, re-exported
 * so tests have one place to import from) and test-only time control.
 */
export {
  FakeAdapter, FakeDirectory, fakeRender, participant, visible, type FakeAdapterOptions, type FakeDirectoryOptions,
  type RateLimitAnswer, type SentEdit,
} from '../../bench/status-fakes.ts';

/** Lets every queued promise callback run (the scheduler's send/then/finally chain). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface FakeTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/** A clock whose time moves only when a test advances it; due timers run in order. */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: FakeTimer[] = [];

  constructor(start = Date.UTC(2026, 0, 5, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, due: this.#now + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, running each timer that falls due (and the promises it starts). */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const next = this.#timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.due);
      next.fn();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}
