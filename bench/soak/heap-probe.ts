import { writeHeapSnapshot } from 'node:v8';
import { parseArgs } from 'node:util';
import { runSoak } from './soak.ts';

/**
 * `node --expose-gc --import tsx bench/soak/heap-probe.ts --minutes M --every S --dir D`: the soak
 * with a heap snapshot at each of its settled readings (after warm-up, every S seconds, at the end;
 * each after the harness logs are dropped and a forced GC), for heap-diff.mjs to compare.
 */

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '6' },
    every: { type: 'string', default: '150' },
    dir: { type: 'string', default: '.' },
    seed: { type: 'string', default: '1' },
  },
});
const result = await runSoak({
  durationMs: Number(values.minutes) * 60_000,
  rooms: 50,
  rate: 500,
  seed: Number(values.seed),
  settledEveryMs: Number(values.every) * 1000,
  progress: (line) => process.stderr.write(`${line}\n`),
  onSettledHeap: (label) => {
    const file = writeHeapSnapshot(`${values.dir}/soak-${label}.heapsnapshot`);
    process.stderr.write(`heap snapshot (${label}): ${file}\n`);
  },
});
for (const d of [...result.details, ...result.notes]) process.stderr.write(`${d}\n`);
for (const f of result.figures) process.stdout.write(`${f.label}: ${f.value}\n`);
