import { describe, expect, it } from 'vitest';
import type { RoleGrant } from '../../src/config.ts';
import { encodeAction } from '../../src/core/actions.ts';
import type { Actor, Conversation } from '../../src/core/adapter.ts';
import { Bot, type BotDeps } from '../../src/core/bot.ts';
import { parseConfig } from '../../src/config.ts';
import { summarizeConfig } from '../../src/config-summary.ts';
import { PbxUnavailableError } from '../../src/conference/errors.ts';
import { createLogger } from '../../src/log.ts';
import type { Participant } from '../../src/conference/types.ts';
import type { ListenService, WatchService } from '../../src/core/services.ts';
import type { ReplyView, StatusView, View } from '../../src/core/views.ts';
import { actor, FakeBackend, FakeDirectory, inbound, MemoryAuditStore, participant, RecordingAdapter, room, T0 } from './fakes.ts';

const MOD: RoleGrant = { role: 'moderator', users: ['test:mod'], groups: [], pbx: '*', rooms: '*' };
const ADMIN: RoleGrant = { role: 'admin', users: ['test:boss'], groups: [], pbx: '*', rooms: '*' };
const VIEW: RoleGrant = { role: 'viewer', users: ['test:viewer'], groups: [], pbx: '*', rooms: '*' };

function setup(extra: Partial<BotDeps> = {}, backends?: FakeBackend[]) {
  const pbx = new FakeBackend('pbx1');
  pbx.add(room('200', [participant('200', 1, { callerName: 'Tim', callerNum: '701' }), participant('200', 2), participant('200', 3)]));
  pbx.add(room('300', [participant('300', 4)]));
  const directory = new FakeDirectory(...(backends ?? [pbx]));
  const audit = new MemoryAuditStore();
  const adapter = new RecordingAdapter();
  let n = 0;
  const bot = new Bot({ directory, grants: [MOD, ADMIN, VIEW], audit, now: () => T0, newCorrelationId: () => `c${++n}`, ...extra });
  const handlers = bot.handlersFor(adapter);
  const run = async (who: Actor, text: string) => {
    const ctx = inbound(who);
    await handlers.command(ctx, text);
    expect(ctx.acks).toBe(1);
    return adapter.last();
  };
  const press = async (who: Actor, id: string, message = { platform: 'test', conversation: 'c1', id: 'm-status' }) => {
    const ctx = inbound(who, message);
    await handlers.action(ctx, id);
    expect(ctx.acks).toBe(1);
  };
  const send = (who: Actor, text: string) => handlers.command(inbound(who), text);
  return { pbx, directory, audit, adapter, bot, run, press, send };
}

function reply(view: View): ReplyView {
  if (view.kind !== 'reply') throw new Error(`expected a reply, got ${view.kind}`);
  return view;
}

