import type { SimCall } from '../calls.ts';

/**
 * Simulated voice quality for the embedded sensor, so the demo shows line-quality marks with no
 * configuration: in each room one caller's line (the room's longest-running call) goes round a cycle,
 * good → fair → poor → fair → good, driven by the clock; every other line stays good. Each phase lasts at least
 * three 5 s polls, so the bot's two-poll hysteresis settles on every mark.
 */

export interface SimLine {
  /** MOS ×10 of the audio from the caller (src) and to the caller (dst), as the sensor lists them. */
  readonly mosSrc: number;
  readonly mosDst: number;
  /** Packet loss, percent: last 10 s, and over the call so far. */
  readonly loss10: number;
  readonly lossTotal: number;
  /** Jitter, ms. */
  readonly jitter: number;
}

interface Phase {
  readonly ms: number;
  readonly mos: number;
  readonly loss: number;
  readonly jitter: number;
}

const GOOD: Phase = { ms: 0, mos: 45, loss: 0, jitter: 0.06 };

/** One cycle of the degrading line: 2 minutes. */
export const DEMO_CYCLE: readonly Phase[] = [
  { ...GOOD, ms: 45_000 },
  { ms: 15_000, mos: 38, loss: 4, jitter: 18 },
  { ms: 30_000, mos: 27, loss: 12, jitter: 45 },
  { ms: 15_000, mos: 38, loss: 4, jitter: 18 },
  { ...GOOD, ms: 15_000 },
];

const CYCLE_MS = DEMO_CYCLE.reduce((sum, p) => sum + p.ms, 0);
const CYCLE_LOSS_MS = DEMO_CYCLE.reduce((sum, p) => sum + p.ms * p.loss, 0);

export function goodLine(): SimLine {
  return { mosSrc: GOOD.mos, mosDst: GOOD.mos, loss10: 0, lossTotal: 0, jitter: GOOD.jitter };
}

/** The line of a call `elapsedMs` into the demo cycle; the caller's audio suffers, the other way stays fair. */
export function cycleLine(elapsedMs: number): SimLine {
  const t = Math.max(0, elapsedMs);
  const inCycle = t % CYCLE_MS;
  let at = 0;
  let current = DEMO_CYCLE[0] ?? GOOD;
  let lossMs = Math.floor(t / CYCLE_MS) * CYCLE_LOSS_MS;
  for (const phase of DEMO_CYCLE) {
    if (inCycle < at + phase.ms) {
      current = phase;
      lossMs += (inCycle - at) * phase.loss;
      break;
    }
    lossMs += phase.ms * phase.loss;
    at += phase.ms;
  }
  const lossTotal = t === 0 ? 0 : Math.round((lossMs / t) * 10) / 10;
  return { mosSrc: current.mos, mosDst: Math.min(GOOD.mos, current.mos + 6), loss10: current.loss, lossTotal, jitter: current.jitter };
}

/** Chooses each listed call's line, by Call-ID. */
export type SimLinePlan = (calls: readonly SimCall[], now: number) => ReadonlyMap<string, SimLine>;

/** The longest-running call of each room (`called`) cycles, so whichever room the demo shows has one. */
export const demoLinePlan: SimLinePlan = (calls, now) => {
  const lines = new Map<string, SimLine>();
  const oldest = new Map<string, SimCall>();
  for (const call of calls) {
    lines.set(call.callId, goodLine());
    const known = oldest.get(call.called);
    if (known === undefined || call.startedAt < known.startedAt) oldest.set(call.called, call);
  }
  for (const call of oldest.values()) lines.set(call.callId, cycleLine(now - call.startedAt));
  return lines;
};
