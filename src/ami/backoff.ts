/** Reconnect pacing: capped exponential backoff with jitter. Pure, so it is tested without timers. */
export interface BackoffOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** Fraction of the delay added or taken away at random (0.2 → ±20 %). */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 100, maxDelayMs: 30_000, factor: 2, jitter: 0.2 };

/**
 * Delay before retry number `attempt` (0 = first retry, which is fast). Never below half the
 * initial delay, so a server that drops us at once cannot make the loop spin.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(opts.maxDelayMs, opts.initialDelayMs * opts.factor ** Math.max(0, attempt));
  const spread = base * opts.jitter * (random() * 2 - 1);
  const floor = Math.max(1, opts.initialDelayMs / 2);
  return Math.round(Math.max(floor, Math.min(opts.maxDelayMs, base + spread)));
}
