import { z } from 'zod';
import type { AlertControl } from '../alert-control.ts';
import { AlertRuleInvalidError, NotAvailableYetError } from '../errors.ts';
import { formatClock, replyView, type View } from '../views.ts';
import { done, type CommandContext, type CommandSpec } from './spec.ts';

/**
 * `alerts`: admins list, add, mute and remove alert rules (hangups, poor lines). The rule fields are
 * validated by the alert engine's own schema (the same as the config file's); this grammar only
 * checks the shape of what was typed, so nothing odd reaches it.
 */

export type AlertsCommand =
  | { readonly name: 'alerts'; readonly op: 'list' }
  | { readonly name: 'alerts'; readonly op: 'on' | 'remove'; readonly rule: string }
  | { readonly name: 'alerts'; readonly op: 'off'; readonly rule: string; readonly hours: number | undefined }
  | { readonly name: 'alerts'; readonly op: 'add'; readonly rule: string; readonly settings: readonly (readonly [string, string])[] };

export const ALERT_SETTING_KEYS = [
  'when', 'pbx', 'rooms', 'caller', 'callee', 'tech', 'causes', 'min', 'vip', 'escalate', 'to', 'channel', 'user', 'mention', 'storm', 'flap', 'severity',
  'mos', 'loss', 'for',
] as const;

const RULE_ID = /^[a-z0-9][a-z0-9_-]{0,23}$/;
const VALUE = /^[A-Za-z0-9_.,:@+#*?-]{1,120}$/;
const MUTE_FOR: Readonly<Record<string, number>> = { '1h': 1, '4h': 4, '24h': 24 };

const grammar = z.tuple([z.enum(['list', 'add', 'on', 'off', 'remove'], 'say list, add, on, off or remove')], z.string()).transform((words, ctx): AlertsCommand => {
  const [op, rule, ...rest] = words;
  const fail = (message: string): never => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  if (op === 'list') return rest.length > 0 || rule !== undefined ? fail('`alerts list` takes nothing more') : { name: 'alerts', op };
  if (rule === undefined || !RULE_ID.test(rule)) return fail('name the rule: 1-24 lower-case letters, digits, _ or -');
  if (op === 'on' || op === 'remove') return rest.length > 0 ? fail(`\`alerts ${op}\` takes only the rule`) : { name: 'alerts', op, rule };
  if (op === 'off') {
    if (rest.length > 1 || (rest[0] !== undefined && MUTE_FOR[rest[0]] === undefined)) return fail('mute for 1h, 4h or 24h, or leave it out to mute until `alerts on`');
    return { name: 'alerts', op, rule, hours: rest[0] === undefined ? undefined : MUTE_FOR[rest[0]] };
  }
  const settings: [string, string][] = [];
  for (const word of rest) {
    const eq = word.indexOf('=');
    const key = word.slice(0, eq);
    const value = word.slice(eq + 1);
    if (eq < 1 || !(ALERT_SETTING_KEYS as readonly string[]).includes(key)) return fail(`\`${word.slice(0, 24)}\` is not key=value with a key among ${ALERT_SETTING_KEYS.join(', ')}`);
    if (!VALUE.test(value)) return fail(`the value of ${key} is letters, digits and . , : @ + # * ? _ - only`);
    settings.push([key, value]);
  }
  return { name: 'alerts', op: 'add', rule, settings };
});

function control(ctx: CommandContext): AlertControl {
  const alerts = ctx.deps.alerts;
  if (alerts === undefined) throw new NotAvailableYetError('Alerts', 'An admin can set them up: see docs/alerts.md.');
  return alerts;
}

function listView(alerts: AlertControl): View {
  const rules = alerts.rules();
  const open = alerts.openIncidents();
  if (rules.length === 0) return replyView('No alert rules yet. Add one with `alerts add <id> when=hangup causes=abnormal` (see docs/alerts.md).');
  const state = (r: (typeof rules)[number]): string =>
    (!r.enabled ? 'off' : r.mutedUntil !== undefined ? `muted until ${formatClock(r.mutedUntil)} UTC` : 'on');
  const openText = open.length === 0 ? 'No open incidents.' : `${open.length} open: ${open.slice(0, 5).map((i) => `${i.headline} (${i.status})`).join('; ')}`;
  return replyView(`${rules.length} alert rule${rules.length === 1 ? '' : 's'}. ${openText}`, {
    table: { columns: ['Rule', 'When', 'Where', 'From', 'State'], rows: rules.map((r) => [r.id, r.when, r.where, r.source, state(r)]) },
  });
}

async function run(command: AlertsCommand, ctx: CommandContext): Promise<View> {
  const alerts = control(ctx);
  const { actor, conversation } = ctx.env;
  switch (command.op) {
    case 'list':
      return listView(alerts);
    case 'add': {
      const added = await alerts.add(command.rule, command.settings, conversation, actor);
      if (!added.ok) throw new AlertRuleInvalidError(added.problems);
      return replyView(`Alert rule ${command.rule} added.`, { tone: 'success' });
    }
    case 'on':
    case 'off':
    case 'remove': {
      const until = command.op === 'off' && command.hours !== undefined ? ctx.deps.now() + command.hours * 3_600_000 : undefined;
      const result = command.op === 'remove' ? await alerts.remove(command.rule, actor) : await alerts.setEnabled(command.rule, command.op === 'on', until, actor);
      if (result === 'not_found') return replyView(`No alert rule ${command.rule}. \`alerts list\` shows them.`, { tone: 'warning' });
      if (result === 'from_config') return replyView(`Rule ${command.rule} comes from the config file: remove it there (you can turn it off here).`, { tone: 'warning' });
      const text = command.op === 'remove' ? 'removed' : command.op === 'on' ? 'on' : until === undefined ? 'off' : `muted until ${formatClock(until)} UTC`;
      return replyView(`Alert rule ${command.rule} ${text}.`, { tone: 'success' });
    }
  }
}

export const alertsSpec: CommandSpec<AlertsCommand> = {
  name: 'alerts',
  usage: 'alerts list | add <rule> key=value... | on <rule> | off <rule> [1h|4h|24h] | remove <rule>',
  summary: 'hangup and poor-line alert rules (admins)',
  minArgs: 1, maxArgs: 20, grammar,
  options: [
    { name: 'op', description: 'list, add, on, off or remove', type: 'string', required: true, choices: ['list', 'add', 'on', 'off', 'remove'] },
    { name: 'rule', description: 'rule id', type: 'string', required: false },
    { name: 'settings', description: 'for add: key=value words (when= rooms= causes= mos= escalate= ...); for off: 1h, 4h or 24h', type: 'string', required: false },
  ],
  leastRole: 'admin', confirmation: 'never', roomMayBeInactive: false,
  role: () => 'admin',
  // Rules may cover every PBX: changing them needs admin everywhere; listing, any admin grant.
  scope: (c) => (c.op === 'list' ? 'none' : 'everywhere'),
  roomOf: () => undefined, visibility: () => 'private',
  auditTarget: (c) => (c.op === 'list' ? undefined : c.rule),
  wordsFromOptions: (v) => [String(v.op ?? ''), ...(typeof v.rule === 'string' ? [v.rule] : []), ...(typeof v.settings === 'string' ? v.settings.split(/\s+/).filter(Boolean) : [])],
  handle: async (c, ctx) => done(await run(c, ctx), c.op === 'list' ? undefined : c.rule),
};
