import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { COMMAND_DESCRIPTION, SLASH_COMMAND, SUBCOMMAND_NAMES, USAGE_HINT } from '../../../src/core/commands.ts';
import type { InboundContext, InboundHandlers } from '../../../src/core/adapter.ts';
import { createSlackAdapter, type SlackAdapter } from '../../../adapters/slack/index.ts';
import { APP_TOKEN_METHODS, METHOD_SCOPES, requiredBotScopes } from '../../../adapters/slack/scopes.ts';
import { MANIFEST_BOT_HANDLE } from '../../../adapters/slack/web-api.ts';
import { FakeSlack } from '../fake-slack/server.ts';
import { ALICE, blockActions, slashCommand } from '../fake-slack/payloads.ts';
import { replyView, statusView } from '../views.ts';
import { socketConfig } from './harness.ts';

const manifestSchema = z.object({
  display_information: z.object({ name: z.string().min(1).max(35), description: z.string().max(140) }),
  features: z.object({
    app_home: z.object({ home_tab_enabled: z.boolean(), messages_tab_enabled: z.boolean(), messages_tab_read_only_enabled: z.boolean() }),
    bot_user: z.object({ display_name: z.string().min(1).max(80) }),
    slash_commands: z.array(z.object({
      command: z.string().regex(/^\/[a-z0-9_-]+$/),
      description: z.string().min(1).max(100),
      usage_hint: z.string().max(1000),
      should_escape: z.boolean(),
    })),
  }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.boolean() }),
    socket_mode_enabled: z.boolean(),
  }),
});

const manifest = manifestSchema.parse(parse(readFileSync(new URL('../../../manifest.yml', import.meta.url), 'utf8')));

describe('manifest.yml', () => {
  it('declares the one slash command the grammar parses, with its description and usage hint', () => {
    expect(manifest.features.slash_commands).toEqual([
      { command: SLASH_COMMAND, description: COMMAND_DESCRIPTION, usage_hint: USAGE_HINT, should_escape: false },
    ]);
  });

  it('only hints at subcommands the grammar knows', () => {
    const words = USAGE_HINT.split('|').map((part) => part.trim().split(/\s+/)[0] ?? '');
    for (const word of words) expect(SUBCOMMAND_NAMES).toContain(word);
  });

  it('names the bot user as the adapter names it before Slack has told it (in "Invite @meetme")', () => {
    expect(manifest.features.bot_user.display_name).toBe(MANIFEST_BOT_HANDLE);
  });

  it('turns on interactivity (buttons) and Socket Mode', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });

  it('turns on the Home tab and a read-only Messages tab', () => {
    expect(manifest.features.app_home).toEqual({ home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: true });
  });

  it('subscribes to the events the adapter handles: Home tab opened, app uninstalled, tokens revoked', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(['app_home_opened', 'app_uninstalled', 'tokens_revoked']);
  });

  it('asks for exactly the bot scopes the adapter needs', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(requiredBotScopes());
  });
});

describe('METHOD_SCOPES against what the adapter really calls', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;

  beforeAll(async () => {
    fake = await FakeSlack.start();
    fake.userGroups = [{ id: 'S0MODS', users: [ALICE.userId] }];
    adapter = createSlackAdapter(socketConfig(fake), {
      home: () => ({ role: undefined, roleReason: 'no grant matches', rooms: [], unreachable: [], multiPbx: false, slashCommand: '/meetme', commands: [] }),
    });
    let commanded: (ctx: InboundContext) => void = () => undefined;
    const command = new Promise<InboundContext>((resolve) => { commanded = resolve; });
    const handlers: InboundHandlers = {
      command: async (ctx) => {
        commanded(ctx);
        await ctx.ack('private');
      },
      action: (ctx) => ctx.ack('private'),
    };
    await adapter.start(handlers);
    // One session touching every outbound path: commands, replies past the response_url budget,
    // status posts and edits (a page turn is one, by the core), thread notes, alerts to a channel and by DM, the Home tab.
    const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
    await adapter.update(ref, statusView('200'));
    await adapter.postThreadNote(ref, 'alice muted Tim (701)');
    await adapter.postAlert({ channel: 'C0ALERTS' }, replyView('alert'));
    await adapter.postAlert({ user: 'U0BOB' }, replyView('alert'));
    await fake.deliver('slash_commands', slashCommand('whoami', fake.responseUrl()));
    const ctx = await command;
    await fake.deliver('interactive', blockActions({ value: 'v1|p|pbx1|200|0', messageTs: ref.id, responseUrl: fake.responseUrl() }));
    await fake.waitForCalls('chat.update', 1);
    for (let i = 0; i < 6; i++) await adapter.reply(ctx.interaction, replyView(`r${i}`), { ephemeral: true });
    await fake.deliverEvent({ type: 'app_home_opened', user: ALICE.userId, channel: 'D0HOME', tab: 'home', event_ts: '1.2' });
    await fake.waitForCalls('views.publish');
  });

  afterAll(async () => {
    await adapter.stop();
    await fake.close();
  });

  it('has a scope entry for every Web API method called with the bot token', () => {
    const called = new Set(fake.calls.map((c) => c.method));
    for (const method of called) {
      if ((APP_TOKEN_METHODS as readonly string[]).includes(method)) continue;
      expect(Object.keys(METHOD_SCOPES)).toContain(method);
    }
  });

  it('lists no method the adapter never calls', () => {
    const called = new Set(fake.calls.map((c) => c.method));
    for (const method of Object.keys(METHOD_SCOPES)) expect(called).toContain(method);
  });

  it('uses the app-level token only for apps.connections.open', () => {
    for (const call of fake.calls) {
      const appCall = (APP_TOKEN_METHODS as readonly string[]).includes(call.method);
      expect(call.token).toBe(appCall ? fake.appToken : fake.botToken);
    }
  });
});
