import type { SimCall, SimCallSource } from '../calls.ts';
import { PERIOD_BYTES, PERIOD_SAMPLES, SAMPLE_RATE, synthesize, voiceFor } from './audio.ts';
import { demoLinePlan, type SimLinePlan } from './line-sim.ts';
import { buildListCallsReply, type ListCallsParams, type ListedCall } from './listcalls-reply.ts';

/**
 * The embedded sensor's command handling, without sockets: command text in, reply bytes out, time
 * from an injected clock. Replies are byte-for-byte those of a real sensor (test/fixtures/voipmonitor).
 */

export const SENSOR_VERSION = '2026.04.0';
const PERIOD_MS = 50;
/** The sensor keeps listen ids in a 20-byte buffer; longer ones are accepted but never get audio. */
const MAX_LISTEN_ID = 19;

export interface SimSensorOptions {
  readonly calls: SimCallSource;
  readonly now: () => number;
  /** After a call ends, readaudio says "wait for data" this long before "call not found" (real: ~19 s). */
  readonly endGraceMs?: number;
  /** A client that has not polled this long is dropped (real: 10 s). */
  readonly idleDropMs?: number;
  /** Voice quality of each call (default: the demo's one degrading line, see line-sim.ts). */
  readonly lines?: SimLinePlan;
}

export interface SimSensorStats {
  readonly commands: Readonly<Record<string, number>>;
  readonly workers: number;
  readonly clients: number;
}

interface Client {
  nextPeriod: number;
  lastReadAt: number;
  readonly deaf: boolean;
}

interface Worker {
  readonly call: SimCall;
  readonly startedAt: number;
  readonly clients: Map<string, Client>;
  endedAt: number | undefined;
}

const TEXT = {
  success: 'success',
  alreadyListening: 'call already listening',
  callNotFound: 'call not found',
  wait: 'information: wait for data',
  errCallNotFound: 'error: call not found',
  errWorkerNotFound: 'error: worker not found',
  errClientNotFound: 'error: client of worker not found',
  unknown: 'command not found\n',
} as const;

export class SimSensorManager {
  private readonly calls: SimCallSource;
  private readonly now: () => number;
  private readonly endGraceMs: number;
  private readonly idleDropMs: number;
  private readonly lines: SimLinePlan;
  private readonly refsByCallId = new Map<string, string>();
  /** Freed references are handed out again, newest first, as the real sensor reuses its addresses. */
  private readonly freeRefs: string[] = [];
  private nextRef = 0x7f3a1c00b2e0;
  private readonly workers = new Map<string, Worker>();
  private readonly counts: Record<string, number> = {};

  constructor(options: SimSensorOptions) {
    this.calls = options.calls;
    this.now = options.now;
    this.endGraceMs = options.endGraceMs ?? 19_000;
    this.idleDropMs = options.idleDropMs ?? 10_000;
    this.lines = options.lines ?? demoLinePlan;
  }

  stats(): SimSensorStats {
    let clients = 0;
    for (const w of this.workers.values()) clients += w.clients.size;
    return { commands: { ...this.counts }, workers: this.workers.size, clients };
  }

  handle(command: string): Buffer {
    const [verb = '', ...args] = command.trim().split(/\s+/);
    this.counts[verb] = (this.counts[verb] ?? 0) + 1;
    const active = this.refresh();
    switch (verb) {
      case 'getversion':
        return Buffer.from(SENSOR_VERSION);
      case 'listcalls':
        return Buffer.from(buildListCallsReply(this.withLines(active), this.now(), parseParams(command.trim().slice(verb.length))));
      case 'listen':
        return Buffer.from(this.listen(active, args[0] ?? '', args[1] ?? ''));
      case 'readaudio':
        return this.readAudio(args[0] ?? '', args[1] ?? '');
      case 'listen_stop':
        this.listenStop(args[0] ?? '', args[1] ?? '');
        return Buffer.alloc(0);
      default:
        return Buffer.from(TEXT.unknown);
    }
  }

