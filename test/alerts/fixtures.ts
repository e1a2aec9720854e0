import type { Participant, Room } from '../../src/conference/types.ts';
import { alertRuleSchema, type AlertRule, type AlertRuleInput } from '../../src/alerts/rules.ts';
import type { AlertSignal } from '../../src/alerts/signals.ts';

export function rule(input: Partial<AlertRuleInput> & { id: string }): AlertRule {
  return alertRuleSchema.parse({ targets: [{ platform: 'shell', channel: 'console' }], ...input });
}

export function rules(...list: AlertRule[]): ReadonlyMap<string, AlertRule> {
  return new Map(list.map((r) => [r.id, r]));
}

let seq = 0;
export function hangupSignal(over: Partial<AlertSignal> = {}): AlertSignal {
  seq += 1;
  return {
    kind: 'hangup', pbx: 'pbx1', room: '200', uniqueid: `1700000000.${seq}`, channel: `PJSIP/701-0000${seq}`, tech: 'PJSIP',
    callerNum: '701', callerName: 'Tim', cause: 34, causeText: 'Circuit/channel congestion', techCause: 503,
    durationSec: 5_820, at: 1_000_000, injection: undefined, talkers: [], ...over,
  };
}

export function ids(): () => string {
  let n = 0;
  return () => `i${(n += 1)}`;
}

/** Pages #ops at once and the on-call user after 5 minutes unacked. */
export const escalating = rules(rule({
  id: 'abn', escalation: { afterMinutes: 5, targets: [{ platform: 'slack', user: 'UONCALL' }] },
  targets: [{ platform: 'slack', channel: 'COPS' }],
}));

/** Tim (701) on PJSIP in room 200 of pbx1, joined at `joinedAt`. */
export function tim(joinedAt: number): Participant {
  return {
    pbx: 'pbx1', room: '200', uniqueid: '1.1', usernum: undefined, channel: 'PJSIP/701-00000001', tech: 'PJSIP',
    callerNum: '701', callerName: 'Tim', admin: false, marked: false, muted: false, mutedBy: undefined, talking: false,
    joinedAt, topic: undefined,
  };
}

/** Room 200 with `p` and `other` more. */
export function roomWith(p: Participant, other: number): Room {
  const participants = new Map([[p.uniqueid, p], ...Array.from({ length: other }, (_, i) => [`o${i}`, { ...p, uniqueid: `o${i}` }] as const)]);
  return { pbx: 'pbx1', name: '200', dialect: 'confbridge', participants, locked: false, recording: false, muzak: undefined, stream: undefined, startedAt: p.joinedAt, peakSize: 2, endedAt: undefined };
}