describe('Bot: commands', () => {
  it('answers help and whoami privately', async () => {
    const { run } = setup();
    const help = await run(actor('anyone'), 'help');
    expect(help.ephemeral).toBe(true);
    expect(reply(help.view).table?.rows.map((r) => r[0])).toContain('mute <room> <who|all> [confirm]');
    const who = await run(actor('mod'), 'whoami');
    expect(reply(who.view).text).toMatch(/You are mod \(test:mod\). Role: moderator/);
  });

  it('tells the local user they were given admin', async () => {
    const { run } = setup({ localAdmin: { platform: 'test', userId: 'me' } });
    expect(reply((await run(actor('me'), 'whoami')).view).text).toMatch(/Role: admin.*local user/);
  });

  it('lists rooms with counts', async () => {
    const { run } = setup();
    const out = await run(actor('viewer'), 'list');
    expect(reply(out.view).table?.rows).toEqual([['200', '3', '10m 00s', ''], ['300', '1', '10m 00s', '']]);
  });

  it('shows a one-shot status view when no WatchService is wired', async () => {
    const { run } = setup();
    const out = await run(actor('viewer'), 'show 200');
    expect(out.ephemeral).toBe(false);
    expect((out.view as StatusView).kind).toBe('status');
    expect((out.view as StatusView).count).toBe(3);
  });

  it('mutes one participant, replies, and audits the outcome', async () => {
    const { run, pbx, audit } = setup();
    const out = await run(actor('mod'), 'mute 200 Tim');
    expect(reply(out.view).text).toBe('Muted Tim (701) in 200.');
    expect(pbx.calls).toEqual(['mute 200 Tim true']);
    expect(audit.records).toEqual([expect.objectContaining({
      command: 'mute', pbx: 'pbx1', room: '200', target: 'Tim (701)', decision: 'allowed', outcome: 'ok', correlationId: 'c1',
      actor: { platform: 'test', userId: 'mod', displayName: 'mod' }, at: T0,
    })]);
  });

  it('refuses a viewer\'s mute with the needed role and a correlation id, and audits the denial', async () => {
    const { run, pbx, audit } = setup();
    const out = await run(actor('viewer'), 'mute 200 3');
    const view = reply(out.view);
    expect(view.text).toMatch(/not allowed to run `mute`.*moderator/);
    expect(view.correlationId).toBe('c1');
    expect(out.ephemeral).toBe(true);
    expect(pbx.calls).toEqual([]);
    expect(audit.records).toEqual([expect.objectContaining({ command: 'mute', decision: 'denied', outcome: 'denied', room: '200' })]);
  });

  it('kicks one participant at once, but asks before kicking everyone', async () => {
    const { run, pbx, press, adapter, audit } = setup();
    expect(reply((await run(actor('mod'), 'kick 200 3')).view).text).toBe('Kicked Caller3 (703) from 200.');
    const ask = reply((await run(actor('mod'), 'kick 200 all')).view);
    expect(pbx.calls).toEqual(['kick 200 3']);
    const button = ask.buttons[0];
    expect(button?.confirm).toBeDefined();
    await press(actor('mod'), button?.id ?? '');
    expect(pbx.calls).toEqual(['kick 200 3', 'kick 200 all']);
    expect(audit.records.map((r) => [r.command, r.target, r.detail])).toEqual([
      ['kick', 'Caller3 (703)', expect.stringContaining('moderator via')], ['kick', 'everyone', 'confirmation asked'],
      ['kick_all', 'everyone', expect.stringContaining('moderator via')],
    ]);
    expect(adapter.sent.some((s) => s.view.kind === 'reply' && /Kicked .* from 200/.test(s.view.text) && s.ephemeral === true)).toBe(true);
  });

  it('asks before muting everyone; unmuting everyone acts at once', async () => {
    const { run, pbx } = setup();
    expect(reply((await run(actor('mod'), 'mute 200 all')).view).buttons[0]?.confirm?.title).toBe('Mute everyone?');
    expect(pbx.calls).toEqual([]);
    await run(actor('mod'), 'unmute 200 all');
    expect(pbx.calls).toEqual(['mute 200 all false']);
  });

  it('locks, records, plays muzak and streams', async () => {
    const { run, pbx } = setup();
    expect(reply((await run(actor('mod'), 'lock 200')).view).text).toBe('Room 200 is locked.');
    await run(actor('mod'), 'unlock 200');
    await run(actor('mod'), 'record start 200');
    await run(actor('mod'), 'muzak on 200');
    await run(actor('mod'), 'stream off 200');
    expect(pbx.calls).toEqual(['lock 200 true', 'lock 200 false', 'record 200 true', 'muzak 200 true', 'stream 200 false']);
  });

  it('reads a topic as a viewer and sets one as a moderator', async () => {
    const { run, pbx } = setup();
    expect(reply((await run(actor('viewer'), 'topic 200 Tim')).view).text).toBe('Tim (701) has no topic.');
    expect(reply((await run(actor('viewer'), 'topic 200 Tim "x"')).view).text).toMatch(/not allowed/);
    expect(reply((await run(actor('mod'), 'topic 200 Tim "bob from cincinnati"')).view).text).toContain('bob from cincinnati');
    expect(pbx.calls).toEqual(['topic 200 Tim bob from cincinnati']);
  });

  it('confirms a transfer with a button, then transfers on the press', async () => {
    const { run, pbx, press, adapter } = setup();
    const ask = reply((await run(actor('mod'), 'transfer 200 Tim 600@sales')).view);
    expect(ask.buttons[0]?.confirm?.text).toContain('Tim (701)');
    expect(pbx.calls).toEqual([]);
    await press(actor('mod'), ask.buttons[0]?.id ?? '');
    expect(pbx.calls).toEqual(['transfer 200 PJSIP/701-00000001 600@sales']);
    expect(adapter.sent.map((s) => s.view).some((v) => v.kind === 'reply' && v.text === 'Transferred Tim (701) to 600@sales.')).toBe(true);
  });

  it('lists rooms with their flags: locked, recording, music and streaming', async () => {
    const { run, pbx } = setup();
    const injection = { channel: 'Local/x', uniqueid: '9.9', since: T0 };
    pbx.add(room('400', [participant('400', 5)], { locked: true, recording: true, muzak: injection, stream: injection }));
    pbx.add(room('500', [participant('500', 6)], { muzak: injection }));
    const rows = reply((await run(actor('viewer'), 'list')).view).table?.rows;
    expect(rows?.find((r) => r[0] === '400')?.[3]).toBe('locked, recording, music, streaming');
    expect(rows?.find((r) => r[0] === '500')?.[3]).toBe('music');
  });

  it('invites a number and reports a failed call', async () => {
    const { run } = setup();
    expect(reply((await run(actor('mod'), 'invite 200 555')).view).text).toBe('555 answered and is joining 200.');
    expect(reply((await run(actor('mod'), 'invite 200 999')).view).text).toMatch(/Could not bring 999 .*busy/);
  });

  it('audits a failed invite as an error and answers it with a reference', async () => {
    const { run, audit } = setup();
    const view = reply((await run(actor('mod'), 'invite 200 999')).view);
    expect(view.text).toBe('Could not bring 999 into 200: busy.');
    expect(view.correlationId).toBe('c1');
    expect(audit.records).toEqual([expect.objectContaining({
      command: 'invite', room: '200', target: '999', decision: 'allowed', outcome: 'error', detail: 'invite_failed', correlationId: 'c1',
    })]);
  });

  it('does not invite into a room the PBX does not hold, since the PBX would refuse it', async () => {
    const { run, pbx } = setup();
    expect(reply((await run(actor('mod'), 'invite 900 555')).view).text).toMatch(/^No room `900` is active./);
    expect(pbx.calls).toEqual([]);
  });

  it('shows the lobby queue and brings a caller in', async () => {
    const { run, pbx } = setup();
    pbx.waiting = [{ uniqueid: 'q1', channel: 'PJSIP/800-1', callerNum: '800', callerName: 'Wendy', waitingSince: T0 - 30_000, position: 1 }];
    expect(reply((await run(actor('viewer'), 'queue 200')).view).table?.rows).toEqual([['1', 'Wendy', '800', '30s']]);
    expect(reply((await run(actor('mod'), 'bringin 200 1')).view).text).toBe('Brought Wendy into room 200.');
    expect(reply((await run(actor('viewer'), 'queue 200')).view).text).toMatch(/Nobody is waiting/);
  });

  it('names the PBX, not the room, when a typed pbx/room has an unknown PBX, and suggests the closest', async () => {
    const { run, pbx } = setup();
    const view = reply((await run(actor('mod'), 'mute pbx/200 Tim')).view);
    expect(view.text).toBe('No PBX `pbx`. Did you mean `pbx1`? Known PBXs: pbx1.');
    expect(view.tone).toBe('warning');
    expect(reply((await run(actor('mod'), 'mute eu-west/200 Tim')).view).text).toBe('No PBX `eu-west`. Known PBXs: pbx1.');
    expect(pbx.calls).toEqual([]);
  });

  it('lists only the PBXs the actor may view when a typed PBX is unknown', async () => {
    const narrow: RoleGrant = { role: 'moderator', users: ['test:narrow'], groups: [], pbx: 'a', rooms: '*' };
    const a = new FakeBackend('a');
    const b = new FakeBackend('b');
    const { run } = setup({ grants: [narrow, { ...narrow, pbx: 'nope*' }] }, [a, b]);
    expect(reply((await run(actor('narrow'), 'show nope1/200')).view).text).toBe('No PBX `nope1`. Known PBXs: a.');
  });

  it('says how many audit entries it shows, in the singular for one', async () => {
    const { run } = setup();
    await run(actor('mod'), 'mute 200 Tim');
    expect(reply((await run(actor('boss'), 'audit 200')).view).text).toBe('Last audit entry for 200 (times UTC, newest first).');
    expect(reply((await run(actor('boss'), 'audit 200')).view).text).toMatch(/^Last 2 audit entries for 200/);
  });

  it('tells in `help mute` that muting everyone asks for a confirmation', async () => {
    const { run } = setup();
    expect(reply((await run(actor('anyone'), 'help mute')).view).text).toMatch(/everyone, after a confirmation/);
    expect(reply((await run(actor('anyone'), 'help kick')).view).text).toMatch(/everyone, after a confirmation/);
    expect(reply((await run(actor('anyone'), 'help transfer')).view).text).toMatch(/asks first/);
  });

  it('suggests the closest room for an unknown one', async () => {
    const { run } = setup();
    expect(reply((await run(actor('mod'), 'mute 201 3')).view).text).toBe('No room `201` is active. Did you mean `200`?');
  });

  it('suggests the closest command for an unknown one, with a correlation id', async () => {
    const { run } = setup();
    const view = reply((await run(actor('mod'), 'mtue 200 3')).view);
    expect(view.text).toMatch(/Did you mean `mute`\?/);
    expect(view.correlationId).toBe('c1');
  });

  it('needs pbx/room when two PBXs have the room, and accepts it', async () => {
    const a = new FakeBackend('a');
    a.add(room('200', [participant('200', 1)]));
    const b = new FakeBackend('b');
    b.add(room('200', [participant('200', 2)]));
    const { run } = setup({}, [a, b]);
    expect(reply((await run(actor('mod'), 'mute 200 1')).view).text).toBe('Room `200` is active on several PBXs: write `a/200` or `b/200`.');
    await run(actor('mod'), 'mute b/200 2');
    expect(b.calls).toEqual(['mute 200 2 true']);
    expect(a.calls).toEqual([]);
  });

  it('answers clearly when a feature is not wired', async () => {
    const { run } = setup();
    expect(reply((await run(actor('boss'), 'watch 200')).view).text).toMatch(/Live status messages: not available.*show/);
    expect(reply((await run(actor('boss'), 'listen 200 1')).view).text).toMatch(/Live listening: not available/);
    expect(reply((await run(actor('boss'), 'calls')).view).text).toMatch(/Live listening: not available/);
    expect(reply((await run(actor('boss'), 'alerts list')).view).text).toMatch(/Alerts: not available/);
  });

  it('hides internal failures behind a generic message and a correlation id', async () => {
    const { run, pbx, audit } = setup();
    pbx.lock = () => Promise.reject(new Error('Response: Error\r\nMessage: internal AMI detail'));
    const view = reply((await run(actor('mod'), 'lock 200')).view);
    expect(view.text).toBe('Something went wrong inside the bot.');
    expect(view.correlationId).toBe('c1');
    expect(JSON.stringify(view)).not.toContain('AMI');
    expect(audit.records).toEqual([expect.objectContaining({ command: 'lock', decision: 'allowed', outcome: 'error', detail: 'internal' })]);
  });

  it('shows an admin the last audit entries for a room', async () => {
    const { run } = setup();
    await run(actor('mod'), 'mute 200 Tim');
    await run(actor('viewer'), 'kick 200 Tim');
    const out = await run(actor('boss'), 'audit 200');
    expect(out.ephemeral).toBe(true);
    expect(reply(out.view).table?.rows.map((r) => [r[1], r[2], r[4]])).toEqual([['viewer (test)', 'kick', 'denied'], ['mod (test)', 'mute', 'ok']]);
    expect(reply((await run(actor('mod'), 'audit 200')).view).text).toMatch(/needs the admin role/);
  });

  it('acks exactly once before replying', async () => {
    const { bot, adapter } = setup();
    const order: string[] = [];
    const handlers = bot.handlersFor({ ...adapter, name: 'test', limits: adapter.limits, reply: async () => { order.push('reply'); } } as unknown as RecordingAdapter);
    const ctx = inbound(actor('mod'));
    ctx.ack = async () => { order.push('ack'); };
    await handlers.command(ctx, 'list');
    expect(order).toEqual(['ack', 'reply']);
  });
});

