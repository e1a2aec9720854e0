import { describe, expect, it } from 'vitest';
import { MessageGoneError, PlatformError, PlatformRateLimitedError } from '../../src/core/adapter-errors.ts';
import { EditScheduler, type EditSchedulerOptions } from '../../src/core/edit-scheduler.ts';
import { RateLimitScopes, type ScopedBackoff } from '../../src/core/rate-limit-scopes.ts';
import type { BotError } from '../../src/errors.ts';
import { FakeClock, settle } from './status-fakes.ts';

const WORKSPACE = { kind: 'workspace', key: 'chat.update' } as const;

/** The backoff of a message in workspace T1, channel C1. */
function sharedBackoff(): ScopedBackoff {
  return new RateLimitScopes(new FakeClock()).forMessage('slack', { platform: 'slack', id: 'C1', workspace: 'T1' });
}

interface Harness {
  readonly clock: FakeClock;
  readonly scheduler: EditScheduler;
  /** Clock time at which each send started. */
  readonly sends: number[];
  readonly failures: { err: BotError; retryInMs: number | undefined }[];
  readonly gone: MessageGoneError[];
  /** Errors the next sends reject with, in order. */
  readonly failWith: Error[];
  /** Per-send latency on the fake clock. */
  latencyMs: number;
}

function harness(over: Partial<EditSchedulerOptions> = {}): Harness {
  const clock = new FakeClock();
  const h: Harness = {
    clock, sends: [], failures: [], gone: [], failWith: [], latencyMs: 0,
    scheduler: undefined as unknown as EditScheduler,
  };
  const scheduler = new EditScheduler({
    clock, minIntervalMs: 1000, minorIntervalMs: 3000, backoffBaseMs: 1000, maxBackoffMs: 8000, random: () => 1 - 1e-9,
    lastWriteAt: undefined,
    send: async () => {
      h.sends.push(clock.now());
      if (h.latencyMs > 0) await new Promise<void>((resolve) => clock.setTimeout(resolve, h.latencyMs));
      const err = h.failWith.shift();
      if (err !== undefined) throw err;
      return 'sent' as const;
    },
    onGone: (err) => h.gone.push(err),
    onFailure: (err, retryInMs) => h.failures.push({ err, retryInMs }),
    ...over,
  });
  return Object.assign(h, { scheduler });
}

