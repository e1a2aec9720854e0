import { once } from 'node:events';
import { Client, GatewayIntentBits, RateLimitError, Routes, type Interaction } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buttonPress, OPTION, slashCommand, type Place } from './payloads.ts';
import { DISCORD_ERRORS, FakeDiscord } from './server.ts';

/** The real discord.js Client against the fake: proves the fake speaks enough Discord for the adapter's tests. */

const TOKEN = 'fake-bot-token';
const alice = { id: '100000000000000001', username: 'alice', roles: ['300000000000000001'] };

describe('fake Discord with the real discord.js Client', () => {
  let fake: FakeDiscord;
  let client: Client;
  let place: Place;

  beforeEach(async () => {
    fake = await FakeDiscord.start({ heartbeatIntervalMs: 100 });
    place = { applicationId: fake.applicationId, guildId: '200000000000000001', channelId: '400000000000000001' };
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
  });

  afterEach(async () => {
    await client.destroy();
    await fake.close();
  });

  async function login(): Promise<void> {
    const ready = once(client, 'clientReady');
    await client.login(TOKEN);
    await ready;
  }

  function nextInteraction(): Promise<Interaction> {
    return once(client, 'interactionCreate').then(([i]) => i as Interaction);
  }

  it('logs in through GET /gateway/bot and identifies with the Guilds intent only', async () => {
    await login();
    expect(fake.callsTo('GET', /^\/gateway\/bot$/)).toHaveLength(1);
    expect(fake.gateway.identifies).toEqual([{ token: TOKEN, intents: GatewayIntentBits.Guilds }]);
    expect(client.user?.id).toBe('900000000000000001');
  });

  it('acknowledges heartbeats', async () => {
    await login();
    await once(fake.gateway, 'heartbeat');
    await once(fake.gateway, 'heartbeat');
    expect(fake.gateway.heartbeats).toBeGreaterThanOrEqual(2);
  });

  it('delivers a slash command whose deferral reaches the callback route without the bot token', async () => {
    await login();
    const received = nextInteraction();
    const sent = fake.interact(slashCommand(place, alice, 'show', [{ name: 'room', type: OPTION.string, value: '200' }]));
    const interaction = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.options.getSubcommand()).toBe('show');
    expect(interaction.options.getString('room')).toBe('200');
    await interaction.deferReply();
    const callback = await fake.waitForCall('POST', /\/callback$/);
    expect(callback.path).toBe(`/interactions/${sent.id}/${sent.token}/callback`);
    expect(callback.body).toEqual({ type: 5, data: { flags: 0 } });
    expect(callback.authorization).toBeUndefined();
  });

  it('delivers a button press on a posted message', async () => {
    await login();
    const posted = (await client.rest.post(Routes.channelMessages(place.channelId), { body: { content: 'status' } })) as { id: string };
    const received = nextInteraction();
    fake.interact(buttonPress(place, alice, fake.apiMessage(posted.id), 'v1|m|demo|200|1.1|1'));
    const interaction = await received;
    if (!interaction.isButton()) throw new Error('expected a button');
    expect(interaction.customId).toBe('v1|m|demo|200|1.1|1');
    expect(interaction.message.id).toBe(posted.id);
  });

  it('resumes after the gateway drops the socket, and receives what was sent meanwhile', async () => {
    await login();
    const resumed = once(fake.gateway, 'resume');
    fake.gateway.drop();
    const received = nextInteraction();
    fake.interact(slashCommand(place, alice, 'list', []));
    await resumed;
    expect((await received).isChatInputCommand()).toBe(true);
    expect(fake.gateway.resumes).toBe(1);
    expect(fake.gateway.identifies).toHaveLength(1);
  });

  it('answers 429 with the rate-limit headers the REST client reads', async () => {
    const limited = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl, rejectOnRateLimit: () => true } });
    limited.rest.setToken(TOKEN);
    fake.failNext('PATCH', /\/messages\//, { kind: 'ratelimited', retryAfterSec: 2.5, bucket: 'abc123', scope: 'shared' });
    const err = await limited.rest.patch(Routes.channelMessage(place.channelId, '1234567'), { body: { content: 'x' } }).catch((e: unknown) => e);
    await limited.destroy();
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfter).toBeGreaterThanOrEqual(2500);
    expect((err as RateLimitError).scope).toBe('shared');
  });

  it('refuses a token it was not given, on REST and on the gateway', async () => {
    const strict = await FakeDiscord.start({ botToken: 'right' });
    const wrong = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: strict.apiUrl } });
    await expect(wrong.login('wrong')).rejects.toThrow(/invalid token/i);
    await wrong.destroy();
    await strict.close();
  });

  it('answers the Discord error codes on demand', async () => {
    client.rest.setToken(TOKEN);
    fake.failNext('POST', /\/messages$/, DISCORD_ERRORS.missingPermissions);
    const err = await client.rest.post(Routes.channelMessages(place.channelId), { body: { content: 'x' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 50013, status: 403 });
  });
});
