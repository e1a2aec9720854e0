import { describe, expect, it } from 'vitest';
import { renderAlert as renderDiscord } from '../../adapters/discord/render.ts';
import { renderAlert as renderSlack } from '../../adapters/slack/render.ts';
import { renderView as renderShell } from '../../adapters/shell/render.ts';
import { EMPTY_ALERT_STATE, ack, noteMuted, raiseFor, recover } from '../../src/alerts/engine.ts';
import { decodeAlerts, encodeAlerts } from '../../src/alerts/persist.ts';
import type { AlertSignal } from '../../src/alerts/signals.ts';
import { alertView } from '../../src/alerts/view.ts';
import { decodeAction, encodeAction } from '../../src/core/actions.ts';
import { ids, rule } from './fixtures.ts';

const r = rule({ id: 'lines', when: 'poor_line' });

function poorLine(over: Partial<AlertSignal> = {}): AlertSignal {
  return {
    kind: 'poor_line', pbx: 'pbx1', room: '200', uniqueid: '1700000000.7', channel: 'PJSIP/701-00000007', tech: 'PJSIP',
    callerNum: '701', callerName: 'Tim', cause: undefined, causeText: undefined, techCause: undefined, durationSec: 600, at: 40_000,
    injection: undefined, talkers: [], quality: { mos: 2.1, lossPct: 9, poorSec: 40, since: 0 }, ...over,
  };
}

function raised(signal = poorLine()) {
  return raiseFor(EMPTY_ALERT_STATE, r, signal, 40_000, ids());
}

describe('poor-line alert view', () => {
  it('puts Mute next to Ack, bound to the participant', () => {
    const view = alertView(raised().state.incidents.get('i1')!, r, 40_000);
    expect(view.title).toBe('Tim (701) in room 200: MOS 2.1, 9% loss for 40 s');
    expect(view.severity).toBe('warning');
    expect(view.buttons.map((b) => b.label)).toEqual(['Ack', 'Mute', 'Resolve', 'Silence 1h', 'Silence 4h', 'Silence 24h', 'Show room']);
    expect(decodeAction(view.buttons[1]!.id)).toEqual({ kind: 'alert', op: 'mute', pbx: 'pbx1', room: '200', incident: 'i1', uniqueid: '1700000000.7' });
  });

  it('keeps Mute after an Ack and drops every button once the line recovered', () => {
    const step = raised();
    const acked = ack(step.state, 'i1', 'bob', 50_000);
    expect(alertView(acked.incident!, r, 50_000).buttons.map((b) => b.label)).toEqual(['Mute', 'Resolve', 'Silence 1h', 'Silence 4h', 'Silence 24h', 'Show room']);
    const done = recover(acked.state, 'lines', 'pbx1', '1700000000.7', poorLine({ at: 90_000 }), 90_000);
    const view = alertView(done.state.incidents.get('i1')!, r, 90_000);
    expect(view.buttons).toEqual([]);
    expect(view.severity).toBe('info');
    expect(view.text).toBe('acked by bob at 00:00 UTC; line recovered at 00:01 UTC.');
  });

  it('says who muted the caller from the alert, and drops Mute', () => {
    const step = noteMuted(raised().state, 'i1', 'bob', 60_000);
    expect(step.effects).toEqual([{ type: 'update', incidentId: 'i1' }]);
    const view = alertView(step.state.incidents.get('i1')!, r, 60_000);
    expect(view.text).toBe('muted by bob at 00:01 UTC.');
    expect(view.buttons.map((b) => b.label)).toEqual(['Ack', 'Resolve', 'Silence 1h', 'Silence 4h', 'Silence 24h', 'Show room']);
  });

  it('renders on Slack, Discord and the shell with the headline and a Mute button', () => {
    const view = alertView(raised().state.incidents.get('i1')!, r, 40_000);
    const slack = renderSlack(view);
    expect(slack.text).toContain('Tim (701) in room 200: MOS 2.1, 9% loss for 40 s');
    const slackValues = slack.blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as { value?: string }[]).map((e) => e.value) : []));
    expect(slackValues).toContain(view.buttons[1]!.id);
    const discord = renderDiscord(view);
    expect(discord.embeds[0]!.title).toBe('Tim (701) in room 200: MOS 2.1, 9% loss for 40 s');
    expect(JSON.stringify(discord.components)).toContain(view.buttons[1]!.id);
    const shell = renderShell(view).text;
    expect(shell).toContain('Tim (701) in room 200: MOS 2.1, 9% loss for 40 s');
    expect(shell).toMatch(/\[\d+\] Mute/);
  });

  it('leaves Mute out when the ids do not fit a button, keeping the others', () => {
    const view = alertView(raised(poorLine({ uniqueid: 'u'.repeat(41) })).state.incidents.get('i1')!, r, 40_000);
    expect(view.buttons.map((b) => b.label)).not.toContain('Mute');
    expect(view.buttons.map((b) => b.label)).toContain('Ack');
  });

  it('keeps the figures and the recovery across a restart', () => {
    const step = raised();
    const done = recover(step.state, 'lines', 'pbx1', '1700000000.7', poorLine({ at: 90_000, quality: { mos: 1.9, lossPct: undefined, poorSec: 90, since: 0 } }), 90_000);
    const decoded = decodeAlerts(encodeAlerts({ state: done.state, deliveries: [] }));
    expect(decoded.ok).toBe(true);
    const inc = decoded.ok ? decoded.value.state.incidents.get('i1') : undefined;
    expect(inc?.recoveredAt).toBe(90_000);
    expect(inc?.latest.quality).toEqual({ mos: 1.9, poorSec: 90, since: 0 });
  });
});

describe('alert Mute button id', () => {
  it('round-trips and refuses a uniqueid with characters a channel id never has', () => {
    const action = { kind: 'alert', op: 'mute', pbx: 'pbx1', room: '200', incident: 'i1', uniqueid: '1700000000.7' } as const;
    expect(encodeAction(action)).toBe('v1|am|pbx1|200|i1|1700000000.7');
    expect(decodeAction('v1|am|pbx1|200|i1|1700000000.7')).toEqual(action);
    expect(() => decodeAction('v1|am|pbx1|200|i1|17 00')).toThrow(/malformed am action id/);
    expect(() => decodeAction('v1|am|pbx1|200|i1')).toThrow(/malformed am action id/);
  });
});