  /** Syncs call references with the PBX's calls; marks the workers of ended calls. */
  private refresh(): ListedCall[] {
    const now = this.now();
    const current = this.calls.calls();
    const ids = new Set(current.map((c) => c.callId));
    for (const [callId, ref] of this.refsByCallId) {
      if (ids.has(callId)) continue;
      this.refsByCallId.delete(callId);
      this.freeRefs.push(ref);
      const worker = this.workers.get(ref);
      if (worker && worker.endedAt === undefined) worker.endedAt = now;
    }
    return current.map((call) => {
      let ref = this.refsByCallId.get(call.callId);
      if (ref === undefined) {
        ref = this.freeRefs.pop() ?? `0x${(this.nextRef += 0x11d0).toString(16)}`;
        this.workers.delete(ref);
        this.refsByCallId.set(call.callId, ref);
      }
      return { callref: ref, call };
    });
  }

  private withLines(active: readonly ListedCall[]): ListedCall[] {
    const lines = this.lines(active.map((c) => c.call), this.now());
    return active.map((c) => {
      const line = lines.get(c.call.callId);
      return line === undefined ? c : { ...c, line };
    });
  }

  private listen(active: readonly ListedCall[], ref: string, listenId: string): string {
    const listed = active.find((c) => c.callref === ref);
    if (!listed) return TEXT.callNotFound;
    const now = this.now();
    const existing = this.workers.get(ref);
    const worker = existing ?? { call: listed.call, startedAt: now, clients: new Map<string, Client>(), endedAt: undefined };
    if (!existing) this.workers.set(ref, worker);
    worker.clients.set(listenId, { nextPeriod: this.period(worker, now), lastReadAt: now, deaf: listenId.length > MAX_LISTEN_ID });
    return existing ? TEXT.alreadyListening : TEXT.success;
  }

  private readAudio(ref: string, listenId: string): Buffer {
    const now = this.now();
    const worker = this.workers.get(ref);
    if (!worker) return Buffer.from(this.refIsActive(ref) ? TEXT.errWorkerNotFound : TEXT.errCallNotFound);
    if (worker.endedAt !== undefined) {
      if (now - worker.endedAt < this.endGraceMs) return Buffer.from(TEXT.wait);
      this.workers.delete(ref);
      return Buffer.from(TEXT.errCallNotFound);
    }
    const client = worker.clients.get(listenId);
    if (client && now - client.lastReadAt > this.idleDropMs) worker.clients.delete(listenId);
    if (!client || !worker.clients.has(listenId)) return Buffer.from(TEXT.errClientNotFound);
    client.lastReadAt = now;
    const upTo = this.period(worker, now);
    const from = client.nextPeriod;
    client.nextPeriod = upTo;
    if (upTo <= from || client.deaf) return Buffer.from(TEXT.wait);
    return this.audio(worker, from, upTo);
  }

  private listenStop(ref: string, listenId: string): void {
    const worker = this.workers.get(ref);
    if (!worker) return;
    worker.clients.delete(listenId);
    if (worker.clients.size === 0) this.workers.delete(ref);
  }

  private refIsActive(ref: string): boolean {
    for (const r of this.refsByCallId.values()) if (r === ref) return true;
    return false;
  }

  private period(worker: Worker, now: number): number {
    return Math.floor((now - worker.startedAt) / PERIOD_MS);
  }

  /** Periods [from, upTo) of the worker; the first period is silence, like the real stream's start. */
  private audio(worker: Worker, from: number, upTo: number): Buffer {
    const voice = voiceFor(worker.call.callId);
    const callOffset = Math.max(0, Math.round(((worker.startedAt - worker.call.startedAt) * SAMPLE_RATE) / 1000));
    const out = Buffer.alloc((upTo - from) * PERIOD_BYTES);
    const firstVoiced = Math.max(from, 1);
    if (firstVoiced < upTo) {
      synthesize(voice, callOffset + firstVoiced * PERIOD_SAMPLES, (upTo - firstVoiced) * PERIOD_SAMPLES)
        .copy(out, (firstVoiced - from) * PERIOD_BYTES);
    }
    return out;
  }
}

function parseParams(rest: string): ListCallsParams | undefined {
  const trimmed = rest.trim();
  if (trimmed === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const limit = (parsed as Record<string, unknown>)['limit'];
    return typeof limit === 'number' ? { limit } : {};
  } catch {
    return {};
  }
}
