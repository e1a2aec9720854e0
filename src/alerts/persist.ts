import { z } from 'zod';
import { ZERO_COUNTERS, type AlertState, type Incident } from './engine.ts';
import { SIGNAL_KINDS } from './rules.ts';

/**
 * The alert state as JSON in the store, so incidents, acks, silences and escalation times survive
 * a restart. Read back through a schema: a damaged record is refused by name, never half-loaded.
 */

export const ALERT_STATE_KEY = 'alerts.state.v1';

/** Where an incident's message went, per target index: posted (with its ref) or being posted. */
export interface DeliveryRecord {
  readonly incidentId: string;
  readonly targetIndex: number;
  readonly ref: { readonly platform: string; readonly conversation: string; readonly id: string } | undefined;
}

export interface PersistedAlerts {
  readonly state: AlertState;
  readonly deliveries: readonly DeliveryRecord[];
}

const opt = <T extends z.ZodType>(t: T) => t.optional();
const stamp = z.object({ by: z.string(), at: z.number() });
const signal = z.object({
  kind: z.enum(SIGNAL_KINDS), pbx: z.string(), room: z.string(),
  uniqueid: opt(z.string()), channel: opt(z.string()), tech: opt(z.string()),
  callerNum: opt(z.string()), callerName: opt(z.string()),
  cause: opt(z.number()), causeText: opt(z.string()), techCause: opt(z.number()),
  durationSec: opt(z.number()), at: z.number(),
  injection: opt(z.enum(['muzak', 'stream'])), talkers: z.array(z.string()),
  quality: opt(z.object({ mos: opt(z.number()), lossPct: opt(z.number()), poorSec: z.number(), since: z.number() })),
});
const incident = z.object({
  id: z.string(), ruleId: z.string(), digest: z.boolean(), first: signal, latest: signal, count: z.number(),
  tally: z.record(z.string(), z.number()), pbxs: z.array(z.string()),
  status: z.enum(['open', 'acked', 'resolved']), openedAt: z.number(), updatedAt: z.number(),
  ack: opt(stamp), resolved: opt(stamp), silencedUntil: opt(z.number()), stormEndedAt: opt(z.number()),
  paged: z.number(), nextEscalationAt: opt(z.number()), recoveredAt: opt(z.number()), muted: opt(stamp),
});
const persisted = z.object({
  incidents: z.array(incident),
  dedup: z.array(z.tuple([z.string(), z.number()])),
  silences: z.array(z.object({ ruleId: z.string(), pbx: z.string(), room: z.string(), until: z.number(), by: z.string() })),
  storms: z.array(z.tuple([z.string(), z.string()])),
  counters: z.record(z.string(), z.number()),
  deliveries: z.array(z.object({
    incidentId: z.string(), targetIndex: z.number(),
    ref: opt(z.object({ platform: z.string(), conversation: z.string(), id: z.string() })),
  })),
});

export function encodeAlerts(p: PersistedAlerts): string {
  return JSON.stringify({
    incidents: [...p.state.incidents.values()],
    dedup: [...p.state.dedup],
    silences: p.state.silences,
    storms: [...p.state.storms],
    counters: p.state.counters,
    deliveries: p.deliveries,
  });
}

export type DecodeResult = { readonly ok: true; readonly value: PersistedAlerts } | { readonly ok: false; readonly problem: string };

export function decodeAlerts(text: string): DecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  const parsed = persisted.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  const v = parsed.data;
  const counters = { ...ZERO_COUNTERS };
  for (const key of Object.keys(ZERO_COUNTERS) as (keyof typeof ZERO_COUNTERS)[]) counters[key] = v.counters[key] ?? 0;
  const state: AlertState = {
    incidents: new Map(v.incidents.map((i) => [i.id, i as Incident])),
    dedup: new Map(v.dedup),
    silences: v.silences,
    rates: new Map(),
    storms: new Map(v.storms),
    counters,
  };
  const deliveries = v.deliveries.map((d): DeliveryRecord => ({ incidentId: d.incidentId, targetIndex: d.targetIndex, ref: d.ref }));
  return { ok: true, value: { state, deliveries } };
}
