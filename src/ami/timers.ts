import type { Clock, TimerHandle } from '../core/clock.ts';

/** The client's waits and repeats, on the injected clock. */

/**
 * Runs `tick` every `intervalMs` until the returned stop function is called. The Clock has
 * timeouts only, so each tick sets the next one.
 */
export function repeatEvery(clock: Clock, intervalMs: number, tick: () => void): () => void {
  let handle: TimerHandle | undefined;
  let stopped = false;
  const arm = (): void => {
    handle = clock.setTimeout(() => {
      if (stopped) return;
      arm();
      tick();
    }, intervalMs);
  };
  arm();
  return () => {
    stopped = true;
    if (handle !== undefined) clock.clearTimeout(handle);
  };
}

/** A wait of `ms` that `cancel()` ends early (the reconnect backoff, cut short by `stop()`). */
export function cancellableDelay(clock: Clock, ms: number): { readonly done: Promise<void>; readonly cancel: () => void } {
  let cancel = (): void => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = clock.setTimeout(resolve, ms);
    cancel = () => {
      clock.clearTimeout(timer);
      resolve();
    };
  });
  return { done, cancel };
}

export interface KeepaliveOptions {
  readonly clock: Clock;
  readonly intervalMs: number;
  /** Sends one Ping; rejects when it goes unanswered (or the link went). */
  readonly ping: () => Promise<unknown>;
  /** Whether the link the keepalive was started for is still the live one. */
  readonly isLive: () => boolean;
  readonly onUnanswered: (err: unknown) => void;
}

/** A Ping every `intervalMs` while the link is live, never two at once. Returns the stop function. */
export function startKeepalive(o: KeepaliveOptions): () => void {
  let inFlight = false;
  return repeatEvery(o.clock, o.intervalMs, () => {
    if (inFlight || !o.isLive()) return;
    inFlight = true;
    o.ping()
      .catch((err: unknown) => {
        if (o.isLive()) o.onUnanswered(err);
      })
      .finally(() => {
        inFlight = false;
      });
  });
}