describe('Bot: config view', () => {
  const SECRETS = {
    ami: 'ami-s3cret-value', signingKey: 'signing-key-0123456789abcdef0123456789abcdef', aesKey: 'QUVTS0VZQUVTS0VZQUVTS0VZQUVTS0VZQUVTS0VZQUU=',
    aesIv: 'SVZJVklWSVZJVklWSVZJVg==', botToken: 'xoxb-bot-token-123', appToken: 'xapp-app-token-456',
  };
  const config = parseConfig({
    dataDir: '/var/lib/meetme', logLevel: 'debug',
    pbxs: [{ id: 'pbx1', host: 'pbx.example.com', port: 5039, tls: true, username: 'bot', secret: SECRETS.ami, authType: 'plain' }],
    sensors: [
      { id: 's1', host: '10.0.0.9', aesKey: SECRETS.aesKey, aesIv: SECRETS.aesIv, aesCipher: 'aes-256-cbc' },
      { id: 's2', socketPath: '/run/voipmonitor.sock' },
    ],
    listen: { publicBaseUrl: 'https://ops:pa55word@bot.example.com', signingKey: SECRETS.signingKey, linkTtlSec: 300, singleUse: true },
    slack: { botToken: SECRETS.botToken, appToken: SECRETS.appToken },
    roles: [MOD, ADMIN, VIEW, { role: 'admin', users: [], groups: ['test:S0OPS'], pbx: 'eu-*', rooms: '2??' }],
  });
  function wired() {
    const pbx = new FakeBackend('pbx1');
    pbx.add(room('200', [participant('200', 1)]));
    const configSummary = () => summarizeConfig(config, {
      pbxs: config.pbxs, sensors: config.sensors, pbxState: (id) => (id === pbx.pbx ? pbx.state() : undefined),
      adapters: ['shell', 'slack'], playerUrl: 'http://127.0.0.1:8088',
    });
    return { ...setup({ grants: config.roles, configSummary }, [pbx]), pbx };
  }

  it('shows an admin of every room the PBXs, sensors, listening, adapters and grants, privately', async () => {
    const { run } = wired();
    const out = await run(actor('boss'), 'config');
    expect(out.ephemeral).toBe(true);
    const text = reply(out.view).text;
    expect(text).toContain('pbx1: pbx.example.com:5039, TLS on, auth plain, dialect auto (detected confbridge), available since 12:00 UTC');
    expect(text).toContain('s1: 10.0.0.9:5029, AES on (aes-256-cbc)');
    expect(text).toContain('s2: /run/voipmonitor.sock, AES off');
    expect(text).toContain('link TTL 300s, single-use on, player at http://127.0.0.1:8088');
    expect(text).toContain('Chat adapters: shell, slack');
    expect(text).toContain('Role grants: 4');
    expect(text).toContain('admin: users none; groups test:S0OPS; pbx eu-*; rooms 2??');
    expect(text).toContain('Data dir: /var/lib/meetme');
    expect(text).toContain('Log level: debug');
  });

  it('never shows an AMI secret, chat token, signing key, AES key or IV, nor a password in the public URL', async () => {
    const { run } = wired();
    const shown = JSON.stringify((await run(actor('boss'), 'config')).view);
    for (const secret of [...Object.values(SECRETS), 'pa55word']) expect(shown).not.toContain(secret);
    expect(shown).toContain('https://bot.example.com');
  });

  it('says when a PBX is unreachable, and since when', async () => {
    const { run, pbx } = wired();
    pbx.available = false;
    pbx.since = T0 + 3 * 60_000;
    const view = reply((await run(actor('boss'), 'config')).view);
    expect(view.text).toMatch(/pbx1: .*unreachable since 12:03 UTC/);
    expect(view.tone).toBe('warning');
  });

  it('refuses a moderator, and an admin of only some rooms, and audits it', async () => {
    const { run, audit } = wired();
    expect(reply((await run(actor('mod'), 'config')).view).text).toMatch(/not allowed to run `config`: it needs admin on all rooms/);
    const ops = actor('ops', { groups: ['S0OPS'] });
    expect(reply((await run(ops, 'whoami')).view).text).toMatch(/Role: admin; admin via group test:S0OPS/);
    expect(reply((await run(ops, 'config')).view).text).toMatch(/needs admin on all rooms/);
    const configRecords = audit.records.filter((r) => r.command === 'config');
    expect(configRecords.map((r) => [r.actor.userId, r.decision])).toEqual([['mod', 'denied'], ['ops', 'denied']]);
  });

  it('says the configuration view is not available when none is wired', async () => {
    const { run } = setup();
    expect(reply((await run(actor('boss'), 'config')).view).text).toMatch(/The configuration view: not available/);
  });
});

