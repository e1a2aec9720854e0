import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import type { Room } from '../../src/conference/types.ts';
import { silentLogger } from '../../src/log.ts';
import { startBot, type RunningBot } from '../../src/main.ts';
import { startEmbeddedPbx, type EmbeddedPbx } from '../../src/sim/pbx/index.ts';
import { decodeAction } from '../../src/core/actions.ts';
import { tokenize } from '../../src/core/tokenize.ts';
import { optionsFor } from '../adapters/discord/harness.ts';
import { autocomplete, buttonPress, OPTION, slashCommand, type FakeUser, type Place } from '../fake-discord/payloads.ts';
import { EPHEMERAL, FakeDiscord, type FakeMessage, type RecordedCall } from '../fake-discord/server.ts';

/**
 * The whole bot as production runs it with Discord: `startBot` with the Discord adapter (the real
 * discord.js Client) against the fake Discord, the core, the SQLite store, and AMI over TCP to an
 * embedded PBX. Assertions read what Discord was sent, or the PBX, never the bot's internals.
 */

const GUILD = '200000000000000001';
const CHANNEL = '400000000000000001';
const ALICE: FakeUser = { id: '100000000000000001', username: 'alice', roles: ['300000000000000009'] };
const VICTOR: FakeUser = { id: '100000000000000002', username: 'victor', roles: [] };
const WAIT_MS = 8000;

const TIM = { num: '701', name: 'Tim', tech: 'PJSIP' } as const;
const ANN = { num: '702', name: 'Ann', tech: 'PJSIP' } as const;
const BOB = { num: '703', name: 'Bob', tech: 'PJSIP' } as const;

/** Alice is a moderator through her Discord role; everyone else may only view. */
const ROLES = {
  roles: [
    { role: 'moderator', groups: [`discord:${ALICE.roles[0] ?? ''}`] },
    { role: 'viewer', users: ['*'] },
  ],
};

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'meetme-e2e-discord-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function fakeDiscord(): Promise<FakeDiscord> {
  const fake = await FakeDiscord.start();
  cleanups.push(() => fake.close());
  return fake;
}

async function ownPbx(): Promise<EmbeddedPbx> {
  const pbx = await startEmbeddedPbx({ dialect: 'confbridge', users: [{ username: 'bot', secret: 'e2e-secret' }] });
  cleanups.push(() => pbx.stop());
  return pbx;
}

function externalPbx(host: string, port: number): Record<string, unknown> {
  return { pbxs: [{ id: 'demo', host, port, username: 'bot', secret: 'e2e-secret', authType: 'md5' }], embedded: { pbx: false } };
}

async function startDiscordBot(fake: FakeDiscord, dataDir: string, extra: Record<string, unknown> = {}): Promise<RunningBot> {
  const config = parseConfig({
    dataDir,
    listen: { port: 0 },
    adapters: ['discord'],
    discord: { token: 'fake-bot-token', applicationId: fake.applicationId, apiUrl: fake.apiUrl },
    ...ROLES,
    ...extra,
  });
  const bot = await startBot(config, { logger: silentLogger(), demo: false });
  cleanups.push(() => bot.stop());
  return bot;
}

