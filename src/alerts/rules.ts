import { z } from 'zod';
import { CAUSE_CLASSES } from './causes.ts';

/**
 * Alert rules: what to watch for and whom to tell. One zod schema serves the config file and the
 * rules admins add from chat, so both are refused with the same words.
 */

export const SIGNAL_KINDS = ['hangup', 'vip_left', 'room_emptied', 'ended_while_talking', 'injection_died', 'poor_line'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export const ALERT_PLATFORMS = ['slack', 'discord', 'shell'] as const;
export type AlertPlatform = (typeof ALERT_PLATFORMS)[number];

export const MAX_RULE_ID_LENGTH = 24;
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const GLOB = /^[A-Za-z0-9_.@+#*?-]{1,64}$/;
const NUMBER_GLOB = /^\+?[0-9*?#]{1,32}$/;

/** Where an alert goes: a channel, or a DM to one user; `mention` pings a user group or role in it. */
export const alertTargetSchema = z
  .object({
    platform: z.enum(ALERT_PLATFORMS, { error: `platform must be one of ${ALERT_PLATFORMS.join(', ')}` }),
    channel: z.string().regex(SAFE_ID, 'channel is a platform channel id (letters, digits, . _ : -)').optional(),
    user: z.string().regex(SAFE_ID, 'user is a platform user id (letters, digits, . _ : -)').optional(),
    mention: z.string().regex(SAFE_ID, 'mention is a user group (Slack) or role (Discord) id').optional(),
  })
  .strict()
  .refine((t) => (t.channel === undefined) !== (t.user === undefined), {
    message: 'give exactly one of channel (post in a channel) or user (send a direct message)',
  });

export type AlertTarget = z.infer<typeof alertTargetSchema>;

export const alertRuleSchema = z
  .object({
    id: z.string().regex(new RegExp(`^[a-z0-9][a-z0-9_-]{0,${MAX_RULE_ID_LENGTH - 1}}$`), `id is 1-${MAX_RULE_ID_LENGTH} lower-case letters, digits, _ or -`),
    when: z.enum(SIGNAL_KINDS, { error: `when must be one of ${SIGNAL_KINDS.join(', ')}` }).default('hangup'),
    pbx: z.string().regex(GLOB, 'pbx is a glob on the PBX id (letters, digits, * and ?)').default('*'),
    rooms: z.string().regex(GLOB, 'rooms is a glob on the room name (letters, digits, * and ?)').default('*'),
    caller: z.string().regex(NUMBER_GLOB, 'caller is a number pattern: digits, + at the start, * and ?').default('*'),
    callee: z.string().regex(NUMBER_GLOB, 'callee is a number pattern: digits, + at the start, * and ?').default('*'),
    /** Channel technologies (PJSIP, SIP, IAX2, DAHDI, Local ...); empty means any. */
    tech: z.array(z.string().regex(/^[A-Za-z0-9]{1,16}$/, 'tech is a channel technology such as PJSIP or Local')).default([]),
    causes: z
      .array(z.enum(CAUSE_CLASSES, { error: `unknown cause class: use ${CAUSE_CLASSES.join(', ')}` }))
      .min(1, 'causes needs at least one cause class')
      .default(['abnormal']),
    minDurationSec: z.number({ error: 'minDurationSec must be a number of seconds' }).int().min(0).max(86_400).default(0),
    /** Caller numbers that are VIPs, for `when: vip_left`. */
    vip: z.array(z.string().regex(NUMBER_GLOB, 'vip holds number patterns: digits, + at the start, * and ?')).default([]),
    targets: z.array(alertTargetSchema).min(1, 'targets needs at least one target'),
    escalation: z
      .object({
        afterMinutes: z.number({ error: 'afterMinutes must be a number of minutes' }).int().min(1).max(1_440),
        targets: z.array(alertTargetSchema).min(1, 'escalation.targets needs at least one target'),
      })
      .strict()
      .optional(),
    storm: z
      .object({
        /** More alerts than this in a minute for the rule become one digest. */
        perMinute: z.number().int().min(2).max(10_000).default(10),
        /** The storm is over after this long without a matching event. */
        quietSec: z.number().int().min(10).max(3_600).default(120),
      })
      .strict()
      .default({ perMinute: 10, quietSec: 120 }),
    /** The same caller dropping again within this window folds into the open incident. */
    flapWindowSec: z.number().int().min(0).max(86_400).default(300),
    /** poor_line: a line is bad while its worse direction's MOS is below this (default 3.0 when no loss is given). */
    mosBelow: z.number({ error: 'mosBelow must be a MOS such as 3.0' }).min(1, 'mosBelow is a MOS from 1.0 to 4.5').max(4.5, 'mosBelow is a MOS from 1.0 to 4.5').optional(),
    /** poor_line: ... or while its packet loss in the last 10 s is above this percentage. */
    lossAbovePct: z.number({ error: 'lossAbovePct must be a percentage' }).min(0, 'lossAbovePct is a percentage from 0 to 100').max(100, 'lossAbovePct is a percentage from 0 to 100').optional(),
    /** poor_line: how long a line must stay bad before it alerts. */
    forSec: z.number({ error: 'forSec must be a number of seconds' }).int('forSec is whole seconds').min(0).max(3_600).optional(),
    severity: z.enum(['critical', 'warning', 'info']).optional(),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((r) => r.when !== 'vip_left' || r.vip.length > 0, { message: 'a vip_left rule needs vip numbers', path: ['vip'] })
  .superRefine((r, ctx) => {
    if (r.when === 'poor_line') return;
    for (const key of ['mosBelow', 'lossAbovePct', 'forSec'] as const) {
      if (r[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies to when: poor_line rules only` });
    }
  });

export type AlertRule = z.infer<typeof alertRuleSchema>;
export type AlertRuleInput = z.input<typeof alertRuleSchema>;

export const alertRulesSchema = z.array(alertRuleSchema).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate rule id '${rule.id}': give each rule its own id` });
    seen.add(rule.id);
  });
});

/** Every target of a rule in paging order: the first targets, then one escalation step each. */
export function ruleTargets(rule: AlertRule): readonly AlertTarget[] {
  return [...rule.targets, ...(rule.escalation?.targets ?? [])];
}

/** Defaults of a poor_line rule: a MOS below 3.0 held for 30 s. */
export const DEFAULT_MOS_BELOW = 3.0;
export const DEFAULT_POOR_FOR_SEC = 30;

export interface PoorLineThresholds {
  readonly mosBelow: number | undefined;
  readonly lossAbovePct: number | undefined;
  readonly forSec: number;
}

/** A rule that names only a loss threshold watches loss alone; one that names neither, MOS < 3.0. */
export function poorLineThresholds(rule: Pick<AlertRule, 'mosBelow' | 'lossAbovePct' | 'forSec'>): PoorLineThresholds {
  return {
    mosBelow: rule.mosBelow ?? (rule.lossAbovePct === undefined ? DEFAULT_MOS_BELOW : undefined),
    lossAbovePct: rule.lossAbovePct,
    forSec: rule.forSec ?? DEFAULT_POOR_FOR_SEC,
  };
}

export function severityOf(rule: AlertRule): 'critical' | 'warning' | 'info' {
  return rule.severity ?? (rule.when === 'hangup' || rule.when === 'injection_died' ? 'critical' : 'warning');
}

export type RuleParse = { readonly ok: true; readonly rule: AlertRule } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Validates one rule and names the rule and field of each problem: `rule 'vip' causes[0]: unknown
 * cause class ...`. `where` prefixes the path (`alerts.rules[2]`) for config-file errors.
 */
export function parseRule(input: unknown, where = 'rule'): RuleParse {
  const parsed = alertRuleSchema.safeParse(input);
  if (parsed.success) return { ok: true, rule: parsed.data };
  const id = typeof input === 'object' && input !== null && 'id' in input && typeof input.id === 'string' ? ` '${input.id}'` : '';
  return { ok: false, problems: parsed.error.issues.map((issue) => `${where}${id} ${formatPath(issue.path)}: ${issue.message}`) };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(rule)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
