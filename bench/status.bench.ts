/**
 * Status-message edits under a burst, against a fake chat platform that enforces its per-message
 * edit interval with 429s. Real timers, at the numbers by default: 500 events in 2 s
 * against Slack's 1 edit/s (STATUS_BENCH_SCALE scales the times, e.g. 0.25 for a quicker run).
 * Prints counts and ratios against a naive "edit on every event" baseline measured in the same run.
 */
import { performance } from 'node:perf_hooks';
import type { Actor, Conversation } from '../src/core/adapter.ts';
import { systemClock } from '../src/core/clock.ts';
import { StatusService } from '../src/core/status.ts';
import type { StatusView, StatusViewInput } from '../src/core/views.ts';
import { MemoryStore } from '../src/store/memory.ts';
import { FakeAdapter, FakeDirectory, fakeRender, participant, visible } from './status-fakes.ts';

const scale = Number(process.env['STATUS_BENCH_SCALE'] ?? '1');
const intervalMs = Math.round(1000 * scale);
/**
 * The idle probe waits out a full interval before each of its events; how soon an edit then starts
 * does not depend on the interval's length, so a short one keeps the run short.
 */
const idleIntervalMs = Math.min(intervalMs, 200);
const burstMs = Math.round(2000 * scale);
const events = 500;
const conv: Conversation = { platform: 'slack', id: 'C-bench' };
const actor: Actor = { platform: 'slack', userId: 'U-bench', displayName: 'bench', groups: [] };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/** Applies one pseudo-random change (join, leave, mute or talking) to room 200. */
function changer(directory: FakeDirectory): () => void {
  const next = lcg(7);
  const present = new Set<number>([1]);
  let n = 2;
  return () => {
    const r = next();
    const ids = [...present];
    const pick = ids[Math.floor(next() * ids.length)] ?? 1;
    const uid = participant('200', pick).uniqueid;
    if (r < 0.15 || present.size < 2) {
      directory.join('200', participant('200', n));
      present.add(n++);
    } else if (r < 0.25) {
      directory.leave('200', uid);
      present.delete(pick);
    } else if (r < 0.4) {
      directory.mute('200', uid, next() < 0.5);
    } else {
      directory.talk('200', uid, next() < 0.5);
    }
  };
}

interface Rig {
  readonly directory: FakeDirectory;
  readonly adapter: FakeAdapter;
  readonly service: StatusService;
  /** Event count each rendered view reflects, and when it was rendered (= when its edit started). */
  readonly rendered: WeakMap<object, { readonly version: number; readonly at: number }>;
  version: number;
}

async function rig(editIntervalMs: number): Promise<Rig> {
  const directory = new FakeDirectory(systemClock);
  const adapter = new FakeAdapter(systemClock, { minEditIntervalMs: editIntervalMs });
  const r: Rig = { directory, adapter, rendered: new WeakMap(), version: 0, service: undefined as unknown as StatusService };
  const render = (input: StatusViewInput): StatusView => {
    const view = fakeRender(input);
    r.rendered.set(view, { version: r.version, at: performance.now() });
    return view;
  };
  const service = new StatusService({
    directory, adapters: new Map([['slack', adapter]]), store: new MemoryStore(), render, clock: systemClock,
    talkingIntervalMs: 3000 * scale,
  });
  await service.start();
  directory.join('200', participant('200', 1));
  await service.watch('pbx1', '200', conv, actor);
  return Object.assign(r, { service });
}

function truth(directory: FakeDirectory): StatusView {
  const s = directory.state();
  return fakeRender({ pbx: 'pbx1', roomName: '200', room: s.rooms.get('200'), available: s.available, since: s.since, now: Date.now() });
}

