import { describe, expect, it } from 'vitest';
import { renderAlert as renderDiscord } from '../../adapters/discord/render.ts';
import { renderAlert as renderSlack } from '../../adapters/slack/render.ts';
import { renderView as renderShell } from '../../adapters/shell/render.ts';
import { EMPTY_ALERT_STATE, ack, raise, resolve } from '../../src/alerts/engine.ts';
import { parseRule } from '../../src/alerts/rules.ts';
import { alertView } from '../../src/alerts/view.ts';
import { decodeAction } from '../../src/core/actions.ts';
import { hangupSignal, ids, rule, rules } from './fixtures.ts';

const longName = 'Ωmega Ünïcode Caller Name With Many Words '.repeat(20);

function bigIncident() {
  const r = rule({ id: 'abn' });
  const raised = raise(EMPTY_ALERT_STATE, hangupSignal({ callerName: longName, channel: `PJSIP/${'x'.repeat(300)}`, causeText: 'c'.repeat(500) }), rules(r), 0, ids());
  return { inc: raised.state.incidents.get('i1')!, r, state: raised.state };
}

describe('alert view', () => {
  it('offers Ack, Resolve, Silence 1h/4h/24h and Show room, as decodable button ids', () => {
    const { inc, r } = bigIncident();
    const view = alertView(inc, r, 0);
    expect(view.buttons.map((b) => b.label)).toEqual(['Ack', 'Resolve', 'Silence 1h', 'Silence 4h', 'Silence 24h', 'Show room']);
    expect(view.buttons.map((b) => decodeAction(b.id))).toContainEqual({ kind: 'alert', op: 'silence', pbx: 'pbx1', room: '200', incident: 'i1', hours: 4 });
  });

  it('drops Ack once acked, and every button once resolved', () => {
    const { r, state } = bigIncident();
    const acked = ack(state, 'i1', 'bob', 1);
    expect(alertView(acked.incident!, r, 1).buttons.map((b) => b.label)).not.toContain('Ack');
    const done = resolve(acked.state, 'i1', 'bob', 2);
    expect(alertView(done.incident!, r, 2).buttons).toEqual([]);
  });

  it('stays within Slack Block Kit and Discord embed limits with long Unicode names', () => {
    const { inc, r } = bigIncident();
    const view = { ...alertView(inc, r, 0), mention: 'S0ONCALL' };
    const slack = renderSlack(view);
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    for (const block of slack.blocks) expect(JSON.stringify(block).length).toBeLessThan(3500);
    expect(slack.text.startsWith('<!subteam^S0ONCALL> ')).toBe(true);
    const discord = renderDiscord({ ...view, mention: '112233445566778899' });
    const embed = discord.embeds[0]!;
    expect(embed.title!.length).toBeLessThanOrEqual(256);
    expect((embed.description ?? '').length).toBeLessThanOrEqual(4096);
    expect(embed.fields!.length).toBeLessThanOrEqual(25);
    for (const f of embed.fields!) expect(f.value.length).toBeLessThanOrEqual(1024);
    expect(JSON.stringify(embed).length).toBeLessThan(6000);
    expect(discord.allowed_mentions).toEqual({ parse: [], roles: ['112233445566778899'] });
    expect(renderShell(view).text).toContain('@S0ONCALL');
  });
});

describe('alert rule validation', () => {
  it('refuses an unknown cause class, naming the rule and the field', () => {
    const r = parseRule({ id: 'abn', causes: ['abnromal'], targets: [{ platform: 'slack', channel: 'C1' }] }, 'alerts.rules[0]');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]).toMatch(/^alerts\.rules\[0\] 'abn' causes\[0\]: unknown cause class: use normal, busy, no_response, no_answer, rejected, abnormal$/);
  });

  it('refuses a target with neither a channel nor a user', () => {
    const r = parseRule({ id: 'abn', targets: [{ platform: 'slack' }] });
    expect(!r.ok && r.problems.join()).toMatch(/targets\[0\]: give exactly one of channel/);
  });
});
