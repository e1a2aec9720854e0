import { parseArgs } from 'node:util';
import { runSoak } from './soak.ts';

/**
 * `npm run soak -- --minutes N [--rooms R] [--rate E] [--seed S]`: prints one figure a line and
 * exits 1 when any of the first five (crashes, unhandled rejections, wrong final messages,
 * duplicate posts, actions lost) is not 0.
 */

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    rooms: { type: 'string', default: '50' },
    rate: { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
  },
});

function bounded(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a number from ${min} to ${max}\n`);
    process.exit(2);
  }
  return n;
}

const minutes = bounded('minutes', values.minutes, 0.5, 24 * 60);
const result = await runSoak({
  durationMs: minutes * 60_000,
  rooms: bounded('rooms', values.rooms, 1, 500),
  rate: bounded('rate', values.rate, 1, 5000),
  seed: bounded('seed', values.seed, 0, 2 ** 31),
  progress: (line) => process.stderr.write(`${line}\n`),
});
for (const d of [...result.details, ...result.notes]) process.stderr.write(`${d}\n`);
for (const f of result.figures) process.stdout.write(`${f.label}: ${f.value}\n`);
process.exit(result.passed ? 0 : 1);
