import type { Clock, TimerHandle } from '../../src/core/clock.ts';

/** Lets every queued promise callback run (a send/then/finally chain, a socket's close handling). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface FakeTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * A clock whose time moves only when a test advances it; due timers run in order. Code under test
 * that also does real I/O (loopback sockets) schedules its timers after that I/O: `nextTimer()`
 * waits for one to be set instead of guessing how long the I/O takes.
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: FakeTimer[] = [];
  #onSet: (() => void)[] = [];

  constructor(start = Date.UTC(2026, 0, 5, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, due: this.#now + Math.max(0, ms), fn };
    this.#timers.push(timer);
    for (const wake of this.#onSet.splice(0)) wake();
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Delays of the pending timers from now, soonest first. */
  pendingDelays(): number[] {
    return this.#timers.map((t) => t.due - this.#now).sort((a, b) => a - b);
  }

  /**
   * Resolves with the delay of the soonest pending timer, once there is one whose delay satisfies
   * `accept` (every timer by default): at once if one is pending, else when one is set.
   */
  async nextTimer(accept: (delayMs: number) => boolean = () => true): Promise<number> {
    for (;;) {
      const found = this.pendingDelays().find(accept);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => this.#onSet.push(resolve));
    }
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
