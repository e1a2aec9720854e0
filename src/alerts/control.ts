import type { AddRuleResult, AlertControl, AlertPressOp, AlertPressResult, AlertRuleLine, OpenIncidentLine, RuleChangeResult } from '../core/alert-control.ts';
import type { Clock } from '../core/clock.ts';
import type { Actor, Conversation } from '../kernel/chat.ts';
import type { Logger } from '../log.ts';
import type { KeyValueStore } from '../store/types.ts';
import type { Rules } from './engine.ts';
import { ALERT_PLATFORMS, parseRule, type AlertPlatform, type AlertRule, type AlertRuleInput } from './rules.ts';
import type { AlertService } from './service.ts';
import { headline } from './text.ts';

/**
 * The alert rules in force and what admins do to them from chat. Rules come from the config file
 * (read-only here, but they can be turned off) and from chat (kept in the store); on/off and
 * "muted until" are kept in the store for both, so a restart changes nothing.
 */

export const CHAT_RULES_KEY = 'alerts.rules.chat.v1';
export const RULE_STATE_KEY = 'alerts.rules.state.v1';

interface RuleState {
  readonly enabled: boolean;
  readonly mutedUntil: number | undefined;
}

export interface AlertRulesOptions {
  readonly configRules: readonly AlertRule[];
  readonly kv: KeyValueStore;
  readonly clock: Clock;
  readonly log: Logger;
  /** Audit of rule changes (who added, muted or removed what). */
  readonly audit: (what: string, rule: string, by: Actor) => void;
  /** Told after every rule change from chat (the quality poller's demand follows the rules). */
  readonly onChange?: () => void;
}

const LIST_KEYS = new Set(['tech', 'causes', 'vip']);

export class AlertRules {
  #chat: AlertRule[] = [];
  #chatInputs: AlertRuleInput[] = [];
  readonly #state = new Map<string, RuleState>();

  constructor(private readonly opts: AlertRulesOptions) {}

  /** Reads chat rules and rule states; a stored rule that no longer validates is logged and left out. */
  async load(): Promise<void> {
    const inputs = parseJson<AlertRuleInput[]>(await this.opts.kv.get(CHAT_RULES_KEY)) ?? [];
    for (const input of inputs) {
      const parsed = parseRule(input, 'stored rule');
      if (parsed.ok) {
        this.#chat.push(parsed.rule);
        this.#chatInputs.push(input);
      } else {
        this.opts.log.error({ problems: parsed.problems }, 'a stored alert rule no longer validates; it is ignored');
      }
    }
    const states = parseJson<Record<string, { enabled?: boolean; mutedUntil?: number }>>(await this.opts.kv.get(RULE_STATE_KEY)) ?? {};
    for (const [id, s] of Object.entries(states)) this.#state.set(id, { enabled: s.enabled !== false, mutedUntil: s.mutedUntil });
  }

  rule(id: string): AlertRule | undefined {
    return this.#all().find((r) => r.id === id);
  }