describe('Bot: button presses', () => {
  it('mutes from a status button and refreshes the one-shot status message', async () => {
    const { press, pbx, adapter } = setup();
    const p = pbx.state().rooms.get('200')?.participants.get('1700000000.2') as Participant;
    await press(actor('mod'), encodeAction({ kind: 'mute', pbx: 'pbx1', room: '200', uniqueid: p.uniqueid, on: true }));
    expect(pbx.calls).toEqual([`mute 200 ${p.channel} true`]);
    const update = adapter.sent.find((s) => s.how === 'update');
    expect(update?.ref?.id).toBe('m-status');
    expect((update?.view as StatusView).rows.find((r) => r.key === p.uniqueid)?.muted).toBe(true);
  });

  it('tells someone pressing for a participant who left that they already left', async () => {
    const { press, adapter, audit } = setup();
    await press(actor('mod'), encodeAction({ kind: 'kick', pbx: 'pbx1', room: '200', uniqueid: '1700000000.99' }));
    const view = reply(adapter.last().view);
    expect(view.text).toBe('That participant already left the room.');
    expect(view.tone).toBe('info');
    expect(audit.records[0]).toMatchObject({ command: 'kick', outcome: 'error', detail: 'already_left' });
  });

  it('refuses a tampered button id', async () => {
    const { press, adapter, pbx } = setup();
    await press(actor('mod'), 'v1|k|pbx1|200\r\nAction: Hangup|1.1');
    expect(reply(adapter.last().view).text).toMatch(/no longer valid/);
    expect(pbx.calls).toEqual([]);
  });

  it('authorizes presses like commands', async () => {
    const { press, adapter, pbx } = setup();
    await press(actor('viewer'), encodeAction({ kind: 'lock', pbx: 'pbx1', room: '200', on: true }));
    expect(reply(adapter.last().view).text).toMatch(/not allowed to run `lock`/);
    expect(pbx.calls).toEqual([]);
  });

  it('starts a one-shot status reply on page 1 of the adapter\'s row budget, with a Next button', async () => {
    const { run, adapter } = setup();
    adapter.limits = { ...adapter.limits, maxRowsPerPage: 2 };
    const view = (await run(actor('viewer'), 'show 200')).view as StatusView;
    expect(view.rows).toHaveLength(2);
    expect(view.count).toBe(3);
    expect(view.paging).toMatchObject({ page: 0, pageCount: 2, first: 1, shown: 2, total: 3 });
    expect(view.paging?.buttons.map((b) => b.id)).toEqual([encodeAction({ kind: 'page', pbx: 'pbx1', room: '200', page: 1 })]);
  });

  it('turns a one-shot status message to the page pressed, for a viewer, without a reply', async () => {
    const { press, adapter, audit } = setup();
    adapter.limits = { ...adapter.limits, maxRowsPerPage: 2 };
    await press(actor('viewer'), encodeAction({ kind: 'page', pbx: 'pbx1', room: '200', page: 1 }));
    expect(adapter.sent.map((s) => s.how)).toEqual(['update']);
    const [turned] = adapter.sent;
    expect(turned?.ref?.id).toBe('m-status');
    const view = turned?.view as StatusView;
    expect(view.paging).toMatchObject({ page: 1, pageCount: 2, first: 3, shown: 1 });
    expect(view.rows.map((r) => r.key)).toEqual([participant('200', 3).uniqueid]);
    expect((await audit.query({ limit: 5 })).map((e) => [e.command, e.decision])).toContainEqual(['page', 'allowed']);
  });

  it('hands a page press on a live status message to the WatchService, which keeps the page', async () => {
    const pages: string[] = [];
    const watch: WatchService = {
      async watch() {},
      async unwatch() { return true; },
      noteAction() {},
      showPage(message, page) { pages.push(`${message.id}@${page}`); return true; },
    };
    const { press, adapter } = setup({ watch });
    await press(actor('viewer'), encodeAction({ kind: 'page', pbx: 'pbx1', room: '200', page: 2 }));
    expect(pages).toEqual(['m-status@2']);
    expect(adapter.sent).toEqual([]);
  });
});

