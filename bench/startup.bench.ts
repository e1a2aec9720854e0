/**
 * Start-up: time and resident memory from process start to "ready" (the `meetme-bot started` log
 * line) for the default embedded run (embedded PBX and sensor, shell adapter, SQLite store), beside a
 * bare `node -e` that prints the same line, measured in the same run. The compiled entry point is
 * measured too when `npm run build` has produced dist/bin.js.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const READY = 'meetme-bot started';
const RUNS = Number(process.env['STARTUP_BENCH_RUNS'] ?? '5');

interface Start {
  readonly ms: number;
  /** kB, from /proc (undefined where there is none). */
  readonly rssKb: number | undefined;
}

function rssKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** This environment without any setting that would move the bot off its default embedded run. */
function defaultEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(AMI|SENSOR|SLACK|DISCORD|MEETME|LISTEN|REDIS|OPS)_/.test(key)));
}

/** Spawns `args`, waits for the ready line on stdout or stderr, samples RSS, then closes stdin (the shell's quit). */
function startOnce(args: readonly string[]): Promise<Start> {
  const cwd = mkdtempSync(join(tmpdir(), 'meetme-startup-'));
  return new Promise<Start>((resolve, reject) => {
    const begun = performance.now();
    const child = spawn(process.execPath, args, {
      cwd, stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...defaultEnv(), LISTEN_PORT: '0', LOG_LEVEL: 'info' },
    });
    let seen = '';
    let result: Start | undefined;
    const onData = (chunk: Buffer) => {
      if (result !== undefined) return;
      seen += chunk.toString('utf8');
      if (!seen.includes(READY)) return;
      result = { ms: performance.now() - begun, rssKb: child.pid === undefined ? undefined : rssKb(child.pid) };
      child.stdin.end();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => {
      rmSync(cwd, { recursive: true, force: true });
      if (result === undefined) reject(new Error(`${args.join(' ')} exited (${code}) before "${READY}":\n${seen.slice(-2000)}`));
      else resolve(result);
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function measure(label: string, args: readonly string[]): Promise<{ ms: number; rssKb: number }> {
  const runs: Start[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await startOnce(args));
  const ms = median(runs.map((r) => r.ms));
  const rss = median(runs.map((r) => r.rssKb ?? Number.NaN));
  console.log(`${label}: ready after ${ms.toFixed(0)} ms (median of ${RUNS}), RSS at ready ${Number.isNaN(rss) ? 'n/a' : `${(rss / 1024).toFixed(1)} MB`}`);
  return { ms, rssKb: rss };
}

export async function run(): Promise<void> {
  const bare = await measure('bare node -e', ['-e', `process.stdout.write(${JSON.stringify(`${READY}\n`)}); process.stdin.resume();`]);
  const ratio = (label: string, m: { ms: number; rssKb: number }) =>
    console.log(`  ${label} / bare node: time ${(m.ms / bare.ms).toFixed(1)}×, RSS ${(m.rssKb / bare.rssKb).toFixed(1)}×`);
  ratio('src/bin.js (tsx)', await measure('default embedded run, node src/bin.js', [join(root, 'src/bin.js')]));
  const compiled = join(root, 'dist/bin.js');
  if (existsSync(compiled)) ratio('dist/bin.js', await measure('default embedded run, node dist/bin.js', [compiled]));
  else console.log('  (dist/bin.js absent: `npm run build` first to measure the compiled entry point too)');
}
