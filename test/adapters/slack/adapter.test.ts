import { afterEach, describe, expect, it } from 'vitest';
import type { InboundContext, InboundHandlers } from '../../../src/core/adapter.ts';
import { MessageGoneError, PlatformError, PlatformRateLimitedError } from '../../../src/core/adapter-errors.ts';
import { createSlackAdapter, SLACK_LIMITS, type SlackAdapter, type SlackAdapterDeps } from '../../../adapters/slack/index.ts';
import { pagedStatusView } from '../../../src/core/paging.ts';
import { NotInChannelError } from '../../../adapters/slack/not-in-channel-error.ts';
import { createLogger } from '../../../src/log.ts';
import { FakeSlack } from '../fake-slack/server.ts';
import { ALICE, blockActions, slashCommand } from '../fake-slack/payloads.ts';
import { visibleText } from '../fake-slack/visible-text.ts';
import { replyView, rowView, statusView } from '../views.ts';
import { findElement, socketConfig } from './harness.ts';

/** The value of the button labelled `label` in stored blocks ('' when there is none). */
function valueOfButton(blocks: readonly unknown[], label: string): string {
  const match = new RegExp(`"text":${JSON.stringify(label)}[^}]*}[^}]*?"value":"([^"]+)"`).exec(JSON.stringify(blocks));
  return match?.[1] ?? '';
}

interface Seen {
  readonly kind: 'command' | 'action';
  readonly ctx: InboundContext;
  readonly value: string;
}

type Recorder = InboundHandlers & {
  readonly seen: Seen[];
  /** The next delivery not yet taken, in arrival order. */
  next(): Promise<Seen>;
  /** Extra core work after the ack, per delivery. */
  onSeen: ((s: Seen) => Promise<void>) | undefined;
};

/** Inbound handlers that ack like the core does and record each delivery. */
function recorder(): Recorder {
  const seen: Seen[] = [];
  const untaken: Seen[] = [];
  const waiters: ((s: Seen) => void)[] = [];
  const handlers: Recorder = {
    seen,
    onSeen: undefined,
    next: () => {
      const ready = untaken.shift();
      return ready !== undefined ? Promise.resolve(ready) : new Promise<Seen>((resolve) => waiters.push(resolve));
    },
    command: (ctx, value) => record({ kind: 'command', ctx, value }),
    action: (ctx, value) => record({ kind: 'action', ctx, value }),
  };
  async function record(s: Seen): Promise<void> {
    seen.push(s);
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(s);
    else untaken.push(s);
    await s.ctx.ack('private');
    if (handlers.onSeen !== undefined) await handlers.onSeen(s);
  }
  return handlers;
}

