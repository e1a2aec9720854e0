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