  /** The rules the engine applies now: a rule turned off or muted is there, but not enabled. */
  effective(): Rules {
    const now = this.opts.clock.now();
    return new Map(this.#all().map((r) => {
      const s = this.#state.get(r.id);
      const on = r.enabled && s?.enabled !== false && (s?.mutedUntil === undefined || s.mutedUntil <= now);
      return [r.id, on ? r : { ...r, enabled: false }];
    }));
  }

  lines(): readonly AlertRuleLine[] {
    const now = this.opts.clock.now();
    const chatIds = new Set(this.#chat.map((r) => r.id));
    return this.#all().map((r) => {
      const s = this.#state.get(r.id);
      const muted = s?.mutedUntil !== undefined && s.mutedUntil > now ? s.mutedUntil : undefined;
      return {
        id: r.id, when: r.when, where: `${r.pbx}/${r.rooms}`, source: chatIds.has(r.id) ? 'chat' : 'config',
        enabled: r.enabled && s?.enabled !== false, mutedUntil: muted,
      };
    });
  }

  async add(id: string, settings: readonly (readonly [string, string])[], here: Conversation, by: Actor): Promise<AddRuleResult> {
    if (this.rule(id) !== undefined) return { ok: false, problems: [`rule '${id}' already exists: pick another id, or remove it first`] };
    const input = ruleInput(id, settings, here);
    if (typeof input === 'string') return { ok: false, problems: [input] };
    const parsed = parseRule(input, 'rule');
    if (!parsed.ok) return { ok: false, problems: parsed.problems };
    this.#chat.push(parsed.rule);
    this.#chatInputs.push(input);
    await this.opts.kv.set(CHAT_RULES_KEY, JSON.stringify(this.#chatInputs));
    this.opts.audit('alert_rule_added', id, by);
    this.opts.onChange?.();
    return { ok: true };
  }

  async setEnabled(id: string, on: boolean, untilMs: number | undefined, by: Actor): Promise<RuleChangeResult> {
    if (this.rule(id) === undefined) return 'not_found';
    this.#state.set(id, on ? { enabled: true, mutedUntil: undefined } : untilMs === undefined ? { enabled: false, mutedUntil: undefined } : { enabled: true, mutedUntil: untilMs });
    await this.#saveState();
    this.opts.audit(on ? 'alert_rule_on' : untilMs === undefined ? 'alert_rule_off' : 'alert_rule_muted', id, by);
    this.opts.onChange?.();
    return 'done';
  }

  async remove(id: string, by: Actor): Promise<RuleChangeResult> {
    const i = this.#chat.findIndex((r) => r.id === id);
    if (i < 0) return this.rule(id) === undefined ? 'not_found' : 'from_config';
    this.#chat.splice(i, 1);
    this.#chatInputs.splice(i, 1);
    this.#state.delete(id);
    await this.opts.kv.set(CHAT_RULES_KEY, JSON.stringify(this.#chatInputs));
    await this.#saveState();
    this.opts.audit('alert_rule_removed', id, by);
    this.opts.onChange?.();
    return 'done';
  }

  /** Whether a poor-line rule is on (a muted one counts: it comes back by itself). */
  watchesQuality(): boolean {
    return this.lines().some((l) => l.when === 'poor_line' && l.enabled);
  }

  #all(): AlertRule[] {
    return [...this.opts.configRules, ...this.#chat];
  }

  async #saveState(): Promise<void> {
    await this.opts.kv.set(RULE_STATE_KEY, JSON.stringify(Object.fromEntries(this.#state)));
  }
}

/** Chat words → the same input the config file gives; the schema then judges it. */
function ruleInput(id: string, settings: readonly (readonly [string, string])[], here: Conversation): AlertRuleInput | string {
  if (!(ALERT_PLATFORMS as readonly string[]).includes(here.platform)) return `alerts cannot post to ${here.platform}`;
  const platform = here.platform as AlertPlatform;
  const kv = new Map(settings);
  const list = (key: string) => (kv.get(key) ?? '').split(',').filter(Boolean);
  const num = (key: string) => (kv.has(key) ? Number(kv.get(key)) : undefined);
  const mention = kv.get('mention');
  const where = kv.has('user') ? { user: kv.get('user') ?? '' } : { channel: kv.get('channel') ?? here.id };
  const input: Record<string, unknown> = { id, targets: [{ platform, ...where, ...(mention === undefined ? {} : { mention }) }] };
  for (const key of ['when', 'pbx', 'rooms', 'caller', 'callee', 'severity']) if (kv.has(key)) input[key] = kv.get(key);
  for (const key of LIST_KEYS) if (kv.has(key)) input[key] = list(key);
  if (kv.has('min')) input['minDurationSec'] = num('min');
  if (kv.has('flap')) input['flapWindowSec'] = num('flap');
  if (kv.has('storm')) input['storm'] = { perMinute: num('storm') };
  if (kv.has('mos')) input['mosBelow'] = num('mos');
  if (kv.has('loss')) input['lossAbovePct'] = num('loss');
  if (kv.has('for')) input['forSec'] = num('for');
  if (kv.has('escalate') || kv.has('to')) {
    if (!kv.has('escalate') || !kv.has('to')) return 'escalation needs both escalate=<minutes> and to=<user id,...>';
    input['escalation'] = { afterMinutes: num('escalate'), targets: list('to').map((user) => ({ platform, user })) };
  }
  return input as AlertRuleInput;
}

function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** The core's view of alerts: rules from AlertRules, incidents and presses from the AlertService. */
export function alertControl(rules: AlertRules, service: AlertService): AlertControl {
  return {
    press(op: AlertPressOp, incidentId: string, by: Actor, silenceHours?: number): AlertPressResult {
      const name = by.displayName;
      const step = op === 'ack' ? service.ack(incidentId, name)
        : op === 'resolve' ? service.resolve(incidentId, name)
          : service.silence(incidentId, (silenceHours ?? 1) * 3_600_000, name);
      return { outcome: step.outcome, headline: step.incident === undefined ? undefined : headline(step.incident.first) };
    },
    lineMuted: (incidentId, by) => service.noteMuted(incidentId, by.displayName),
    rules: () => rules.lines(),
    openIncidents: (): OpenIncidentLine[] => service.incidents()
      .filter((i) => i.status !== 'resolved')
      .map((i) => ({ id: i.id, headline: i.digest ? `storm of ${i.count} (${i.ruleId})` : headline(i.first), status: i.status })),
    add: (id, settings, here, by) => rules.add(id, settings, here, by),
    setEnabled: (id, on, untilMs, by) => rules.setEnabled(id, on, untilMs, by),
    remove: (id, by) => rules.remove(id, by),
  };
}