describe('EditScheduler', () => {
  it("starts an idle message's first edit at once", () => {
    const h = harness();
    h.scheduler.request('major');
    expect(h.sends).toEqual([h.clock.now()]);
  });

  it('keeps the interval after the post when the message was just written', async () => {
    const h = harness({ lastWriteAt: new FakeClock().now() });
    h.scheduler.request('major');
    expect(h.sends).toEqual([]);
    await h.clock.advance(1000);
    expect(h.sends).toHaveLength(1);
  });

  it('coalesces a burst into one edit per interval', async () => {
    const h = harness();
    const t0 = h.clock.now();
    for (let i = 0; i < 50; i++) {
      h.scheduler.request('major');
      await h.clock.advance(40);
    }
    await h.clock.advance(2000);
    // 50 requests over 2 s: an edit at 0, 1000, 2000 (the last one showing the latest state).
    expect(h.sends.map((t) => t - t0)).toEqual([0, 1000, 2000]);
  });

  it('has at most one edit in flight and sends the latest state after it', async () => {
    const h = harness();
    h.latencyMs = 1500;
    h.scheduler.request('major');
    await h.clock.advance(100);
    h.scheduler.request('major');
    h.scheduler.request('major');
    await h.clock.advance(1000);
    expect(h.sends).toHaveLength(1);
    await h.clock.advance(400);
    expect(h.sends).toHaveLength(2);
    await h.clock.advance(5000);
    expect(h.sends).toHaveLength(2);
  });

  it('sends talking-only changes at the longer interval', async () => {
    const h = harness();
    const t0 = h.clock.now();
    h.scheduler.request('major');
    for (let i = 0; i < 100; i++) {
      h.scheduler.request('minor');
      await h.clock.advance(50);
    }
    await h.clock.advance(3000);
    expect(h.sends.map((t) => t - t0)).toEqual([0, 3000, 6000]);
  });

  it('never delays a join/leave/mute edit behind talking churn', async () => {
    const h = harness();
    h.scheduler.request('major');
    const t0 = h.clock.now();
    await h.clock.advance(400);
    for (let i = 0; i < 10; i++) {
      h.scheduler.request('minor');
      await h.clock.advance(20);
    }
    // A join at t0+600: the platform interval ends at t0+1000; talking churn must not push it later.
    h.scheduler.request('major');
    for (let i = 0; i < 20; i++) {
      h.scheduler.request('minor');
      await h.clock.advance(50);
    }
    expect(h.sends.map((t) => t - t0)).toEqual([0, 1000]);
  });

  it('retries after the Retry-After of a 429 and keeps the state pending', async () => {
    const h = harness();
    h.failWith.push(new PlatformRateLimitedError('slack', 2500, WORKSPACE));
    h.scheduler.request('major');
    const t0 = h.clock.now();
    await h.clock.advance(2499);
    expect(h.sends).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.sends.map((t) => t - t0)).toEqual([0, 2500]);
    expect(h.failures).toEqual([{ err: expect.any(PlatformRateLimitedError), retryInMs: 2500 }]);
    await h.scheduler.idle();
  });

  it('backs off exponentially on transient errors, capped, then resets after a success', async () => {
    const h = harness();
    const transient = () => new PlatformError('slack', '503', true);
    h.failWith.push(transient(), transient(), transient(), transient(), transient());
    h.scheduler.request('major');
    const t0 = h.clock.now();
    await h.clock.advance(60_000);
    // random() just under 1 gives the full delay: 1000, 2000, 4000, 8000, 8000 (capped).
    expect(h.sends.map((t) => t - t0)).toEqual([0, 1000, 3000, 7000, 15_000, 23_000]);
    expect(h.failures.map((f) => f.retryInMs)).toEqual([1000, 2000, 4000, 8000, 8000]);
    h.failWith.push(transient());
    h.scheduler.request('major');
    await h.clock.advance(60_000);
    expect(h.failures.at(-1)?.retryInMs).toBe(1000);
  });

  it('does not retry a permanent refusal until the next change', async () => {
    const h = harness();
    h.failWith.push(new PlatformError('slack', 'invalid_blocks', false));
    h.scheduler.request('major');
    await h.clock.advance(10_000);
    expect(h.sends).toHaveLength(1);
    expect(h.failures[0]?.retryInMs).toBeUndefined();
    h.scheduler.request('major');
    expect(h.sends).toHaveLength(2);
  });

  it('closes itself when the message is gone and sends nothing more', async () => {
    const h = harness();
    h.failWith.push(new MessageGoneError('slack', 'message_not_found'));
    h.scheduler.request('major');
    await settle();
    expect(h.gone).toHaveLength(1);
    expect(h.scheduler.closed).toBe(true);
    h.scheduler.request('major');
    await h.clock.advance(5000);
    expect(h.sends).toHaveLength(1);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('flushes a pending edit at once on shutdown', async () => {
    const h = harness();
    h.scheduler.request('major');
    h.scheduler.request('major');
    expect(h.sends).toHaveLength(1);
    await h.scheduler.flush();
    expect(h.sends).toHaveLength(2);
    h.scheduler.close();
    expect(h.clock.pendingTimers).toBe(0);
  });

  it("skips the shutdown flush while the message's Retry-After block is in force", async () => {
    const h = harness();
    h.failWith.push(new PlatformRateLimitedError('slack', 5000, WORKSPACE));
    h.scheduler.request('major');
    await settle();
    await h.scheduler.flush();
    expect(h.sends).toHaveLength(1);
    h.scheduler.close();
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('flushes when the shared block has already ended', async () => {
    const shared = sharedBackoff();
    const h = harness({ sharedBackoff: shared });
    h.scheduler.request('major');
    h.scheduler.request('major');
    shared.extend(WORKSPACE, h.clock.now() - 1);
    await h.scheduler.flush();
    expect(h.sends).toHaveLength(2);
  });

  it('skips the shutdown flush while a sibling message has the shared scope blocked', async () => {
    const shared = sharedBackoff();
    const h = harness({ sharedBackoff: shared });
    h.scheduler.request('major');
    h.scheduler.request('major');
    shared.extend(WORKSPACE, h.clock.now() + 3000);
    await h.scheduler.flush();
    expect(h.sends).toHaveLength(1);
  });

  it('still flushes during a transient-error backoff (only Retry-After blocks the flush)', async () => {
    const h = harness();
    h.failWith.push(new PlatformError('slack', '503', true));
    h.scheduler.request('major');
    await settle();
    await h.scheduler.flush();
    expect(h.sends).toHaveLength(2);
  });

  it("waits for a sibling's Retry-After before its next edit, and still keeps its own interval", async () => {
    const shared = sharedBackoff();
    const a = harness({ sharedBackoff: shared });
    const t0 = a.clock.now();
    const b = harness({
      sharedBackoff: shared, clock: a.clock,
      send: async () => {
        b.sends.push(a.clock.now());
        if (b.sends.length === 1) throw new PlatformRateLimitedError('slack', 2500, WORKSPACE);
        return 'sent' as const;
      },
    });
    a.scheduler.request('major');
    b.scheduler.request('major');
    await settle();
    a.scheduler.request('major');
    await a.clock.advance(5000);
    expect(b.sends.map((t) => t - t0)).toEqual([0, 2500]);
    expect(a.sends.map((t) => t - t0)).toEqual([0, 2500]);
    // A block that ends before this message's own interval does not let it edit early.
    a.scheduler.request('major');
    shared.extend(WORKSPACE, a.clock.now() + 100);
    a.scheduler.request('major');
    await a.clock.advance(5000);
    expect(a.sends.map((t) => t - t0)).toEqual([0, 2500, 5000, 6000]);
  });

  it('lets the next edit go at once after one that found nothing to change', async () => {
    let outcome: 'sent' | 'unchanged' = 'sent';
    const sends: number[] = [];
    const h = harness({
      send: async () => {
        sends.push(h.clock.now());
        return outcome;
      },
    });
    const t0 = h.clock.now();
    h.scheduler.request('major');
    await h.clock.advance(2000);
    outcome = 'unchanged';
    h.scheduler.request('major');
    await settle();
    outcome = 'sent';
    h.scheduler.request('major');
    await settle();
    expect(sends.map((t) => t - t0)).toEqual([0, 2000, 2000]);
  });
});