describe('Bot: services', () => {
  it('hands show/watch to the WatchService and notes actions for the summary', async () => {
    const watched: string[] = [];
    const notes: string[] = [];
    const watch: WatchService = {
      async watch(pbx: string, r: string, c: Conversation, a: Actor) { watched.push(`${pbx}/${r} ${c.id} ${a.userId}`); },
      async unwatch() { return true; },
      noteAction(_pbx: string, _r: string, text: string) { notes.push(text); },
      showPage() { return false; },
    };
    const { run, send, adapter } = setup({ watch });
    await send(actor('viewer'), 'show 200');
    await send(actor('viewer'), 'watch 200');
    expect(watched).toEqual(['pbx1/200 c1 viewer', 'pbx1/200 c1 viewer']);
    expect(adapter.sent).toEqual([]);
    await run(actor('mod'), 'mute 200 Tim');
    expect(notes).toEqual(['mod muted Tim (701)']);
    expect(reply((await run(actor('viewer'), 'unwatch 200')).view).text).toBe('Stopped updating room 200 here.');
  });

  it('sends listen links privately', async () => {
    const call = {
      sensor: 's1', callref: '0x1', callId: 'abc', caller: '701', called: '200', callerName: 'Tim', durationSec: 5, codec: 'PCMU', mos: 4.2,
      mosFromCaller: 4.2, mosToCaller: 4.4, loss10s: 0, lossTotal: 12.4, jitterMs: 18.2,
    };
    const listen: ListenService = {
      async linkForParticipant(p: Participant) { return { url: `http://127.0.0.1/l/${p.uniqueid}`, expiresAt: T0 + 600_000, call, matchedBy: 'number' }; },
      async linkForCall() { return { url: 'http://127.0.0.1/l/x', expiresAt: T0, call, matchedBy: 'callref' }; },
      async listCalls() { return [call]; },
    };
    const grants: RoleGrant[] = [{ role: 'listener', users: ['test:ear'], groups: [], pbx: '*', rooms: '*' }];
    const { run } = setup({ listen, grants });
    const out = await run(actor('ear'), 'listen 200 Tim');
    expect(out.ephemeral).toBe(true);
    expect(reply(out.view).link?.url).toBe('http://127.0.0.1/l/1700000000.1');
    expect(reply(out.view).text).toMatch(/expires at 12:10 UTC.*Matched by phone number/);
    const calls = reply((await run(actor('ear'), 'calls')).view).table;
    expect(calls?.columns).toEqual(['Ref', 'Sensor', 'Caller', 'Called', 'Duration', 'Codec', 'MOS from/to caller', 'Loss 10s', 'Loss', 'Jitter']);
    expect(calls?.rows[0]).toEqual(['0x1', 's1', 'Tim (701)', '200', '5s', 'PCMU', '4.2 / 4.4', '0.0%', '12%', '18 ms']);
    expect(reply((await run(actor('ear'), 'listen call 0x1')).view).link?.url).toBe('http://127.0.0.1/l/x');
  });
});

