/**
 * Line quality from a sensor's `listcalls` row: MOS both ways, packet loss, jitter and codec, read
 * by header name (older sensors lack columns: those figures are then undefined, never guessed), and
 * a good / fair / poor mark with hysteresis so a line near a threshold does not flap.
 *
 * The sensor reports MOS ×10 (`45` is 4.5) per direction for three jitter-buffer models (f1, f2,
 * adaptive); the bot takes the worst of the three for each direction, and the worse direction for
 * the mark. `src` is what the caller sends (heard by the callee), `dst` the other way. Loss columns
 * are percentages.
 */

export type QualityMark = 'good' | 'fair' | 'poor';

export interface LineQuality {
  /** MOS of audio from the caller, 1.0–4.5. */
  readonly mosFromCaller: number | undefined;
  readonly mosToCaller: number | undefined;
  /** The worse direction's MOS. */
  readonly mos: number | undefined;
  /** Packet loss in the last 10 s, worse direction, percent. */
  readonly loss10s: number | undefined;
  /** Packet loss over the call, worse direction, percent. */
  readonly lossTotal: number | undefined;
  /** Jitter now, worse direction, ms. */
  readonly jitterMs: number | undefined;
  readonly codec: string | undefined;
  /** The raw class of this sample (before hysteresis); undefined when the sensor gave no MOS. */
  readonly sample: QualityMark | undefined;
}

/** ITU-T P.800-style bands: 4.0 and up is good, 3.6 up to 4.0 fair, below 3.6 poor. */
export const MOS_GOOD = 4.0;
export const MOS_FAIR = 3.6;
/** Loss that makes a line at least fair, and poor, whatever its MOS. */
export const LOSS_FAIR_PCT = 3;
export const LOSS_POOR_PCT = 8;

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function mosOf(fields: Readonly<Record<string, unknown>>, side: 'src' | 'dst'): number | undefined {
  const values = ['mosf1', 'mosf2', 'mosAD']
    .map((m) => num(fields[`${side}_${m}`]))
    // 0 means "not computed yet" on a sensor: a real MOS is at least 1.0 (10).
    .filter((v): v is number => v !== undefined && v >= 10);
  return values.length === 0 ? undefined : Math.min(...values) / 10;
}

function worse(a: number | undefined, b: number | undefined, pick: (x: number, y: number) => number): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return pick(a, b);
}

export function classify(mos: number | undefined, loss10s: number | undefined): QualityMark | undefined {
  if (mos === undefined && loss10s === undefined) return undefined;
  if ((mos !== undefined && mos < MOS_FAIR) || (loss10s !== undefined && loss10s >= LOSS_POOR_PCT)) return 'poor';
  if ((mos !== undefined && mos < MOS_GOOD) || (loss10s !== undefined && loss10s >= LOSS_FAIR_PCT)) return 'fair';
  return 'good';
}

export function lineQuality(fields: Readonly<Record<string, unknown>>): LineQuality {
  const mosFromCaller = mosOf(fields, 'src');
  const mosToCaller = mosOf(fields, 'dst');
  const mos = worse(mosFromCaller, mosToCaller, Math.min);
  const loss10s = worse(num(fields['src_loss_last10sec']), num(fields['dst_loss_last10sec']), Math.max);
  const lossTotal = worse(num(fields['src_loss']), num(fields['dst_loss']), Math.max);
  const jitterMs = worse(num(fields['src_jitter']), num(fields['dst_jitter']), Math.max);
  const codecNum = num(fields['callercodec']);
  const codec = typeof fields['callercodec'] === 'string' ? fields['callercodec'] : codecNum === undefined ? undefined : codecName(codecNum);
  return { mosFromCaller, mosToCaller, mos, loss10s, lossTotal, jitterMs, codec, sample: classify(mos, loss10s) };
}

const CODECS: ReadonlyMap<number, string> = new Map([[0, 'PCMU'], [3, 'GSM'], [4, 'G723'], [8, 'PCMA'], [9, 'G722'], [18, 'G729']]);

function codecName(n: number): string {
  return CODECS.get(n) ?? `codec ${n}`;
}

/** The mark shown, and the sample class waiting to replace it. */
export interface MarkState {
  readonly mark: QualityMark | undefined;
  readonly pending: QualityMark | undefined;
  readonly pendingCount: number;
  /** Epoch ms since the mark has been poor (for "poor for 40 s"). */
  readonly poorSince: number | undefined;
}

export const NO_MARK: MarkState = { mark: undefined, pending: undefined, pendingCount: 0, poorSince: undefined };

/** Polls a new class must hold before the mark changes (the first mark shows at once). */
export const CONFIRM_POLLS = 2;

/**
 * Hysteresis: a line's mark changes only after the new class held for CONFIRM_POLLS polls in a row,
 * so a line hovering at a threshold shows one mark, not a flicker. A sample with no figures keeps
 * the mark as it is.
 */
export function nextMark(state: MarkState, sample: QualityMark | undefined, now: number): MarkState {
  if (sample === undefined) return state;
  if (state.mark === undefined) return { mark: sample, pending: undefined, pendingCount: 0, poorSince: sample === 'poor' ? now : undefined };
  if (sample === state.mark) return state.pending === undefined ? state : { ...state, pending: undefined, pendingCount: 0 };
  const count = state.pending === sample ? state.pendingCount + 1 : 1;
  if (count < CONFIRM_POLLS) return { ...state, pending: sample, pendingCount: count };
  return { mark: sample, pending: undefined, pendingCount: 0, poorSince: sample === 'poor' ? now : undefined };
}
