import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** The soak's running figures: latency samples, edit rates, memory and event-loop delay. */

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Latencies counted per whole millisecond up to a minute: a fixed size however long the run, so the harness's own heap stays flat. */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(60_001);
  #n = 0;

  get count(): number {
    return this.#n;
  }

  add(ms: number): void {
    this.#counts[Math.min(this.#counts.length - 1, Math.max(0, Math.round(ms)))]! += 1;
    this.#n++;
  }

  /** The same rank as `percentile` on the sorted samples. */
  percentile(p: number): number {
    if (this.#n === 0) return 0;
    const rank = Math.min(this.#n - 1, Math.floor((p / 100) * this.#n));
    let seen = 0;
    for (let ms = 0; ms < this.#counts.length; ms++) {
      seen += this.#counts[ms] ?? 0;
      if (seen > rank) return ms;
    }
    return this.#counts.length - 1;
  }
}

export interface MemoryPoint {
  readonly heap: number;
  readonly rss: number;
}

const MB = 1024 * 1024;
export const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;

export class Measures {
  readonly latencies = new LatencyHistogram();
  /** messageId → first change to its room not yet shown by an edit (performance.now()). */
  readonly #pendingSince = new Map<string, number>();
  readonly #editsThisSecond = new Map<string, number>();
  /** messageId → edits received and when the last arrived: said for a message found wrong at the end. */
  readonly #editsOf = new Map<string, { count: number; lastAt: number }>();
  #second = -1;
  maxEditsPerMessagePerSecond = 0;
  edits = 0;
  failedEdits = 0;
  readonly memory: { start?: MemoryPoint; warm?: MemoryPoint; end?: MemoryPoint; maxHeap: number; maxRss: number } = { maxHeap: 0, maxRss: 0 };
  readonly #loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    this.#loop.enable();
  }

  /** A change to a room the message shows: the next edit of the message should carry it. */
  changed(messageId: string, at: number): void {
    if (!this.#pendingSince.has(messageId)) this.#pendingSince.set(messageId, at);
  }

  edited(messageId: string, at: number, ok: boolean): void {
    this.edits++;
    const seen = this.#editsOf.get(messageId);
    if (seen === undefined) this.#editsOf.set(messageId, { count: 1, lastAt: at });
    else {
      seen.count += 1;
      seen.lastAt = at;
    }
    if (!ok) {
      this.failedEdits++;
      return;
    }
    const since = this.#pendingSince.get(messageId);
    if (since !== undefined && at >= since) {
      this.latencies.add(at - since);
      this.#pendingSince.delete(messageId);
    }
    const second = Math.floor(at / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#editsThisSecond.clear();
    }
    const n = (this.#editsThisSecond.get(messageId) ?? 0) + 1;
    this.#editsThisSecond.set(messageId, n);
    if (n > this.maxEditsPerMessagePerSecond) this.maxEditsPerMessagePerSecond = n;
  }

  editsOf(messageId: string): { readonly count: number; readonly lastAt: number } | undefined {
    return this.#editsOf.get(messageId);
  }

  /** Edit counts are reported for status messages only: those of alert messages are let go. */
  keepEditCountsOf(messageIds: ReadonlySet<string>): number {
    let dropped = 0;
    for (const id of this.#editsOf.keys()) {
      if (messageIds.has(id)) continue;
      this.#editsOf.delete(id);
      dropped++;
    }
    return dropped;
  }

  sampleMemory(): MemoryPoint {
    const m = process.memoryUsage();
    const point = { heap: m.heapUsed, rss: m.rss };
    this.memory.maxHeap = Math.max(this.memory.maxHeap, point.heap);
    this.memory.maxRss = Math.max(this.memory.maxRss, point.rss);
    return point;
  }

  /** A memory point after a full collection when the process runs with --expose-gc. */
  settledMemory(): MemoryPoint {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc !== undefined) gc();
    return this.sampleMemory();
  }

  resetLoopDelay(): void {
    this.#loop.reset();
  }

  loopDelayP99Ms(): number {
    return this.#loop.percentile(99) / 1e6;
  }

  /** The longest stall: one over about 3.3 s may drop Slack's Socket Mode link (docs/slack.md). */
  loopDelayMaxMs(): number {
    return this.#loop.max / 1e6;
  }

  stop(): void {
    this.#loop.disable();
  }
}
