import { z } from 'zod';

/**
 * Pure parser for the `listcalls` reply: a JSON array whose element 0 is the header row. Without
 * params the rest are value rows; with params element 1 is `[summary]`; `{"limit":0}` answers the
 * summary object alone. Columns are read by header name only: sensors add custom-header columns and
 * versions differ, so extra columns are kept in `fields` and missing ones become undefined.
 * @see ../shared/protocols/voipmonitor-manager.md (beside the repository) (listcalls)
 */

export interface SensorCall {
  /** Sensor-internal id of an active call (`0x7fdcfc00b2e0`): reused, so always pair it with `callId`. */
  readonly callref: string;
  /** SIP Call-ID; empty when the column is missing. */
  readonly callId: string;
  readonly caller: string;
  readonly called: string;
  readonly callerName: string | undefined;
  /** Epoch ms, from `calldate_num`. */
  readonly startedAt: number | undefined;
  readonly durationSec: number;
  readonly connectDurationSec: number | undefined;
  readonly callerCodec: string | undefined;
  readonly calledCodec: string | undefined;
  /** Worst current MOS of the two directions (1.0–4.5), when the sensor computed one. */
  readonly mos: number | undefined;
  readonly sensorNumber: number | undefined;
  readonly lastSipResponse: number | undefined;
  /** Every column by header name, as the sensor sent it. */
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface ListCallsSummary {
  readonly total: number | undefined;
  readonly idSensor: number | undefined;
}

export interface ListCallsReply {
  readonly calls: SensorCall[];
  readonly summary: ListCallsSummary | undefined;
}

export class ListCallsFormatError extends Error {}

const replySchema = z.union([z.array(z.unknown()).min(1), z.record(z.string(), z.unknown())]);
const headerSchema = z.array(z.string());
const summarySchema = z.object({ total: z.number().optional(), id_sensor: z.number().optional() }).loose();

/** RTP static payload types the sensor reports as codec numbers. */
const CODECS: ReadonlyMap<number, string> = new Map([
  [0, 'PCMU'], [3, 'GSM'], [4, 'G723'], [8, 'PCMA'], [9, 'G722'], [18, 'G729'],
]);

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function codecName(value: unknown): string | undefined {
  const n = num(value);
  if (n === undefined) return text(value) || undefined;
  if (n < 0) return undefined;
  return CODECS.get(n) ?? `PT ${n}`;
}

/** MOS columns hold tenths (45 = 4.5); 0 means "not computed". */
function worstMos(fields: Record<string, unknown>): number | undefined {
  const values = ['src_mosf1', 'dst_mosf1'].map((k) => num(fields[k])).filter((v): v is number => v !== undefined && v > 0);
  return values.length === 0 ? undefined : Math.min(...values) / 10;
}

function toSummary(value: unknown): ListCallsSummary | undefined {
  const parsed = summarySchema.safeParse(value);
  return parsed.success ? { total: parsed.data.total, idSensor: parsed.data.id_sensor } : undefined;
}

function isSummaryRow(row: unknown): boolean {
  return Array.isArray(row) && row.length === 1 && typeof row[0] === 'object' && row[0] !== null && !Array.isArray(row[0]);
}

function toCall(header: readonly string[], row: readonly unknown[]): SensorCall | undefined {
  const fields: Record<string, unknown> = {};
  header.forEach((name, i) => { if (i < row.length) fields[name] = row[i]; });
  const callref = text(fields['callreference']);
  if (!callref) return undefined;
  const calldate = num(fields['calldate_num']);
  return {
    callref,
    callId: text(fields['callid']) ?? '',
    caller: text(fields['caller']) ?? '',
    called: text(fields['called']) ?? '',
    callerName: text(fields['callername']) || undefined,
    startedAt: calldate === undefined ? undefined : calldate * 1000,
    durationSec: num(fields['duration']) ?? 0,
    connectDurationSec: num(fields['connect_duration']),
    callerCodec: codecName(fields['callercodec']),
    calledCodec: codecName(fields['calledcodec']),
    mos: worstMos(fields),
    sensorNumber: num(fields['id_sensor']),
    lastSipResponse: num(fields['lastSIPresponseNum']),
    fields,
  };
}

export function parseListCalls(reply: string): ListCallsReply {
  let json: unknown;
  try {
    json = JSON.parse(reply);
  } catch (err) {
    throw new ListCallsFormatError(`listcalls reply is not JSON: ${(err as Error).message}`);
  }
  const shape = replySchema.safeParse(json);
  if (!shape.success) throw new ListCallsFormatError('listcalls reply is neither a non-empty array nor a summary object');
  if (!Array.isArray(shape.data)) return { calls: [], summary: toSummary(shape.data) };
  const [first, ...rest] = shape.data;
  const header = headerSchema.safeParse(first);
  if (!header.success) throw new ListCallsFormatError('listcalls reply does not start with a header row of names');
  let summary: ListCallsSummary | undefined;
  const calls: SensorCall[] = [];
  for (const row of rest) {
    if (isSummaryRow(row)) {
      summary = toSummary((row as unknown[])[0]);
      continue;
    }
    if (!Array.isArray(row)) continue;
    const call = toCall(header.data, row);
    if (call) calls.push(call);
  }
  return { calls, summary };
}

/** Same call reference whether written in hex (`0x7fdc...`) or decimal, as the sensor accepts both. */
export function sameCallref(a: string, b: string): boolean {
  const norm = (s: string): string => {
    const t = s.trim().toLowerCase();
    try {
      return /^0x[0-9a-f]+$/.test(t) || /^\d+$/.test(t) ? BigInt(t).toString(16) : t;
    } catch {
      return t;
    }
  };
  return norm(a) === norm(b);
}