describe('Slack adapter (Socket Mode against the fake Slack)', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  let clock = 1_700_000_000_000;

  async function setup(options: SlackAdapterDeps = {}, fakeOptions: { botUserName?: string } = {}): Promise<Recorder> {
    fake = await FakeSlack.start(fakeOptions);
    clock = 1_700_000_000_000;
    adapter = createSlackAdapter(socketConfig(fake), { now: () => clock, ...options });
    const handlers = recorder();
    await adapter.start(handlers);
    return handlers;
  }

  afterEach(async () => {
    await adapter.stop();
    await fake.close();
  });

  it('verifies the bot token and opens Socket Mode with the app-level token', async () => {
    await setup();
    expect(fake.callsTo('auth.test')[0]?.token).toBe(fake.botToken);
    expect(fake.callsTo('apps.connections.open')[0]?.token).toBe(fake.appToken);
  });

  it('acks a slash command envelope before the core has finished its work', async () => {
    const handlers = await setup();
    let release: () => void = () => undefined;
    handlers.onSeen = () => new Promise<void>((resolve) => { release = resolve; });
    const ack = await fake.deliver('slash_commands', slashCommand('kick 200 3', fake.responseUrl()));
    expect(ack.envelope_id).toBe('env-1');
    const seen = await handlers.next();
    expect(seen.value).toBe('kick 200 3');
    release();
  });

  it('undoes Slack\'s HTML escaping of the command text, and only for &amp; &lt; &gt;', async () => {
    const handlers = await setup();
    // Slack sends `topic 200 3 "Q&A <b> &lt; &quot;"` as typed, escaped like this:
    await fake.deliver('slash_commands', slashCommand('topic 200 3 "Q&amp;A &lt;b&gt; &amp;lt; &quot;"', fake.responseUrl()));
    expect((await handlers.next()).value).toBe('topic 200 3 "Q&A <b> &lt; &quot;"');
  });

  it('answers only /meetme, not another slash command routed to the app', async () => {
    const handlers = await setup();
    // Not awaited: a command no listener takes is never acknowledged (it fails when the socket closes).
    fake.deliver('slash_commands', { ...slashCommand('list', fake.responseUrl()), command: '/othercmd' }).catch(() => undefined);
    await fake.deliver('slash_commands', slashCommand('help', fake.responseUrl()));
    await handlers.next();
    expect(handlers.seen.map((s) => s.value)).toEqual(['help']);
  });

  it('acks a block_actions envelope and hands the button value to the core', async () => {
    const handlers = await setup();
    const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
    const ack = await fake.deliver('interactive', blockActions({ value: 'v1:mute:1', messageTs: ref.id, responseUrl: fake.responseUrl() }));
    expect(ack.envelope_id).toMatch(/^env-/);
    const seen = await handlers.next();
    expect(seen).toMatchObject({ kind: 'action', value: 'v1:mute:1' });
    expect(seen.ctx.message).toEqual(ref);
    expect(seen.ctx.actor).toMatchObject({ platform: 'slack', userId: ALICE.userId, displayName: 'alice' });
  });

  it('hands the chosen overflow option to the core', async () => {
    const handlers = await setup();
    await fake.deliver('interactive', blockActions({ value: 'v1:unmute:4', messageTs: '1.1', responseUrl: fake.responseUrl(), element: 'overflow' }));
    expect((await handlers.next()).value).toBe('v1:unmute:4');
  });

  it('does not offer an ephemeral message as editable', async () => {
    const handlers = await setup();
    await fake.deliver('interactive', blockActions({ value: 'v1:x', messageTs: '1.1', responseUrl: fake.responseUrl(), ephemeral: true }));
    expect((await handlers.next()).ctx.message).toBeUndefined();
  });

  describe('paging a big room', () => {
    const rows = Array.from({ length: 60 }, (_, i) => rowView(i + 1));

    it('draws the core\'s page line and hands a page button to the core like any other press', async () => {
      const handlers = await setup();
      const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, pagedStatusView(statusView('big', rows), 0, SLACK_LIMITS.maxRowsPerPage));
      const first = visibleText(fake.messages.get(ref.id)?.blocks ?? []);
      expect(first).toContain('*Caller 1 (701)*');
      expect(first).toContain('Showing 1–40 of 60 · page 1 of 2');
      const nextId = valueOfButton(fake.messages.get(ref.id)?.blocks ?? [], 'Next ▶');
      expect(nextId).toBe('v1|p|pbx1|big|1');
      await fake.deliver('interactive', blockActions({ value: nextId, messageTs: ref.id, responseUrl: fake.responseUrl(), element: findElement(fake, ref.id, nextId) }));
      const pressed = await handlers.next();
      expect(pressed.value).toBe(nextId);
      expect(pressed.ctx.message).toMatchObject({ id: ref.id });
      expect(fake.callsTo('chat.update')).toHaveLength(0);
    });

    it('answers "Kick…" chosen from a folded row\'s menu with the real Kick button and its confirm dialog, without the core', async () => {
      const handlers = await setup();
      const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('big', rows.slice(0, 30)));
      const menuValue = 'slack.ask:v1:kick:3';
      expect(findElement(fake, ref.id, menuValue)).toBe('overflow');
      await fake.deliver('interactive', blockActions({ value: menuValue, messageTs: ref.id, responseUrl: fake.responseUrl(), element: 'overflow' }));
      const [prompt] = await fake.waitForResponses(1);
      expect(prompt?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      const blocks = JSON.stringify(prompt?.body['blocks']);
      expect(blocks).toContain('"value":"v1:kick:3"');
      expect(blocks).toContain('"confirm":{"title":{"type":"plain_text","text":"Kick?"');
      expect(handlers.seen).toHaveLength(0);
      // Pressing that button (on the ephemeral prompt) is what reaches the core.
      await fake.deliver('interactive', blockActions({ value: 'v1:kick:3', messageTs: '1.2', responseUrl: fake.responseUrl(), ephemeral: true }));
      expect((await handlers.next()).value).toBe('v1:kick:3');
    });

    it('says the menu is out of date when "Kick…" is chosen for someone it no longer shows', async () => {
      const handlers = await setup();
      await fake.deliver('interactive', blockActions({ value: 'slack.ask:v1:kick:99', messageTs: '9.9', responseUrl: fake.responseUrl(), element: 'overflow' }));
      const [notice] = await fake.waitForResponses(1);
      expect(notice?.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('out of date') as unknown });
      expect(handlers.seen).toHaveLength(0);
    });
  });

  describe('edit failures', () => {
    it('surfaces a 429 as PlatformRateLimitedError with the Retry-After delay and its workspace scope, without retrying', async () => {
      await setup();
      const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
      fake.failNext('chat.update', { kind: 'ratelimited', retryAfterSec: 7 });
      const err: unknown = await adapter.update(ref, statusView('200')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformRateLimitedError);
      expect((err as PlatformRateLimitedError).retryAfterMs).toBe(7000);
      expect((err as PlatformRateLimitedError).scope).toEqual({ kind: 'workspace', key: 'chat.update' });
      expect(fake.callsTo('chat.update')).toHaveLength(1);
    });

    it('reports a deleted message as MessageGoneError', async () => {
      await setup();
      const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
      fake.deleteMessage(ref.id);
      await expect(adapter.update(ref, statusView('200'))).rejects.toBeInstanceOf(MessageGoneError);
    });

    it('reports a vanished channel as MessageGoneError', async () => {
      await setup();
      const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
      fake.failNext('chat.update', { kind: 'error', error: 'channel_not_found' });
      await expect(adapter.update(ref, statusView('200'))).rejects.toBeInstanceOf(MessageGoneError);
    });

    it('reports a 5xx as a transient PlatformError, once', async () => {
      await setup();
      const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
      fake.failNext('chat.update', { kind: 'http', status: 503 });
      const err: unknown = await adapter.update(ref, statusView('200')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformError);
      expect((err as PlatformError).transient).toBe(true);
      expect(fake.callsTo('chat.update')).toHaveLength(1);
    });

    it('reports a refused request as a permanent PlatformError', async () => {
      await setup();
      fake.failNext('chat.postMessage', { kind: 'error', error: 'invalid_blocks' });
      const err: unknown = await adapter.post({ platform: 'slack', id: 'C0OTHER' }, statusView('200')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformError);
      expect((err as PlatformError).transient).toBe(false);
    });
  });

  describe('posting where the bot is not a member', () => {
    const invite = 'Invite @meetme to this channel first (/invite @meetme)';

    it('tells the person to invite the bot when Slack answers not_in_channel to a post', async () => {
      await setup();
      fake.failNext('chat.postMessage', { kind: 'error', error: 'not_in_channel' });
      const err: unknown = await adapter.post({ platform: 'slack', id: 'C0OTHER' }, statusView('200')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotInChannelError);
      expect(err).toBeInstanceOf(PlatformError);
      expect((err as PlatformError).transient).toBe(false);
      expect((err as PlatformError).userMessage).toContain(invite);
    });

    it('tells the person to invite the bot, not "message gone", when a private channel answers channel_not_found', async () => {
      await setup();
      fake.failNext('chat.postMessage', { kind: 'error', error: 'channel_not_found' });
      const err: unknown = await adapter.post({ platform: 'slack', id: 'G0PRIVATE' }, statusView('200')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotInChannelError);
      expect(err).not.toBeInstanceOf(MessageGoneError);
      expect((err as PlatformError).userMessage).toContain(invite);
    });

    for (const error of ['user_not_in_channel', 'not_in_channel', 'channel_not_found']) {
      it(`answers by DM, saying to /invite the bot, when chat.postEphemeral says ${error}`, async () => {
        const handlers = await setup();
        await fake.deliver('slash_commands', slashCommand('calls', fake.responseUrl()));
        const ctx = (await handlers.next()).ctx;
        fake.responseUrlStatus = 404;
        fake.failNext('chat.postEphemeral', { kind: 'error', error });
        await adapter.reply(ctx.interaction, replyView('2 calls.'), { ephemeral: true });
        const [dm] = fake.callsTo('chat.postMessage');
        expect(dm?.params['channel']).toBe(`D${ALICE.userId}`);
        const shown = visibleText(dm?.params['blocks'] as unknown[], String(dm?.params['text']));
        expect(shown).toContain(`I couldn't answer you in <#${ALICE.channelId}>`);
        expect(shown).toContain('/invite @meetme');
        expect(shown).toContain('2 calls.');
      });
    }

    it('reports the refusal when the DM cannot be sent either', async () => {
      const handlers = await setup();
      await fake.deliver('slash_commands', slashCommand('calls', fake.responseUrl()));
      const ctx = (await handlers.next()).ctx;
      fake.responseUrlStatus = 404;
      fake.failNext('chat.postEphemeral', { kind: 'error', error: 'user_not_in_channel' });
      fake.failNext('conversations.open', { kind: 'error', error: 'cannot_dm_bot' });
      await expect(adapter.reply(ctx.interaction, replyView('x'), { ephemeral: true })).rejects.toBeInstanceOf(NotInChannelError);
    });

    it('names the bot by the @name Slack reports for it', async () => {
      await setup({}, { botUserName: 'confbot' });
      fake.failNext('chat.postMessage', { kind: 'error', error: 'not_in_channel' });
      const err: unknown = await adapter.post({ platform: 'slack', id: 'C0OTHER' }, statusView('200')).catch((e: unknown) => e);
      expect((err as PlatformError).userMessage).toContain('Invite @confbot to this channel first (/invite @confbot)');
    });
  });

  describe('replies', () => {
    async function commandContext(handlers: Recorder): Promise<InboundContext> {
      await fake.deliver('slash_commands', slashCommand('calls', fake.responseUrl()));
      return (await handlers.next()).ctx;
    }

    it('answers through response_url five times, then falls back to chat.postEphemeral', async () => {
      const handlers = await setup();
      const ctx = await commandContext(handlers);
      for (let i = 0; i < 6; i++) await adapter.reply(ctx.interaction, replyView(`answer ${i}`), { ephemeral: true });
      expect(fake.responses).toHaveLength(5);
      expect(fake.responses[0]?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      const [fallback] = fake.callsTo('chat.postEphemeral');
      expect(fallback?.params).toMatchObject({ channel: ALICE.channelId, user: ALICE.userId, text: 'answer 5' });
    });

    it('falls back to chat.postMessage for an in-channel answer once response_url is spent', async () => {
      const handlers = await setup();
      const ctx = await commandContext(handlers);
      for (let i = 0; i < 6; i++) await adapter.reply(ctx.interaction, replyView(`answer ${i}`), { ephemeral: false });
      expect(fake.responses[0]?.body).toMatchObject({ response_type: 'in_channel' });
      expect(fake.callsTo('chat.postMessage').map((c) => c.params['text'])).toEqual(['answer 5']);
    });

    it('stops using response_url 30 minutes after the interaction', async () => {
      const handlers = await setup();
      const ctx = await commandContext(handlers);
      clock += 30 * 60 * 1000;
      await adapter.reply(ctx.interaction, replyView('late answer'), { ephemeral: true });
      expect(fake.responses).toHaveLength(0);
      expect(fake.callsTo('chat.postEphemeral')).toHaveLength(1);
    });

    it('falls back to the Web API when Slack refuses the response_url', async () => {
      const handlers = await setup();
      const ctx = await commandContext(handlers);
      fake.responseUrlStatus = 404;
      await adapter.reply(ctx.interaction, replyView('refused'), { ephemeral: true });
      expect(fake.callsTo('chat.postEphemeral')).toHaveLength(1);
    });

    it('replaces an ephemeral message with the answer to a press on it, so its used button is gone', async () => {
      const handlers = await setup();
      await fake.deliver('interactive', blockActions({ value: 'v1:kickall', messageTs: '1.1', responseUrl: fake.responseUrl(), ephemeral: true }));
      const ctx = (await handlers.next()).ctx;
      await adapter.reply(ctx.interaction, replyView('Kicked everyone from 200.'), { ephemeral: true });
      const [answer] = await fake.waitForResponses(1);
      expect(answer?.body).toMatchObject({ response_type: 'ephemeral', replace_original: true, text: 'Kicked everyone from 200.' });
    });

    it('never replaces the status message a pressed button sat on', async () => {
      const handlers = await setup();
      const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
      await fake.deliver('interactive', blockActions({ value: 'v1:mute:1', messageTs: ref.id, responseUrl: fake.responseUrl() }));
      const ctx = (await handlers.next()).ctx;
      await adapter.reply(ctx.interaction, replyView('Muted Caller 1.'), { ephemeral: true });
      const [answer] = await fake.waitForResponses(1);
      expect(answer?.body).toMatchObject({ replace_original: false });
    });

    it('rejects a reply to an interaction it never saw', async () => {
      await setup();
      await expect(adapter.reply({ platform: 'slack', id: 'nope' }, replyView('x'), { ephemeral: true })).rejects.toBeInstanceOf(PlatformError);
    });
  });

  describe('identity', () => {
    it('puts the user groups of the actor into Actor.groups, from one cached usergroups.list', async () => {
      fake = await FakeSlack.start();
      fake.userGroups = [{ id: 'S0MODS', users: [ALICE.userId, 'U0BOB'] }, { id: 'S0OPS', users: ['U0BOB'] }, { id: 'S0ADM', users: [ALICE.userId] }];
      adapter = createSlackAdapter(socketConfig(fake), { now: () => clock, userGroupTtlMs: 60_000 });
      const handlers = recorder();
      await adapter.start(handlers);
      await fake.deliver('slash_commands', slashCommand('whoami', fake.responseUrl()));
      expect((await handlers.next()).ctx.actor.groups).toEqual(['S0MODS', 'S0ADM']);
      await fake.deliver('slash_commands', slashCommand('whoami', fake.responseUrl()));
      await handlers.next();
      expect(fake.callsTo('usergroups.list')).toHaveLength(1);
      expect(fake.callsTo('usergroups.list')[0]?.params['include_users']).toBe('true');
      clock += 60_000;
      fake.userGroups = [];
      await fake.deliver('slash_commands', slashCommand('whoami', fake.responseUrl()));
      expect((await handlers.next()).ctx.actor.groups).toEqual([]);
      expect(fake.callsTo('usergroups.list')).toHaveLength(2);
    });

    it('drops the groups it knew when the list can no longer be fetched, and takes them back once it can', async () => {
      fake = await FakeSlack.start();
      fake.userGroups = [{ id: 'S0MODS', users: [ALICE.userId] }];
      adapter = createSlackAdapter(socketConfig(fake), { now: () => clock, userGroupTtlMs: 60_000 });
      const handlers = recorder();
      await adapter.start(handlers);
      await fake.deliver('slash_commands', slashCommand('whoami', fake.responseUrl()));
      expect((await handlers.next()).ctx.actor.groups).toEqual(['S0MODS']);
      clock += 60_000;
      fake.failNext('usergroups.list', { kind: 'error', error: 'internal_error' });
      await fake.deliver('slash_commands', slashCommand('whoami', fake.responseUrl()));
      expect((await handlers.next()).ctx.actor.groups).toEqual([]);
      // Within the failure backoff nobody regains the old groups either.
      await fake.deliver('slash_commands', slashCommand('whoami', fake.responseUrl()));
      expect((await handlers.next()).ctx.actor.groups).toEqual([]);
      clock += 60_000;
      await fake.deliver('slash_commands', slashCommand('whoami', fake.responseUrl()));
      expect((await handlers.next()).ctx.actor.groups).toEqual(['S0MODS']);
    });

    it('warns once per streak of failed group lists and logs the repeats at debug level', async () => {
      const lines: { level: number; msg: string }[] = [];
      const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) } });
      fake = await FakeSlack.start();
      adapter = createSlackAdapter(socketConfig(fake), { now: () => clock, userGroupTtlMs: 60_000, logger });
      const handlers = recorder();
      await adapter.start(handlers);
      const whoamiAfter = async (ms: number): Promise<void> => {
        clock += ms;
        await fake.deliver('slash_commands', slashCommand('whoami', fake.responseUrl()));
        await handlers.next();
      };
      for (let i = 0; i < 3; i++) {
        fake.failNext('usergroups.list', { kind: 'error', error: 'paid_teams_only' });
        await whoamiAfter(60_000);
      }
      await whoamiAfter(60_000);
      fake.failNext('usergroups.list', { kind: 'error', error: 'paid_teams_only' });
      await whoamiAfter(60_000);
      const groupLines = lines.filter((l) => l.msg.startsWith('could not list Slack user groups'));
      const WARN = 40;
      const DEBUG = 20;
      expect(groupLines.map((l) => l.level)).toEqual([WARN, DEBUG, DEBUG, WARN]);
    });

    it('does not let a stalled usergroups.list hold a command: the call times out and the command has no groups', async () => {
      const handlers = await setup({ webApiTimeoutMs: 200 });
      fake.failNext('usergroups.list', { kind: 'stall' });
      await fake.deliver('slash_commands', slashCommand('whoami', fake.responseUrl()));
      expect((await handlers.next()).ctx.actor.groups).toEqual([]);
    });

    it('delivers the command with no groups when Slack cannot list them', async () => {
      fake = await FakeSlack.start();
      fake.failNext('usergroups.list', { kind: 'error', error: 'missing_scope' });
      adapter = createSlackAdapter(socketConfig(fake), { now: () => clock });
      const handlers = recorder();
      await adapter.start(handlers);
      await fake.deliver('slash_commands', slashCommand('whoami', fake.responseUrl()));
      expect((await handlers.next()).ctx.actor.groups).toEqual([]);
    });
  });

  it('posts an audit line in the status message thread, escaped', async () => {
    await setup();
    const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
    await adapter.postThreadNote(ref, '@alice muted <Tim> (701)');
    const note = fake.callsTo('chat.postMessage')[1];
    expect(note?.params).toMatchObject({ channel: ALICE.channelId, thread_ts: ref.id, text: '@alice muted &lt;Tim&gt; (701)' });
  });

  it('mentions the Slack user who acted in the audit line, and escapes the rest', async () => {
    await setup();
    const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
    const actor = { platform: 'slack', userId: ALICE.userId, displayName: 'alice' };
    await adapter.postThreadNote(ref, 'alice muted <Tim> (701)', { actor, action: 'muted <Tim> (701)' });
    expect(fake.callsTo('chat.postMessage')[1]?.params['text']).toBe(`<@${ALICE.userId}> muted &lt;Tim&gt; (701)`);
  });

  it('names, not mentions, an actor from another platform (the shell) in the audit line', async () => {
    await setup();
    const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
    await adapter.postThreadNote(ref, 'root muted Tim (701)', { actor: { platform: 'shell', userId: 'root', displayName: 'root' }, action: 'muted Tim (701)' });
    expect(fake.callsTo('chat.postMessage')[1]?.params['text']).toBe('root muted Tim (701)');
  });

  it('posts alerts to a channel, or by DM through one conversations.open per user', async () => {
    await setup();
    const alert = { kind: 'alert', severity: 'critical', title: 'Call dropped', text: 'Tim hung up abnormally', fields: [['Cause', '16']], buttons: [], ackedBy: undefined, at: clock } as const;
    const inChannel = await adapter.postAlert({ channel: 'C0ALERTS' }, alert);
    expect(inChannel.conversation).toBe('C0ALERTS');
    const dm1 = await adapter.postAlert({ user: 'U0BOB' }, alert);
    await adapter.postAlert({ user: 'U0BOB' }, alert);
    expect(dm1.conversation).toBe('DU0BOB');
    expect(fake.callsTo('conversations.open')).toHaveLength(1);
    expect(fake.callsTo('conversations.open')[0]?.params['users']).toBe('U0BOB');
  });
});

describe('createSlackAdapter', () => {
  it('refuses to start twice', async () => {
    const fake = await FakeSlack.start();
    const adapter = createSlackAdapter(socketConfig(fake));
    const handlers = recorder();
    await adapter.start(handlers);
    await expect(adapter.start(handlers)).rejects.toBeInstanceOf(PlatformError);
    await adapter.stop();
    await fake.close();
  });

  it('does not start with a bot token Slack rejects', async () => {
    const fake = await FakeSlack.start();
    const adapter = createSlackAdapter(socketConfig(fake, { botToken: 'xoxb-wrong' }));
    await expect(adapter.start(recorder())).rejects.toThrow();
    await adapter.stop();
    await fake.close();
  });
});
