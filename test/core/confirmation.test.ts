import { describe, expect, it } from 'vitest';
import type { RoleGrant } from '../../src/config.ts';
import { decodeAction, encodeAction, type Action } from '../../src/core/actions.ts';
import { Bot } from '../../src/core/bot.ts';
import { CONFIRMATION_TTL_MS } from '../../src/core/confirmation.ts';
import { BadActionError } from '../../src/core/errors.ts';
import type { ReplyView, View } from '../../src/core/views.ts';
import { actor, FakeBackend, FakeDirectory, inbound, MemoryAuditStore, participant, RecordingAdapter, room, T0 } from './fakes.ts';

const MOD: RoleGrant = { role: 'moderator', users: ['test:mod'], groups: [], pbx: '*', rooms: '*' };

/** A bot behind an adapter that draws no confirm dialog of its own (Discord-like). */
function setup(nativeConfirmDialogs = false) {
  const pbx = new FakeBackend('pbx1');
  pbx.add(room('200', [participant('200', 1, { callerName: 'Tim', callerNum: '701' }), participant('200', 2)]));
  const adapter = new RecordingAdapter();
  adapter.limits = { ...adapter.limits, nativeConfirmDialogs };
  const audit = new MemoryAuditStore();
  const clock = { now: T0 };
  const bot = new Bot({ directory: new FakeDirectory(pbx), grants: [MOD], audit, now: () => clock.now });
  const handlers = bot.handlersFor(adapter);
  const run = async (text: string) => {
    const ctx = inbound(actor('mod'));
    await handlers.command(ctx, text);
    return { sent: adapter.last(), visibilities: ctx.visibilities };
  };
  const press = async (id: string) => {
    const ctx = inbound(actor('mod'), { platform: 'test', conversation: 'c1', id: 'm1' });
    await handlers.action(ctx, id);
    return { sent: adapter.last(), visibilities: ctx.visibilities };
  };
  return { pbx, clock, audit, run, press };
}

function reply(view: View): ReplyView {
  if (view.kind !== 'reply') throw new Error(`expected a reply, got ${view.kind}`);
  return view;
}

function button(view: View, label: string): string {
  const found = reply(view).buttons.find((b) => b.label === label);
  if (found === undefined) throw new Error(`no ${label} button`);
  return found.id;
}

describe('confirmation as a core action', () => {
  it('asks with Confirm and Cancel buttons bound to the action, and acts on Confirm', async () => {
    const { pbx, run, press, audit } = setup();
    const ask = await run('kick 200 all');
    expect(ask.sent.ephemeral).toBe(true);
    expect(reply(ask.sent.view).buttons.map((b) => [b.label, b.confirm])).toEqual([['Kick all', undefined], ['Cancel', undefined]]);
    const confirm = decodeAction(button(ask.sent.view, 'Kick all'));
    expect(confirm).toMatchObject({ kind: 'confirm', action: { kind: 'kick_all', pbx: 'pbx1', room: '200' }, expiresAt: T0 + CONFIRMATION_TTL_MS });
    await press(button(ask.sent.view, 'Kick all'));
    expect(pbx.calls).toEqual(['kick 200 all']);
    expect(audit.records.map((r) => r.command)).toEqual(['kick', 'kick_all']);
  });

  it('does nothing on Cancel and says so', async () => {
    const { pbx, run, press } = setup();
    const ask = await run('mute 200 all');
    const out = await press(button(ask.sent.view, 'Cancel'));
    expect(reply(out.sent.view).text).toBe('Cancelled.');
    expect(pbx.calls).toEqual([]);
  });

  it('answers a Confirm pressed after the question lapsed plainly, and does nothing', async () => {
    const { pbx, clock, run, press } = setup();
    const ask = await run('transfer 200 1 600');
    clock.now += CONFIRMATION_TTL_MS + 1;
    const out = await press(button(ask.sent.view, 'Transfer to 600'));
    expect(reply(out.sent.view).text).toMatch(/confirmation has expired, so nothing was done/);
    expect(reply(out.sent.view).tone).toBe('info');
    expect(pbx.calls).toEqual([]);
  });

  it('still acts on a Confirm pressed just before the question lapses', async () => {
    const { pbx, clock, run, press } = setup();
    const ask = await run('transfer 200 1 600');
    clock.now += CONFIRMATION_TTL_MS - 1000;
    await press(button(ask.sent.view, 'Transfer to 600'));
    expect(pbx.calls).toEqual(['transfer 200 PJSIP/701-00000001 600@']);
  });

  it('asks before a status-message Kick press on a platform without confirm dialogs', async () => {
    const { pbx, run, press } = setup();
    await run('list');
    const kick = encodeAction({ kind: 'kick', pbx: 'pbx1', room: '200', uniqueid: '1700000000.1' });
    const ask = await press(kick);
    expect(reply(ask.sent.view).text).toMatch(/^Kick Tim \(701\) from room 200\? Press the button to confirm\./);
    expect(pbx.calls).toEqual([]);
    await press(button(ask.sent.view, 'Kick'));
    expect(pbx.calls).toEqual(['kick 200 PJSIP/701-00000001']);
  });

  it('acts on a status-message Kick press where the platform asked with its own dialog', async () => {
    const { pbx, press } = setup(true);
    await press(encodeAction({ kind: 'kick', pbx: 'pbx1', room: '200', uniqueid: '1700000000.1' }));
    expect(pbx.calls).toEqual(['kick 200 PJSIP/701-00000001']);
  });

  it('keeps a single dialog-carrying button where the platform draws dialogs', async () => {
    const { run } = setup(true);
    const ask = await run('kick 200 all');
    expect(reply(ask.sent.view).buttons.map((b) => [b.label, b.confirm?.title])).toEqual([['Kick all', 'Kick everyone?']]);
  });
});

describe('confirm action ids', () => {
  it('round-trip the exact action and the expiry, to the second', () => {
    const inner = { kind: 'transfer', pbx: 'pbx1', room: '200', uniqueid: '1700000000.12', exten: '600', context: 'default' } as const;
    const action: Action = { kind: 'confirm', pbx: 'pbx1', room: '200', action: inner, expiresAt: 1_800_000_000_000 };
    expect(decodeAction(encodeAction(action))).toEqual(action);
  });

  it('refuses a confirm wrapping an action that is never confirmed, or a malformed expiry', () => {
    expect(() => decodeAction('v1|c|zzzzzz|m|pbx1|200|u1|1')).toThrow(BadActionError);
    expect(() => decodeAction('v1|c|ZZ|k|pbx1|200|u1')).toThrow(BadActionError);
    expect(() => decodeAction('v1|c|zzzzzz|c|zzzzzz|k|pbx1|200|u1')).toThrow(BadActionError);
  });
});

describe('ack visibility', () => {
  it('tells the adapter, with the ack, who will see the reply', async () => {
    const { run, press } = setup();
    expect((await run('list')).visibilities).toEqual(['channel']);
    expect((await run('help')).visibilities).toEqual(['private']);
    expect((await run('kick 200 all')).visibilities).toEqual(['private']);
    expect((await run('kick 200 all confirm')).visibilities).toEqual(['channel']);
    expect((await run('nonsense')).visibilities).toEqual(['private']);
    expect((await press('v1|x|pbx1|200')).visibilities).toEqual(['private']);
  });

  it('replies with the visibility it acked with', async () => {
    const { run } = setup();
    const listed = await run('list');
    expect(listed.sent.ephemeral).toBe(false);
    const asked = await run('mute 200 all');
    expect(asked.sent.ephemeral).toBe(true);
  });
});