describe('Bot: calls and listen call reach every room', () => {
  const call = { sensor: 's1', callref: '0x1', callId: 'abc', caller: '701', called: '200', callerName: 'Tim', durationSec: 5, codec: 'PCMU', mos: 4.2 };
  const listen: ListenService = {
    async linkForParticipant() { return { url: 'http://127.0.0.1/l/p', expiresAt: T0, call, matchedBy: 'number' }; },
    async linkForCall() { return { url: 'http://127.0.0.1/l/x', expiresAt: T0, call, matchedBy: 'callref' }; },
    async listCalls() { return [call]; },
  };
  const grants: RoleGrant[] = [
    { role: 'listener', users: ['test:sales'], groups: [], pbx: '*', rooms: 'sales-*' },
    { role: 'listener', users: ['test:eu'], groups: [], pbx: 'eu-*', rooms: '*' },
    { role: 'listener', users: ['test:ear'], groups: [], pbx: '*', rooms: '*' },
  ];

  it('refuses a listener scoped to some rooms or PBXs, says a grant on all rooms is needed, and audits it', async () => {
    const { run, audit } = setup({ listen, grants });
    for (const who of ['sales', 'eu']) {
      expect(reply((await run(actor(who), 'calls')).view).text).toMatch(/not allowed to run `calls`: it needs listener on all rooms/);
      expect(reply((await run(actor(who), 'listen call 0x1')).view).text).toMatch(/not allowed to run `listen`: it needs listener on all rooms/);
    }
    expect(audit.records.map((r) => [r.actor.userId, r.command, r.decision])).toEqual([
      ['sales', 'calls', 'denied'], ['sales', 'listen', 'denied'], ['eu', 'calls', 'denied'], ['eu', 'listen', 'denied'],
    ]);
    expect(audit.records[0]?.detail).toMatch(/^needs listener on all rooms; /);
  });

  it('lets a listener on every PBX and room, or a higher role there, list and open calls', async () => {
    const { run } = setup({ listen, grants: [...grants, { role: 'admin', users: ['test:boss'], groups: [], pbx: '*', rooms: '*' }] });
    for (const who of ['ear', 'boss']) {
      expect(reply((await run(actor(who), 'calls')).view).table?.rows).toHaveLength(1);
      expect(reply((await run(actor(who), 'listen call 0x1')).view).link?.url).toBe('http://127.0.0.1/l/x');
    }
  });
});

describe('Bot: authorization comes before room lookup', () => {
  const SALES: RoleGrant = { role: 'viewer', users: ['test:sally'], groups: [], pbx: '*', rooms: 'sales-*' };

  it('refuses someone with no grant without naming any room, and audits the refusal', async () => {
    const { run, audit } = setup();
    const view = reply((await run(actor('stranger'), 'show 201')).view);
    expect(view.text).toMatch(/not allowed to run `show`/);
    expect(view.text).not.toMatch(/200|Did you mean/);
    expect(audit.records).toEqual([expect.objectContaining({ command: 'show', decision: 'denied', outcome: 'denied', actor: expect.objectContaining({ userId: 'stranger' }) })]);
  });

  it('suggests only rooms the actor may view', async () => {
    const { run, pbx } = setup({ grants: [SALES] });
    pbx.add(room('sales-weekly', [participant('sales-weekly', 7)]));
    expect(reply((await run(actor('sally'), 'show 201')).view).text).toBe('No room `201` is active.');
    expect(reply((await run(actor('sally'), 'show sales-weekl')).view).text).toBe('No room `sales-weekl` is active. Did you mean `sales-weekly`?');
  });

  it('refuses a room outside the actor\'s scope once it is resolved, and records that room in the audit', async () => {
    const { run, audit } = setup({ grants: [SALES] });
    expect(reply((await run(actor('sally'), 'show 200')).view).text).toMatch(/not allowed to run `show`/);
    expect(audit.records).toEqual([expect.objectContaining({ command: 'show', decision: 'denied', pbx: 'pbx1', room: '200' })]);
  });
});

