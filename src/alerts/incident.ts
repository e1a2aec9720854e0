import type { AlertRule } from './rules.ts';
import type { AlertSignal } from './signals.ts';

/** The shape of the alert engine's state and of what its steps return (engine.ts is the reducer). */

/** How long a signal identity is remembered, so the PBX repeating itself raises nothing. */
export const DEDUP_TTL_MS = 24 * 3_600_000;
/** How long a resolved incident is kept (a late press finds it; its key still de-duplicates). */
export const RESOLVED_RETENTION_MS = 24 * 3_600_000;

export type IncidentStatus = 'open' | 'acked' | 'resolved';

export interface Stamp {
  readonly by: string;
  readonly at: number;
}

export interface Incident {
  readonly id: string;
  readonly ruleId: string;
  readonly digest: boolean;
  readonly first: AlertSignal;
  readonly latest: AlertSignal;
  /** Signals folded in (flaps, or a storm's hangups), the first included. */
  readonly count: number;
  /** Digest only: signals per hangup cause (`34`) or kind. */
  readonly tally: Readonly<Record<string, number>>;
  readonly pbxs: readonly string[];
  readonly status: IncidentStatus;
  readonly openedAt: number;
  readonly updatedAt: number;
  readonly ack: Stamp | undefined;
  readonly resolved: Stamp | undefined;
  readonly silencedUntil: number | undefined;
  /** Digest only: when the storm passed. */
  readonly stormEndedAt: number | undefined;
  /** How many of the rule's targets (in paging order) have been sent this incident. */
  readonly paged: number;
  readonly nextEscalationAt: number | undefined;
  /** poor_line: when the line recovered (which resolved the incident). */
  readonly recoveredAt: number | undefined;
  /** poor_line: who muted the participant from the alert. */
  readonly muted: Stamp | undefined;
}

export interface Silence {
  readonly ruleId: string;
  readonly pbx: string;
  /** Room name, or `*` for every room (a digest's silence). */
  readonly room: string;
  readonly until: number;
  readonly by: string;
}

export interface AlertCounters {
  readonly raised: number;
  readonly folded: number;
  readonly suppressed: number;
  readonly acked: number;
  readonly resolved: number;
  readonly silenced: number;
  readonly escalated: number;
  readonly digests: number;
}

export interface AlertState {
  readonly incidents: ReadonlyMap<string, Incident>;
  /** `rule|key` → expiry, one per signal identity. */
  readonly dedup: ReadonlyMap<string, number>;
  readonly silences: readonly Silence[];
  /** Rule id → times of its signals in the last minute. */
  readonly rates: ReadonlyMap<string, readonly number[]>;
  /** Rule id → the open digest incident of its storm. */
  readonly storms: ReadonlyMap<string, string>;
  readonly counters: AlertCounters;
}

export const ZERO_COUNTERS: AlertCounters = { raised: 0, folded: 0, suppressed: 0, acked: 0, resolved: 0, silenced: 0, escalated: 0, digests: 0 };

export const EMPTY_ALERT_STATE: AlertState = {
  incidents: new Map(), dedup: new Map(), silences: [], rates: new Map(), storms: new Map(), counters: ZERO_COUNTERS,
};

export type AuditKind = 'alert_raised' | 'alert_acked' | 'alert_resolved' | 'alert_silenced' | 'alert_escalated' | 'storm_started' | 'storm_ended';

export type AlertEffect =
  | { readonly type: 'post'; readonly incidentId: string; readonly targetIndex: number }
  | { readonly type: 'update'; readonly incidentId: string }
  | { readonly type: 'audit'; readonly kind: AuditKind; readonly incidentId: string; readonly ruleId: string; readonly by: string | undefined };

export interface AlertStep {
  readonly state: AlertState;
  readonly effects: readonly AlertEffect[];
}

export type Rules = ReadonlyMap<string, AlertRule>;
