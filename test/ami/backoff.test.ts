import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../src/ami/backoff.ts';

const noJitter = { ...DEFAULT_BACKOFF, jitter: 0 };

describe('backoffDelay', () => {
  it('retries fast first, then doubles up to the cap', () => {
    expect([0, 1, 2, 3, 8, 9, 20, 1000].map((a) => backoffDelay(a, noJitter))).toEqual([100, 200, 400, 800, 25_600, 30_000, 30_000, 30_000]);
  });

  it('spreads delays by the jitter fraction both ways', () => {
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 0)).toBe(320);
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 1)).toBe(480);
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 0.5)).toBe(400);
  });

  it('never exceeds the cap nor drops below half the initial delay, so it cannot loop hot', () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      for (const r of [0, 0.25, 0.999]) {
        const d = backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 30_000, factor: 2, jitter: 0.9 }, () => r);
        expect(d).toBeGreaterThanOrEqual(50);
        expect(d).toBeLessThanOrEqual(30_000);
      }
    }
  });
});