describe('Bot: watching a room that is not active', () => {
  function watching() {
    const watched: string[] = [];
    const watch: WatchService = {
      async watch(pbx: string, r: string) { watched.push(`${pbx}/${r}`); },
      async unwatch() { return true; },
      noteAction() {},
      showPage() { return false; },
    };
    return { watch, watched };
  }

  it('answers a near miss of an active room with did-you-mean and posts nothing', async () => {
    const { watch, watched } = watching();
    const { run } = setup({ watch });
    expect(reply((await run(actor('viewer'), 'watch 201')).view).text).toBe('No room `201` is active. Did you mean `200`?');
    expect(watched).toEqual([]);
  });

  it('watches a room ahead of its start when the name is not close to an active one', async () => {
    const { watch, watched } = watching();
    const { send } = setup({ watch });
    await send(actor('viewer'), 'watch board-meeting');
    expect(watched).toEqual(['pbx1/board-meeting']);
  });
});

describe('Bot: transfer with names too long for a button', () => {
  const LONG_PBX = 'p'.repeat(32);
  const LONG_ROOM = 'r'.repeat(40);

  function longSetup() {
    const pbx = new FakeBackend(LONG_PBX);
    pbx.add(room(LONG_ROOM, [participant(LONG_ROOM, 1, { callerName: 'Tim', callerNum: '701' })]));
    return { ...setup({}, [pbx]), pbx };
  }

  it('asks for a typed `confirm` instead of offering a button that could not work', async () => {
    const { run, pbx } = longSetup();
    const ask = reply((await run(actor('mod'), `transfer ${LONG_ROOM} Tim 600@${'c'.repeat(30)}`)).view);
    expect(ask.buttons).toEqual([]);
    expect(ask.text).toContain(`type \`transfer ${LONG_ROOM} Tim 600@${'c'.repeat(30)} confirm\``);
    expect(ask.text).not.toMatch(/no longer valid/);
    expect(pbx.calls).toEqual([]);
  });

  it('transfers at once when the command ends with `confirm`, and audits it', async () => {
    const { run, pbx, audit } = longSetup();
    const done = await run(actor('mod'), `transfer ${LONG_ROOM} Tim 600@${'c'.repeat(30)} confirm`);
    expect(reply(done.view).text).toBe(`Transferred Tim (701) to 600@${'c'.repeat(30)}.`);
    expect(pbx.calls).toEqual([`transfer ${LONG_ROOM} PJSIP/701-00000001 600@${'c'.repeat(30)}`]);
    expect(audit.records).toEqual([expect.objectContaining({ command: 'transfer', target: 'Tim (701)', outcome: 'ok', decision: 'allowed' })]);
  });
});

describe('Bot: kick or mute everyone with names too long for a button', () => {
  const LONG_PBX = 'p'.repeat(32);
  const LONG_ROOM = 'r'.repeat(64);

  function longSetup() {
    const pbx = new FakeBackend(LONG_PBX);
    pbx.add(room(LONG_ROOM, [participant(LONG_ROOM, 1, { callerName: 'Tim', callerNum: '701' }), participant(LONG_ROOM, 2)]));
    return { ...setup({}, [pbx]), pbx };
  }

  it.each([
    ['kick', 'Kick everyone'],
    ['mute', 'Mute everyone'],
  ])('asks for `%s <room> all confirm` instead of a button that could not work', async (verb, title) => {
    const { run, pbx, audit } = longSetup();
    const ask = reply((await run(actor('mod'), `${verb} ${LONG_ROOM} all`)).view);
    expect(ask.buttons).toEqual([]);
    expect(ask.text).toBe(`${title} in room ${LONG_ROOM} (2 now)? These names are too long for a confirm button: to go ahead, type \`${verb} ${LONG_ROOM} all confirm\`.`);
    expect(ask.text).not.toMatch(/no longer valid/);
    expect(pbx.calls).toEqual([]);
    expect(audit.records).toEqual([expect.objectContaining({ command: verb, target: 'everyone', outcome: 'ok', detail: 'confirmation asked' })]);
  });

  it('kicks everyone at once when the command ends with `confirm`, and audits it', async () => {
    const { run, pbx, audit } = longSetup();
    const done = await run(actor('mod'), `kick ${LONG_ROOM} all confirm`);
    expect(reply(done.view).text).toBe(`Kicked Tim (701), Caller2 (702) from ${LONG_ROOM}.`);
    expect(pbx.calls).toEqual([`kick ${LONG_ROOM} all`]);
    expect(audit.records).toEqual([expect.objectContaining({ command: 'kick', target: 'everyone', outcome: 'ok', decision: 'allowed' })]);
  });

  it('mutes everyone at once when the command ends with `confirm`, and audits it', async () => {
    const { run, pbx, audit } = longSetup();
    const done = await run(actor('mod'), `mute ${LONG_ROOM} all confirm`);
    expect(reply(done.view).text).toBe(`Muted Tim (701), Caller2 (702) in ${LONG_ROOM}.`);
    expect(pbx.calls).toEqual([`mute ${LONG_ROOM} all true`]);
    expect(audit.records).toEqual([expect.objectContaining({ command: 'mute', target: 'everyone', outcome: 'ok', decision: 'allowed' })]);
  });

  it('still refuses `kick <room> all confirm` to someone who may not kick', async () => {
    const { run, pbx } = longSetup();
    expect(reply((await run(actor('viewer'), `kick ${LONG_ROOM} all confirm`)).view).text).toMatch(/not allowed to run `kick`/);
    expect(pbx.calls).toEqual([]);
  });
});

