/**
 * Run counts for the fuzz suites: the CI count by default, and `FUZZ_SCALE` times that under
 * `npm run fuzz` (100×). Seeds are printed by fast-check on a failure, so a run can be replayed.
 */
export function runs(ciCount: number): number {
  const scale = Number(process.env['FUZZ_SCALE'] ?? '1');
  return Math.max(1, Math.round(ciCount * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** Rough heap growth guard: runs `fn` many times and returns the heap growth in bytes. */
export function heapGrowth(fn: () => void, times: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < times; i += 1) fn();
  gc?.();
  return process.memoryUsage().heapUsed - before;
}
