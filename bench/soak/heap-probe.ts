import { writeHeapSnapshot } from 'node:v8';
import { parseArgs } from 'node:util';
import { runSoak } from './soak.ts';

/**
 * `node --expose-gc --import tsx bench/soak/heap-probe.ts --minutes M --at 60,240 --dir D`: the
 * soak with a heap snapshot (after a forced GC) at each of the given seconds of the run, for
 * heap-diff.ts to compare.
 */

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '4' },
    at: { type: 'string', default: '60,220' },
    dir: { type: 'string', default: '.' },
    seed: { type: 'string', default: '1' },
  },
});
const started = performance.now();
const pending = values.at.split(',').map(Number).sort((a, b) => a - b);
const gc = (globalThis as { gc?: () => void }).gc;
const result = await runSoak({
  durationMs: Number(values.minutes) * 60_000,
  rooms: 50,
  rate: 500,
  seed: Number(values.seed),
  progress: (line) => process.stderr.write(`${line}\n`),
  extraSteps: [{
    name: 'heap snapshot',
    everyMs: 1000,
    run: () => {
      const due = pending[0];
      if (due === undefined || performance.now() - started < due * 1000) return;
      pending.shift();
      gc?.();
      const file = writeHeapSnapshot(`${values.dir}/soak-${due}s.heapsnapshot`);
      process.stderr.write(`heap snapshot at ${due} s: ${file}\n`);
    },
  }],
});
for (const d of result.details) process.stderr.write(`${d}\n`);
for (const f of result.figures) process.stdout.write(`${f.label}: ${f.value}\n`);