async function burst(): Promise<{ edits: number; rateLimited: number }> {
  const r = await rig(intervalMs);
  await sleep(intervalMs * 1.5);
  const change = changer(r.directory);
  const emittedAt: number[] = [];
  const step = burstMs / events;
  const start = performance.now();
  while (emittedAt.length < events) {
    const due = start + emittedAt.length * step;
    if (performance.now() < due) {
      await sleep(1);
      continue;
    }
    emittedAt.push(performance.now());
    r.version = emittedAt.length;
    change();
  }
  const duration = performance.now() - start;
  await sleep(intervalMs * 2);
  await r.service.idle();

  const ref = r.adapter.posts[0]?.ref.id ?? '';
  const edits = r.adapter.editsOf(ref).map((e) => r.rendered.get(e.view)).filter((x) => x !== undefined);
  const delays = emittedAt.map((t, i) => {
    const first = edits.find((e) => e.version >= i + 1);
    return first === undefined ? Number.POSITIVE_INFINITY : first.at - t;
  }).sort((a, b) => a - b);
  const bound = Math.ceil(duration / intervalMs) + 1;
  const finalOk = JSON.stringify(visible(r.adapter.lastViewOf(ref))) === JSON.stringify(visible(truth(r.directory)));
  const p50 = percentile(delays, 50);
  const p99 = percentile(delays, 99);
  console.log(`burst: ${events} events in ${duration.toFixed(0)} ms, edit interval ${intervalMs} ms (scale ${scale})`);
  console.log(`  edits sent: ${edits.length} (bound ceil(duration/interval)+1 = ${bound}: ${edits.length <= bound ? 'ok' : 'EXCEEDED'}), 429s: ${r.adapter.rateLimited}`);
  console.log(`  final message equals the truth: ${finalOk ? 'yes' : 'NO'}`);
  console.log(`  event → first edit showing it: p50 ${(p50 / intervalMs).toFixed(2)}× interval, p99 ${(p99 / intervalMs).toFixed(2)}× interval`);
  await r.service.stop();
  return { edits: edits.length, rateLimited: r.adapter.rateLimited };
}

async function idle(): Promise<void> {
  const r = await rig(idleIntervalMs);
  const uid = participant('200', 1).uniqueid;
  const delays: number[] = [];
  for (let i = 0; i < 10; i++) {
    await sleep(idleIntervalMs * 1.2);
    const emitted = performance.now();
    r.version += 1;
    r.directory.mute('200', uid, i % 2 === 0);
    await sleep(0);
    const started = r.adapter.attempts.map((a) => r.rendered.get(a.view)).find((x) => x?.version === r.version);
    delays.push(started === undefined ? Number.POSITIVE_INFINITY : started.at - emitted);
  }
  delays.sort((a, b) => a - b);
  const worst = delays.at(-1) ?? Number.NaN;
  console.log(`idle: one event after a quiet interval (${idleIntervalMs} ms) → edit starts after p50 ${percentile(delays, 50).toFixed(2)} ms, max ${worst.toFixed(2)} ms (target < 50 ms: ${worst < 50 ? 'ok' : 'MISSED'})`);
  await r.service.stop();
}

/** The baseline: one edit per event, straight to the platform. */
async function naive(): Promise<{ edits: number; rateLimited: number }> {
  const directory = new FakeDirectory(systemClock);
  const adapter = new FakeAdapter(systemClock, { minEditIntervalMs: intervalMs });
  directory.join('200', participant('200', 1));
  const ref = await adapter.post(conv, truth(directory));
  await sleep(intervalMs * 1.5);
  const change = changer(directory);
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < events; i++) {
    const due = start + i * (burstMs / events);
    while (performance.now() < due) await sleep(1);
    change();
    inFlight.push(adapter.update(ref, truth(directory)).catch(() => undefined));
  }
  await Promise.all(inFlight);
  const finalOk = JSON.stringify(visible(adapter.lastViewOf(ref.id))) === JSON.stringify(visible(truth(directory)));
  console.log(`naive baseline: ${adapter.attempts.length} edits attempted, ${adapter.rateLimited} answered 429, final message equals the truth: ${finalOk ? 'yes' : 'NO'}`);
  return { edits: adapter.attempts.length, rateLimited: adapter.rateLimited };
}

export async function run(): Promise<void> {
  const coalesced = await burst();
  await idle();
  const baseline = await naive();
  const ratio = (a: number, b: number) => (b === 0 ? `${a} vs 0` : `${(a / b).toFixed(1)}×`);
  console.log(`ratio naive/coalesced: edits ${ratio(baseline.edits, coalesced.edits)}, 429s ${baseline.rateLimited} vs ${coalesced.rateLimited}`);
}
