import { describe, expect, it } from 'vitest';
import type { RoleGrant } from '../../src/config.ts';
import { encodeAction } from '../../src/core/actions.ts';
import type { Actor } from '../../src/core/adapter.ts';
import type { AlertControl } from '../../src/core/alert-control.ts';
import { Bot } from '../../src/core/bot.ts';
import type { ReplyView, View } from '../../src/core/views.ts';
import { actor, FakeBackend, FakeDirectory, inbound, MemoryAuditStore, participant, RecordingAdapter, room, T0 } from '../core/fakes.ts';

/** The Mute button on a poor-line alert, pressed through the whole core: policy, audit, answer. */

const MOD: RoleGrant = { role: 'moderator', users: ['test:mod'], groups: [], pbx: '*', rooms: '*' };
const VIEW: RoleGrant = { role: 'viewer', users: ['test:viewer'], groups: [], pbx: '*', rooms: '*' };
const ALERT_MESSAGE = { platform: 'test', conversation: 'c-ops', id: 'm-alert' };

function setup(alerts?: AlertControl) {
  const pbx = new FakeBackend('pbx1');
  pbx.add(room('200', [participant('200', 1, { callerName: 'Tim', callerNum: '701' }), participant('200', 2)]));
  const audit = new MemoryAuditStore();
  const adapter = new RecordingAdapter();
  const bot = new Bot({
    directory: new FakeDirectory(pbx), grants: [MOD, VIEW], audit, now: () => T0, newCorrelationId: () => 'c1', ...(alerts === undefined ? {} : { alerts }),
  });
  const handlers = bot.handlersFor(adapter);
  const press = async (who: Actor, uniqueid: string) => {
    const ctx = inbound(who, ALERT_MESSAGE);
    await handlers.action(ctx, encodeAction({ kind: 'alert', op: 'mute', pbx: 'pbx1', room: '200', incident: 'i1', uniqueid }));
    expect(ctx.acks).toBe(1);
  };
  return { pbx, audit, adapter, press };
}

function reply(view: View): ReplyView {
  if (view.kind !== 'reply') throw new Error(`expected a reply, got ${view.kind}`);
  return view;
}

describe('Mute on a poor-line alert', () => {
  it('mutes the participant as the room\'s Mute button does, answers privately, audits, and leaves the alert message alone', async () => {
    const { press, pbx, adapter, audit } = setup();
    const tim = [...pbx.state().rooms.get('200')!.participants.values()].find((p) => p.callerNum === '701')!;
    await press(actor('mod'), tim.uniqueid);
    expect(pbx.calls).toEqual([`mute 200 ${tim.channel} true`]);
    expect(reply(adapter.last().view).text).toBe('Muted Tim (701) in 200.');
    expect(adapter.last().ephemeral).toBe(true);
    expect(adapter.sent.some((s) => s.how === 'update')).toBe(false);
    expect(audit.records.at(-1)).toMatchObject({ command: 'alert_mute', pbx: 'pbx1', room: '200', target: 'Tim (701)', decision: 'allowed', outcome: 'ok' });
  });

  it('tells the alert who muted, once the mute went through', async () => {
    const noted: string[] = [];
    const alerts: AlertControl = {
      press: () => ({ outcome: 'not_found', headline: undefined }),
      lineMuted: (id, by) => { noted.push(`${id} ${by.displayName}`); },
      rules: () => [], openIncidents: () => [],
      add: async () => ({ ok: true }), setEnabled: async () => 'done', remove: async () => 'done',
    };
    const { press, pbx } = setup(alerts);
    const tim = [...pbx.state().rooms.get('200')!.participants.values()].find((p) => p.callerNum === '701')!;
    await press(actor('mod'), tim.uniqueid);
    expect(noted).toEqual(['i1 mod']);
    await press(actor('mod'), '1700000000.99');
    expect(noted).toEqual(['i1 mod']);
  });

  it('needs the moderator role, like the mute command', async () => {
    const { press, pbx, adapter, audit } = setup();
    await press(actor('viewer'), '1700000000.1');
    expect(reply(adapter.last().view).text).toMatch(/not allowed/);
    expect(pbx.calls).toEqual([]);
    expect(audit.records.at(-1)).toMatchObject({ command: 'alert_mute', decision: 'denied' });
  });

  it('says plainly that the caller already left', async () => {
    const { press, pbx, adapter, audit } = setup();
    await press(actor('mod'), '1700000000.99');
    expect(reply(adapter.last().view).text).toBe('That participant already left the room.');
    expect(pbx.calls).toEqual([]);
    expect(audit.records.at(-1)).toMatchObject({ command: 'alert_mute', outcome: 'error', detail: 'already_left' });
  });
});