async function within<T>(what: () => string, work: Promise<T>, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what()}`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function botSees(bot: RunningBot, what: string, pred: (room: Room | undefined) => boolean): Promise<void> {
  const room = (): Room | undefined => bot.registry.backend('demo').state().rooms.get('200');
  if (pred(room())) return Promise.resolve();
  let off: () => void = () => undefined;
  const seen = new Promise<void>((resolve) => {
    off = bot.registry.onChange(() => {
      if (pred(room())) resolve();
    });
  });
  return within(() => `the bot to see ${what}`, seen).finally(() => off());
}

const people = (n: number) => (room: Room | undefined): boolean => room !== undefined && room.endedAt === undefined && room.participants.size === n;

// ---- reading a status message like a person would ----

interface Shown {
  readonly who: string;
  readonly muted: boolean;
}

interface Body {
  embeds?: { title?: string; description?: string }[];
  components?: { components: { label?: string; custom_id?: string }[] }[];
}

/** Participants in an embed: `🔇 **Tim** (701) · muted · …`, sorted. */
function shownPeople(body: unknown): Shown[] {
  const description = (body as Body).embeds?.[0]?.description ?? '';
  const out: Shown[] = [];
  for (const line of description.split('\n')) {
    const row = /^(\S+) \*\*(.+?)\*\*(?: \((.+?)\))?/u.exec(line);
    if (row === null) continue;
    out.push({ who: row[3] === undefined ? row[2] ?? '' : `${row[2] ?? ''} (${row[3]})`, muted: row[1] === '🔇' });
  }
  return out.sort((a, b) => a.who.localeCompare(b.who));
}

function pbxPeople(pbx: EmbeddedPbx): Shown[] {
  const snapshot = pbx.rooms().find((r) => r.name === '200');
  return (snapshot?.participants ?? []).map((p) => ({ who: `${p.callerName} (${p.callerNum})`, muted: p.muted })).sort((a, b) => a.who.localeCompare(b.who));
}

function buttonId(body: unknown, label: string): string {
  const id = (body as Body).components?.flatMap((r) => r.components).find((c) => c.label === label)?.custom_id;
  if (id === undefined) throw new Error(`no ${label} button in ${JSON.stringify(body)}`);
  return id;
}

/** The first button whose id is a core action of `kind`. */
function actionButtonId(body: unknown, kind: string): string {
  const kindOf = (id: string | undefined): string | undefined => {
    try {
      return id === undefined ? undefined : decodeAction(id).kind;
    } catch {
      return undefined;
    }
  };
  const id = (body as Body).components?.flatMap((r) => r.components).find((c) => kindOf(c.custom_id) === kind)?.custom_id;
  if (id === undefined) throw new Error(`no ${kind} button in ${JSON.stringify(body)}`);
  return id;
}

const edits = (fake: FakeDiscord): RecordedCall[] => fake.callsTo('PATCH', /^\/channels\/\d+\/messages\/\d+$/);
const posts = (fake: FakeDiscord): RecordedCall[] => fake.callsTo('POST', /^\/channels\/\d+\/messages$/);

/** The first edit of message `id` after `from` edits that satisfies `accept`. */
async function editOf(fake: FakeDiscord, id: string, what: string, accept: (body: unknown) => boolean, from = 0): Promise<RecordedCall> {
  let last = '(no edit yet)';
  const search = async (): Promise<RecordedCall> => {
    for (let n = from; ; n++) {
      const call = await fake.waitForCall('PATCH', /^\/channels\//, (c) => edits(fake).indexOf(c) === n);
      if (!call.path.endsWith(`/${id}`) || call.status !== 200) continue;
      last = JSON.stringify(shownPeople(call.body));
      if (accept(call.body)) return call;
    }
  };
  return within(() => `an edit of ${id} showing ${what}; last edit showed ${last}`, search());
}

// ---- driving Discord ----

function place(fake: FakeDiscord): Place {
  return { applicationId: fake.applicationId, guildId: GUILD, channelId: CHANNEL };
}

async function slash(fake: FakeDiscord, text: string, user: FakeUser = ALICE): Promise<{ id: string; token: string }> {
  const tokenized = tokenize(text);
  const [sub = 'help', ...words] = tokenized.ok ? tokenized.tokens : text.split(' ');
  const sent = fake.interact(slashCommand(place(fake), user, sub, optionsFor(words, sub)));
  await within(() => `the deferral of /meetme ${text}`, fake.waitForCall('POST', /\/callback$/, (c) => c.path.startsWith(`/interactions/${sent.id}/`)));
  return sent;
}

/** The answer to an interaction: its @original edit or a follow-up. */
function answerTo(fake: FakeDiscord, token: string): Promise<RecordedCall> {
  return within(() => `an answer on ${token}`, fake.waitForCall('POST', /^\/webhooks\//, (c) => c.path.includes(token))
    .then((c) => c, () => undefined as never));
}

async function watch(fake: FakeDiscord): Promise<FakeMessage> {
  const before = posts(fake).length;
  const sent = await slash(fake, 'watch 200');
  await within(() => 'the status message post', fake.waitForCall('POST', /^\/channels\/\d+\/messages$/, (c) => posts(fake).indexOf(c) === before));
  // The status message is the answer: no "thinking…" placeholder is left behind.
  await within(() => 'the deferred reply removed', fake.waitForCall('DELETE', /@original$/, (c) => c.path.includes(sent.token)));
  const message = fake.state.channelMessages(CHANNEL).filter((m) => m.interactionUser === undefined).at(-1);
  if (message === undefined) throw new Error('no status message');
  return message;
}

async function amiTap(target: EmbeddedPbx): Promise<{ port: number; actions: string[] }> {
  const actions: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => undefined);
    }
    let pending = '';
    client.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const action = /^Action:\s*(.+)$/im.exec(pending.slice(0, end))?.[1]?.trim();
        if (action !== undefined) actions.push(action);
        pending = pending.slice(end + 4);
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, actions };
}

describe('meetme-bot end to end over Discord (fake Discord, real discord.js, embedded PBX over AMI)', () => {
  it('watch 200 posts one embed through the channel, then edits that message as people join, get muted and leave', async () => {
    const fake = await fakeDiscord();
    const bot = await startDiscordBot(fake, tempDataDir());
    const pbx = bot.embeddedPbx as EmbeddedPbx;
    const tim = pbx.join('200', TIM);
    await botSees(bot, 'Tim', people(1));

    const message = await watch(fake);
    expect(posts(fake)[0]?.authorization).toBe('Bot fake-bot-token');
    expect(shownPeople(fake.apiMessage(message.id))).toEqual(pbxPeople(pbx));
    expect(buttonId(fake.apiMessage(message.id), 'Mute Tim')).toMatch(/^v1\|m\|demo\|200\|/);

    const ann = pbx.join('200', ANN);
    await editOf(fake, message.id, 'Ann and Tim', (b) => shownPeople(b).length === 2);
    pbx.mute(tim.uniqueid, true);
    await editOf(fake, message.id, 'Tim muted', (b) => shownPeople(b).some((p) => p.who === 'Tim (701)' && p.muted));
    pbx.leave(ann.uniqueid);
    const left = await editOf(fake, message.id, 'only Tim', (b) => shownPeople(b).length === 1);
    expect(shownPeople(left.body)).toEqual(pbxPeople(pbx));

    expect(edits(fake).every((c) => c.path === `/channels/${CHANNEL}/messages/${message.id}` && c.authorization === 'Bot fake-bot-token')).toBe(true);
    expect(posts(fake)).toHaveLength(1);
  });

  it('mutes Tim on the PBX when a moderator presses Mute, and the message shows it', async () => {
    const fake = await fakeDiscord();
    const bot = await startDiscordBot(fake, tempDataDir());
    const pbx = bot.embeddedPbx as EmbeddedPbx;
    pbx.join('200', TIM);
    await botSees(bot, 'Tim', people(1));
    const message = await watch(fake);

    const press = fake.interact(buttonPress(place(fake), ALICE, fake.apiMessage(message.id), buttonId(fake.apiMessage(message.id), 'Mute Tim')));
    const deferral = await within(() => 'deferUpdate', fake.waitForCall('POST', /\/callback$/, (c) => c.path.startsWith(`/interactions/${press.id}/`)));
    expect(deferral.body).toMatchObject({ type: 6 });
    await botSees(bot, 'Tim muted', (r) => [...(r?.participants.values() ?? [])].some((p) => p.muted));
    expect(pbxPeople(pbx)).toEqual([{ who: 'Tim (701)', muted: true }]);
    await editOf(fake, message.id, 'Tim muted', (b) => shownPeople(b).some((p) => p.muted));
    const note = await within(() => 'the action note', fake.waitForCall('POST', /^\/channels\//, (c) => JSON.stringify(c.body).includes('message_reference')));
    expect(note.body).toMatchObject({ message_reference: { message_id: message.id }, allowed_mentions: { parse: [] } });
    expect(JSON.stringify(note.body)).toMatch(/alice.*muted.*Tim/);
  });

  it('pages a room of 30 by the core: Next turns the same message, and later edits keep the page', async () => {
    const fake = await fakeDiscord();
    const bot = await startDiscordBot(fake, tempDataDir());
    const pbx = bot.embeddedPbx as EmbeddedPbx;
    for (let i = 0; i < 30; i++) pbx.join('200', { num: String(800 + i), name: `Caller ${i}`, tech: 'PJSIP' });
    await botSees(bot, 'thirty callers', people(30));
    const message = await watch(fake);
    const first = fake.apiMessage(message.id);
    expect(JSON.stringify(first)).toContain('page 1 of 2');
    expect(decodeAction(buttonId(first, 'Next ▶'))).toMatchObject({ kind: 'page', room: '200', page: 1 });

    const from = edits(fake).length;
    fake.interact(buttonPress(place(fake), ALICE, first, buttonId(first, 'Next ▶')));
    await editOf(fake, message.id, 'page 2', (b) => JSON.stringify(b).includes('page 2 of 2'), from);
    pbx.join('200', TIM);
    const later = await editOf(fake, message.id, 'Tim on page 2', (b) => shownPeople(b).some((p) => p.who === 'Tim (701)'), from);
    expect(JSON.stringify(later.body)).toContain('page 2 of 2');
    expect(posts(fake)).toHaveLength(1);
  });

  it('refuses a viewer\'s Mute press privately and leaves the room alone', async () => {
    const fake = await fakeDiscord();
    const bot = await startDiscordBot(fake, tempDataDir());
    const pbx = bot.embeddedPbx as EmbeddedPbx;
    pbx.join('200', TIM);
    await botSees(bot, 'Tim', people(1));
    const message = await watch(fake);
    const before = pbx.rooms();

    const press = fake.interact(buttonPress(place(fake), VICTOR, fake.apiMessage(message.id), buttonId(fake.apiMessage(message.id), 'Mute Tim')));
    const answer = await answerTo(fake, press.token);
    expect(answer.body).toMatchObject({ flags: EPHEMERAL });
    expect(JSON.stringify(answer.body)).toMatch(/not allowed|may not|permission|role/i);
    expect(pbx.rooms()).toEqual(before);
  });

  it('asks before a Kick press with the core\'s Confirm / Cancel, privately, and kicks only on Confirm', async () => {
    const fake = await fakeDiscord();
    const bot = await startDiscordBot(fake, tempDataDir());
    const pbx = bot.embeddedPbx as EmbeddedPbx;
    pbx.join('200', TIM);
    pbx.join('200', ANN);
    await botSees(bot, 'Tim and Ann', people(2));
    const message = await watch(fake);

    const press = fake.interact(buttonPress(place(fake), ALICE, fake.apiMessage(message.id), actionButtonId(fake.apiMessage(message.id), 'kick')));
    const question = await answerTo(fake, press.token);
    expect(question.body).toMatchObject({ flags: EPHEMERAL });
    expect(actionButtonId(question.body, 'cancel')).toBeTruthy();
    expect(pbxPeople(pbx)).toHaveLength(2);

    const asked = fake.state.channelMessages(CHANNEL).filter((m) => m.interactionUser !== undefined).at(-1) as FakeMessage;
    fake.interact(buttonPress(place(fake), ALICE, fake.apiMessage(asked.id), actionButtonId(question.body, 'confirm')));
    await botSees(bot, 'one caller kicked', people(1));
  });

  it('rides out a storm of 429s on edits and ends with an edit showing the true state', async () => {
    const fake = await fakeDiscord();
    const bot = await startDiscordBot(fake, tempDataDir());
    const pbx = bot.embeddedPbx as EmbeddedPbx;
    const tim = pbx.join('200', TIM);
    await botSees(bot, 'Tim', people(1));
    const message = await watch(fake);

    fake.failNext('PATCH', /^\/channels\//, { kind: 'ratelimited', retryAfterSec: 0.3, scope: 'user' }, 4);
    const ann = pbx.join('200', ANN);
    pbx.mute(tim.uniqueid, true);
    pbx.join('200', BOB);
    pbx.leave(ann.uniqueid);
    await botSees(bot, 'Tim and Bob', people(2));
    const final = await editOf(fake, message.id, 'the PBX truth', (b) => JSON.stringify(shownPeople(b)) === JSON.stringify(pbxPeople(pbx)));
    expect(shownPeople(final.body)).toEqual([{ who: 'Bob (703)', muted: false }, { who: 'Tim (701)', muted: true }]);
    expect(shownPeople(fake.apiMessage(message.id))).toEqual(pbxPeople(pbx));
    expect(edits(fake).filter((c) => c.status === 429)).toHaveLength(4);
    expect(posts(fake)).toHaveLength(1);
  });

  it('after a restart on the same data dir, edits the message it posted before and posts no new one', async () => {
    const fake = await fakeDiscord();
    const pbx = await ownPbx();
    const dataDir = tempDataDir();
    const first = await startDiscordBot(fake, dataDir, externalPbx(pbx.host, pbx.port));
    const tim = pbx.join('200', TIM);
    await botSees(first, 'Tim', people(1));
    const message = await watch(fake);
    pbx.join('200', ANN);
    await editOf(fake, message.id, 'Ann and Tim', (b) => shownPeople(b).length === 2);
    await first.stop();
    const editsBefore = edits(fake).length;

    pbx.mute(tim.uniqueid, true);
    pbx.join('200', BOB);
    const second = await startDiscordBot(fake, dataDir, externalPbx(pbx.host, pbx.port));
    await botSees(second, 'three people', people(3));
    await editOf(fake, message.id, 'Ann, Bob and a muted Tim', (b) => JSON.stringify(shownPeople(b)) === JSON.stringify(pbxPeople(pbx)), editsBefore);
    expect(posts(fake)).toHaveLength(1);
  });

  it('re-posts a status message Discord will no longer edit (30046), and after a restart edits the new one', async () => {
    const fake = await fakeDiscord();
    const pbx = await ownPbx();
    const dataDir = tempDataDir();
    const first = await startDiscordBot(fake, dataDir, externalPbx(pbx.host, pbx.port));
    const tim = pbx.join('200', TIM);
    await botSees(first, 'Tim', people(1));
    const old = await watch(fake);
    fake.failNext('PATCH', /^\/channels\//, { kind: 'api', status: 400, code: 30046, message: 'Maximum number of edits to messages older than 1 hour reached.' });
    pbx.join('200', ANN);
    await within(() => 'the re-post', fake.waitForCall('POST', /^\/channels\/\d+\/messages$/, (c) => posts(fake).indexOf(c) === 1));
    await within(() => 'the old message deleted', fake.waitForCall('DELETE', new RegExp(`/messages/${old.id}$`)));
    const fresh = fake.state.channelMessages(CHANNEL).filter((m) => m.interactionUser === undefined && m.replyTo === undefined).at(-1) as FakeMessage;
    expect(fresh.id).not.toBe(old.id);
    await first.stop();
    const editsBefore = edits(fake).length;

    pbx.mute(tim.uniqueid, true);
    const second = await startDiscordBot(fake, dataDir, externalPbx(pbx.host, pbx.port));
    await botSees(second, 'Tim muted', (r) => [...(r?.participants.values() ?? [])].some((p) => p.muted));
    await editOf(fake, fresh.id, 'a muted Tim and Ann', (b) => JSON.stringify(shownPeople(b)) === JSON.stringify(pbxPeople(pbx)), editsBefore);
    expect(posts(fake)).toHaveLength(2);
  });

  it('answers bad input privately and sends nothing to AMI', async () => {
    const fake = await fakeDiscord();
    const pbx = await ownPbx();
    const tap = await amiTap(pbx);
    const bot = await startDiscordBot(fake, tempDataDir(), externalPbx('127.0.0.1', tap.port));
    pbx.join('200', TIM);
    await botSees(bot, 'Tim', people(1));
    const actionsBefore = tap.actions.length;

    const bad = fake.interact(slashCommand(place(fake), ALICE, 'mute', [
      { name: 'room', type: OPTION.string, value: '200' },
      { name: 'who', type: OPTION.string, value: 'Tim\r\nAction: Hangup' },
    ]));
    const deferral = await within(() => 'the deferral', fake.waitForCall('POST', /\/callback$/, (c) => c.path.startsWith(`/interactions/${bad.id}/`)));
    expect(deferral.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    const answer = await within(() => 'the error answer', fake.waitForCall('PATCH', /@original$/, (c) => c.path.includes(bad.token)));
    expect(JSON.stringify(answer.body)).toMatch(/one line/);

    // A forged button id with a line break in it is refused as a bad button, privately.
    const anyMessage = fake.state.addMessage(CHANNEL, { content: 'an old message' });
    const forged = fake.interact(buttonPress(place(fake), ALICE, fake.apiMessage(anyMessage.id), 'v1|m|demo|200|1.1\r\nAction: Hangup|1'));
    const refusal = await answerTo(fake, forged.token);
    expect(refusal.body).toMatchObject({ flags: EPHEMERAL });
    expect(tap.actions.slice(actionsBefore)).toEqual([]);
  });

  it('autocompletes live rooms and the participants of the chosen room', async () => {
    const fake = await fakeDiscord();
    const bot = await startDiscordBot(fake, tempDataDir());
    const pbx = bot.embeddedPbx as EmbeddedPbx;
    pbx.join('200', TIM);
    pbx.join('200', ANN);
    await botSees(bot, 'Tim and Ann', people(2));

    const asked = performance.now();
    const rooms = fake.interact(autocomplete(place(fake), ALICE, 'mute', [{ name: 'room', type: OPTION.string, value: '2', focused: true }]));
    const roomAnswer = await within(() => 'room choices', fake.waitForCall('POST', /\/callback$/, (c) => c.path.startsWith(`/interactions/${rooms.id}/`)));
    // Discord gives autocomplete 3 s; the answer comes from memory, far inside that.
    expect(roomAnswer.at - asked).toBeLessThan(1000);
    expect(roomAnswer.body).toMatchObject({ type: 8, data: { choices: [{ value: '200' }] } });

    const who = fake.interact(autocomplete(place(fake), ALICE, 'mute', [
      { name: 'room', type: OPTION.string, value: '200' },
      { name: 'who', type: OPTION.string, value: 'an', focused: true },
    ]));
    const whoAnswer = await within(() => 'participant choices', fake.waitForCall('POST', /\/callback$/, (c) => c.path.startsWith(`/interactions/${who.id}/`)));
    const choices = (whoAnswer.body as { data: { choices: { name: string }[] } }).data.choices;
    expect(choices.map((c) => c.name)).toEqual([expect.stringMatching(/^Ann \(702\) · PJSIP\//)]);
  });
});
