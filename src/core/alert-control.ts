import type { Actor, Conversation } from '../kernel/chat.ts';

/**
 * What the core asks of the alert engine (src/alerts), in plain data, so the core does not
 * import it: `alerts` commands and the Ack / Resolve / Silence / Mute buttons go through here.
 */

export type AlertPressOp = 'ack' | 'resolve' | 'silence';
export type AlertPressOutcome = 'done' | 'not_found' | 'already_acked' | 'already_resolved';

export interface AlertPressResult {
  readonly outcome: AlertPressOutcome;
  /** The incident's one-line headline, for the answer and the audit trail. */
  readonly headline: string | undefined;
}

export interface AlertRuleLine {
  readonly id: string;
  readonly when: string;
  readonly where: string;
  readonly source: 'config' | 'chat';
  readonly enabled: boolean;
  /** Epoch ms a muted rule comes back on by itself. */
  readonly mutedUntil: number | undefined;
}

export interface OpenIncidentLine {
  readonly id: string;
  readonly headline: string;
  readonly status: string;
}

export type RuleChangeResult = 'done' | 'not_found' | 'from_config';

export type AddRuleResult = { readonly ok: true } | { readonly ok: false; readonly problems: readonly string[] };

export interface AlertControl {
  press(op: AlertPressOp, incidentId: string, by: Actor, silenceHours?: number): AlertPressResult;
  /** The Mute button of a poor-line alert muted its participant: the alert says who. */
  lineMuted(incidentId: string, by: Actor): void;
  rules(): readonly AlertRuleLine[];
  openIncidents(): readonly OpenIncidentLine[];
  /** `settings` are the typed `key=value` words; the rule posts to `here` unless they name a target. */
  add(id: string, settings: readonly (readonly [key: string, value: string])[], here: Conversation, by: Actor): Promise<AddRuleResult>;
  setEnabled(id: string, on: boolean, untilMs: number | undefined, by: Actor): Promise<RuleChangeResult>;
  remove(id: string, by: Actor): Promise<RuleChangeResult>;
}
