/**
 * Room-state reducer throughput and memory: 1,000,000 events folded over 1,000 rooms × 10
 * participants, against a baseline measured in the same run (one plain Map update per event).
 * Retained heap is printed for both, each measured with the other's memory released; it is exact only with `node --expose-gc` (e.g. `node --expose-gc --import tsx bench/run.ts room-state`);
 * without it the figure is approximate and says so.
 */
import { parseAmiEvent, type AmiEvent } from '../src/ami/events.ts';
import { AmiMessage } from '../src/ami/message.ts';
import { emptyPbxState, reduceConference } from '../src/conference/model.ts';
import type { PbxState } from '../src/conference/types.ts';

const ROOMS = 1_000;
const PER_ROOM = 10;
const EVENTS = 1_000_000;

function event(fields: Record<string, string>): AmiEvent {
  return parseAmiEvent(new AmiMessage(Object.entries(fields)));
}

function participantFields(r: number, p: number): Record<string, string> {
  return {
    Conference: `room-${r}`, Channel: `PJSIP/u${r}x${p}-${(r * PER_ROOM + p).toString(16).padStart(8, '0')}`,
    Uniqueid: `1700000000.${r * PER_ROOM + p}`, CallerIDNum: `${1000 + p}`, CallerIDName: `Caller ${r}/${p}`,
  };
}

/** Per participant: join, talking on, talking off, mute, unmute, leave. */
function eventPool(): AmiEvent[][] {
  const pool: AmiEvent[][] = [];
  for (let r = 0; r < ROOMS; r++) {
    for (let p = 0; p < PER_ROOM; p++) {
      const f = participantFields(r, p);
      pool.push([
        event({ Event: 'ConfbridgeJoin', ...f, Admin: 'No', Muted: 'No' }),
        event({ Event: 'ConfbridgeTalking', ...f, TalkingStatus: 'on' }),
        event({ Event: 'ConfbridgeTalking', ...f, TalkingStatus: 'off' }),
        event({ Event: 'ConfbridgeMute', ...f }),
        event({ Event: 'ConfbridgeUnmute', ...f }),
        event({ Event: 'ConfbridgeLeave', ...f, Admin: 'No' }),
      ]);
    }
  }
  return pool;
}

/** Mostly talking, some muting, a little churn (leave, then join again), deterministic. */
function* schedule(pool: readonly AmiEvent[][]): Generator<AmiEvent> {
  const phase = new Uint8Array(pool.length);
  let seed = 12345;
  let emitted = 0;
  while (emitted < EVENTS) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const who = seed % pool.length;
    const person = pool[who] as AmiEvent[];
    const roll = (seed >>> 16) % 100;
    const bits = phase[who] as number;
    if (roll < 70) {
      phase[who] = bits ^ 1;
      yield person[bits & 1 ? 2 : 1] as AmiEvent;
      emitted += 1;
    } else if (roll < 95) {
      phase[who] = bits ^ 2;
      yield person[bits & 2 ? 4 : 3] as AmiEvent;
      emitted += 1;
    } else {
      phase[who] = 0;
      yield person[5] as AmiEvent;
      yield person[0] as AmiEvent;
      emitted += 2;
    }
  }
}

function gcIfExposed(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  gc();
  return true;
}

/** Heap in use after a forced collection (when exposed), so differences are what stays reachable. */
function heapUsed(): number {
  gcIfExposed();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(1);

export async function run(): Promise<void> {
  const exact = gcIfExposed();
  const heapBefore = heapUsed();
  let pool: AmiEvent[][] | undefined = eventPool();

  // Baseline first, measured on its own: its Map is released before the reducer is, so neither
  // figure counts the other's memory.
  const baselineHeapBefore = heapUsed();
  let baseline: Map<string, boolean> | undefined = new Map<string, boolean>();
  let t0 = performance.now();
  for (const ev of schedule(pool)) {
    if (ev.typed && 'uniqueid' in ev) baseline.set(ev.uniqueid, ev.event === 'ConfbridgeTalking' ? ev.talking : true);
  }
  const baselineMs = performance.now() - t0;
  const baselineEntries = baseline.size;
  const baselineRetained = heapUsed() - baselineHeapBefore;
  baseline = undefined;

  let state: PbxState = emptyPbxState('bench', 'confbridge', 0);
  for (const person of pool) state = reduceConference(state, person[0] as AmiEvent, 0).state;

  let changes = 0;
  t0 = performance.now();
  for (const ev of schedule(pool)) {
    const r = reduceConference(state, ev, 0);
    state = r.state;
    changes += r.changes.length;
  }
  const reducerMs = performance.now() - t0;

  const distinctEvents = pool.length * 6;
  pool = undefined;
  const reducerRetained = heapUsed() - heapBefore;
  let participants = 0;
  for (const room of state.rooms.values()) participants += room.participants.size;

  const approx = exact ? '' : ', approximate: run node with --expose-gc for an exact figure';
  const rate = (ms: number): string => `${Math.round(EVENTS / (ms / 1000)).toLocaleString('en-US')} events/s`;
  process.stdout.write(`reducer:  ${rate(reducerMs)} (${changes.toLocaleString('en-US')} change records)\n`);
  process.stdout.write(`baseline: ${rate(baselineMs)} (plain Map.set per event)\n`);
  process.stdout.write(`ratio:    reducer takes ${(reducerMs / baselineMs).toFixed(1)}× the baseline's time per event\n`);
  process.stdout.write(`heap:     ${mb(reducerRetained)} MB retained for ${state.rooms.size} rooms / ${participants} participants` +
    ` (target < 64 MB)${approx}\n`);
  process.stdout.write(`baseline heap: ${mb(baselineRetained)} MB retained by its Map of ${baselineEntries.toLocaleString('en-US')} entries` +
    ` (released before the reducer's figure)${approx}\n`);
  process.stdout.write(`events:   ${distinctEvents.toLocaleString('en-US')} distinct event objects cycled\n`);
}