describe('Bot: confirming everyone-at-once changes', () => {
  it('keeps the head count out of the button\'s confirmation, which is read when pressed', async () => {
    const { run, pbx } = setup();
    const ask = reply((await run(actor('mod'), 'kick 200 all')).view);
    expect(ask.text).toBe('Kick everyone in room 200 (3 now)? Press the button to confirm.');
    pbx.add(room('200', [participant('200', 1), participant('200', 2), participant('200', 3), participant('200', 4)]));
    expect(ask.buttons[0]?.confirm?.text).toBe('Kick everyone in room 200? Whoever is in it when you confirm is included.');
  });

  it('acts at once on a short room name ending with `confirm` too', async () => {
    const { run, pbx } = setup();
    expect(reply((await run(actor('mod'), 'kick 200 all confirm')).view).text).toMatch(/^Kicked .* from 200\.$/);
    expect(pbx.calls).toEqual(['kick 200 all']);
  });
});

describe('Bot: asking for the state a room or participant is already in', () => {
  it('says a room is already recording, or not recording, without asking the PBX', async () => {
    const { run, pbx, audit } = setup();
    pbx.add(room('400', [participant('400', 5)], { recording: true }));
    const already = reply((await run(actor('mod'), 'record start 400')).view);
    expect(already.text).toBe('Room 400 is already recording.');
    expect(already.tone).toBe('info');
    expect(reply((await run(actor('mod'), 'record stop 200')).view).text).toBe('Room 200 is not recording.');
    expect(pbx.calls).toEqual([]);
    expect(audit.records.map((r) => [r.command, r.outcome, r.detail])).toEqual([
      ['record', 'ok', 'no change: already in that state'], ['record', 'ok', 'no change: already in that state'],
    ]);
    expect(reply((await run(actor('boss'), 'audit 400')).view).table?.rows[0]?.[4]).toBe('no change');
  });

  it('says a room is already locked or unlocked, typed or pressed, without asking the PBX', async () => {
    const { run, press, pbx, adapter } = setup();
    pbx.add(room('400', [participant('400', 5)], { locked: true }));
    expect(reply((await run(actor('mod'), 'lock 400')).view).text).toBe('Room 400 is already locked.');
    expect(reply((await run(actor('mod'), 'unlock 200')).view).text).toBe('Room 200 is already unlocked.');
    await press(actor('mod'), encodeAction({ kind: 'lock', pbx: 'pbx1', room: '400', on: true }));
    expect(adapter.sent.some((s) => s.how === 'reply' && s.view.kind === 'reply' && s.view.text === 'Room 400 is already locked.')).toBe(true);
    expect(pbx.calls).toEqual([]);
    expect(reply((await run(actor('mod'), 'lock 200')).view).text).toBe('Room 200 is locked.');
  });

  it('says a participant is already muted or unmuted without asking the PBX', async () => {
    const { run, pbx } = setup();
    await run(actor('mod'), 'mute 200 Tim');
    expect(reply((await run(actor('mod'), 'mute 200 Tim')).view).text).toBe('Tim (701) is already muted.');
    expect(reply((await run(actor('mod'), 'unmute 200 2')).view).text).toBe('Caller2 (702) is already unmuted.');
    expect(pbx.calls).toEqual(['mute 200 Tim true']);
  });

  it('asks the PBX anyway while it is unreachable, since the held state may be stale', async () => {
    const { run, pbx } = setup();
    pbx.add(room('400', [participant('400', 5)], { locked: true, recording: true }));
    pbx.available = false;
    await run(actor('mod'), 'lock 400');
    await run(actor('mod'), 'record start 400');
    expect(pbx.calls).toEqual(['lock 400 true', 'record 400 true']);
  });
});

describe('Bot: logging failures', () => {
  function logged(extra: Partial<BotDeps> = {}) {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>); } } });
    return { lines, ...setup({ logger, ...extra }) };
  }

  it('logs mistakes in what was asked at info with code and message, and no stack', async () => {
    const { lines, run } = logged();
    await run(actor('mod'), 'mtue 200 3');
    await run(actor('viewer'), 'kick 200 Tim');
    await run(actor('mod'), 'mute 201 3');
    await run(actor('mod'), 'mute 200 Nobody');
    const failures = lines.filter((l) => l['component'] === 'core');
    expect(failures.map((l) => [l['level'], l['code']])).toEqual([
      [30, 'bad_command'], [30, 'not_authorized'], [30, 'room_unknown'], [30, 'participant_not_found'],
    ]);
    for (const line of failures) {
      expect(line).not.toHaveProperty('err');
      expect(JSON.stringify(line)).not.toMatch(/\n\s+at /);
      expect(typeof line['message']).toBe('string');
    }
  });

  it('keeps the stack for internal failures (error) and transport failures (warn)', async () => {
    const { lines, run, pbx } = logged();
    pbx.lock = () => Promise.reject(new Error('boom'));
    await run(actor('mod'), 'lock 200');
    pbx.lock = () => Promise.reject(new PbxUnavailableError('pbx1'));
    await run(actor('mod'), 'lock 200');
    const failures = lines.filter((l) => l['component'] === 'core');
    expect(failures.map((l) => [l['level'], l['code']])).toEqual([[50, 'internal'], [40, 'pbx_unavailable']]);
    for (const line of failures) expect((line['err'] as { stack?: string } | undefined)?.stack).toMatch(/\n\s+at /);
  });
});
