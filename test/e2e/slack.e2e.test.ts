import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import type { Room } from '../../src/conference/types.ts';
import { silentLogger } from '../../src/log.ts';
import { startBot, type RunningBot } from '../../src/main.ts';
import { startEmbeddedPbx, type EmbeddedPbx } from '../../src/sim/pbx/index.ts';
import { ALICE, blockActions, slashCommand, type Who } from '../adapters/fake-slack/payloads.ts';
import { FakeSlack, type FakeMessage, type RecordedCall, type RecordedResponse } from '../adapters/fake-slack/server.ts';
import { visibleText } from '../adapters/fake-slack/visible-text.ts';

/**
 * The whole bot as production runs it: `startBot` with the Slack adapter in Socket Mode (the real
 * @slack/bolt SDK) against the fake Slack, the core, the SQLite store, and AMI over TCP to an
 * embedded PBX. People are driven on the PBX; Slack is driven with Socket Mode envelopes; every
 * assertion reads what Slack was sent (or the PBX / store state), never the bot's internals.
 */

const CHANNEL = ALICE.channelId;
const MODERATOR: Who = { ...ALICE, userId: 'U0MOD', userName: 'mo' };
const WAIT_MS = 8000;

const TIM = { num: '701', name: 'Tim', tech: 'PJSIP' } as const;
const ANN = { num: '702', name: 'Ann', tech: 'PJSIP' } as const;
const BOB = { num: '703', name: 'Bob', tech: 'PJSIP' } as const;
const EVE = { num: '704', name: 'Eve', tech: 'PJSIP' } as const;

// ---- resources, released in reverse order after each test ----

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'meetme-e2e-slack-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function fakeSlack(): Promise<FakeSlack> {
  const fake = await FakeSlack.start();
  cleanups.push(() => fake.close());
  return fake;
}

async function ownPbx(): Promise<EmbeddedPbx> {
  const pbx = await startEmbeddedPbx({ dialect: 'confbridge', users: [{ username: 'bot', secret: 'e2e-secret' }] });
  cleanups.push(() => pbx.stop());
  return pbx;
}

/** Config for a PBX the test runs itself (the bot's embedded one stops with the bot). */
function externalPbx(host: string, port: number): Record<string, unknown> {
  return {
    pbxs: [{ id: 'demo', host, port, username: 'bot', secret: 'e2e-secret', authType: 'md5' }],
    embedded: { pbx: false },
  };
}

const MODERATOR_ROLES = { roles: [{ role: 'moderator', users: [`slack:${ALICE.userId}`] }] };

async function startSlackBot(fake: FakeSlack, dataDir: string, extra: Record<string, unknown> = MODERATOR_ROLES): Promise<RunningBot> {
  const config = parseConfig({
    dataDir,
    listen: { port: 0 },
    adapters: ['slack'],
    slack: { mode: 'socket', botToken: fake.botToken, appToken: fake.appToken, apiUrl: fake.apiUrl },
    ...extra,
  });
  const bot = await startBot(config, { logger: silentLogger(), demo: false });
  cleanups.push(() => bot.stop());
  await fake.socketConnected();
  return bot;
}

/** The default deployment: embedded PBX and sensor inside the bot. */
async function embeddedSetup(extra: Record<string, unknown> = MODERATOR_ROLES): Promise<{ fake: FakeSlack; bot: RunningBot; pbx: EmbeddedPbx }> {
  const fake = await fakeSlack();
  const bot = await startSlackBot(fake, tempDataDir(), extra);
  const pbx = bot.embeddedPbx;
  if (pbx === undefined) throw new Error('the embedded PBX should run by default');
  return { fake, bot, pbx };
}

// ---- waiting on real signals, with a readable failure instead of a test timeout ----

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

/** Resolves once the bot's own view of room 200 (from AMI events) satisfies `pred`. */
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

const peopleInBotState = (n: number) => (room: Room | undefined): boolean => room !== undefined && room.endedAt === undefined && room.participants.size === n;

function blocksOf(call: RecordedCall): unknown[] {
  return Array.isArray(call.params['blocks']) ? (call.params['blocks'] as unknown[]) : [];
}

/** The `chat.update` calls for `ts` from index `from` on, as soon as one satisfies `accept`. */
async function updateOf(fake: FakeSlack, ts: string, what: string, accept: (call: RecordedCall) => boolean, from = 0): Promise<RecordedCall> {
  let last = '(no edit yet)';
  const search = async (): Promise<RecordedCall> => {
    for (let n = from + 1; ; n++) {
      const calls = await fake.waitForCalls('chat.update', n);
      const call = calls[n - 1] as RecordedCall;
      if (call.params['ts'] !== ts) continue;
      last = JSON.stringify(shownPeople(blocksOf(call)));
      if (accept(call)) return call;
    }
  };
  return within(() => `an edit of ${ts} showing ${what}; last edit showed ${last}`, search());
}

/** The response_url post answering the interaction that was given `url`. */
async function responseTo(fake: FakeSlack, url: string): Promise<RecordedResponse> {
  const id = url.slice(url.lastIndexOf('/') + 1);
  const search = async (): Promise<RecordedResponse> => {
    for (let n = 1; ; n++) {
      const responses = await fake.waitForResponses(n);
      const hit = responses.find((r) => r.id === id);
      if (hit !== undefined) return hit;
    }
  };
  return within(() => `a response_url answer on ${url}`, search());
}

/** Top-level messages (not thread notes) in the channel, in posting order. */
function statusMessages(fake: FakeSlack): FakeMessage[] {
  return [...fake.messages.values()].filter((m) => m.threadTs === undefined && m.channel === CHANNEL);
}

// ---- reading a status message like a person would ----

interface Shown {
  readonly who: string;
  readonly muted: boolean;
  readonly talking: boolean;
}

function sectionTexts(blocks: readonly unknown[]): string[] {
  const texts: string[] = [];
  for (const block of blocks as { type?: unknown; text?: { text?: unknown } }[]) {
    if (block.type === 'section' && typeof block.text?.text === 'string') texts.push(block.text.text);
  }
  return texts;
}

/** Participants listed in a status message: `*Name (num)*  details`, sorted by label. */
function shownPeople(blocks: readonly unknown[]): Shown[] {
  const out: Shown[] = [];
  for (const text of sectionTexts(blocks)) {
    const row = /^\*([^*]+)\* {2}(.*)$/s.exec(text);
    if (row === null) continue;
    const details = row[2] ?? '';
    out.push({ who: row[1] ?? '', muted: details.includes(':mute: muted'), talking: details.includes('talking') });
  }
  return out.sort((a, b) => a.who.localeCompare(b.who));
}

/** The truth, from the PBX itself, in the same shape. */
function pbxPeople(pbx: EmbeddedPbx, room = '200'): Shown[] {
  const snapshot = pbx.rooms().find((r) => r.name === room);
  return (snapshot?.participants ?? [])
    .map((p) => ({ who: `${p.callerName} (${p.callerNum})`, muted: p.muted, talking: p.talking }))
    .sort((a, b) => a.who.localeCompare(b.who));
}

interface Element {
  readonly type: string;
  readonly action_id: string;
  readonly value?: string;
  readonly text?: { readonly text: string };
}

/** The button labelled `label` in the row of participant `who` (a section and the actions that follow it). */
function buttonOf(blocks: readonly unknown[], who: string, label: string): { element: Element; blockId: string } {
  let inRow = false;
  for (const [i, block] of (blocks as { type?: string; block_id?: string; text?: { text?: string }; accessory?: Element; elements?: Element[] }[]).entries()) {
    if (block.type === 'section') {
      inRow = typeof block.text?.text === 'string' && block.text.text.startsWith(`*${who}*`);
      if (inRow && block.accessory?.text?.text === label) return { element: block.accessory, blockId: block.block_id ?? `b${i}` };
      continue;
    }
    if (inRow && block.type === 'actions') {
      const element = block.elements?.find((e) => e.type === 'button' && e.text?.text === label);
      if (element !== undefined) return { element, blockId: block.block_id ?? `b${i}` };
    }
  }
  throw new Error(`no ${label} button for ${who} in ${JSON.stringify(blocks)}`);
}

/** A block_actions envelope exactly as Slack sends it when `who` presses that button on message `ts`. */
function pressPayload(message: FakeMessage, press: { element: Element; blockId: string }, responseUrl: string, who: Who): Record<string, unknown> {
  const base = blockActions({ value: press.element.value ?? '', messageTs: message.ts, responseUrl, who });
  return {
    ...base,
    message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
    actions: [{
      type: 'button', action_id: press.element.action_id, block_id: press.blockId,
      text: press.element.text, value: press.element.value, action_ts: '1700000001.000001',
    }],
  };
}

/** Runs `/meetme <text>` as `who` and returns the ack and the response_url it was given. */
async function slash(fake: FakeSlack, text: string, who: Who = ALICE): Promise<{ ackEnvelope: string; responseUrl: string }> {
  const responseUrl = fake.responseUrl();
  const ack = await fake.deliver('slash_commands', slashCommand(text, responseUrl, who));
  return { ackEnvelope: ack.envelope_id, responseUrl };
}

/** `/meetme show 200`, then the status message it posted. */
async function show(fake: FakeSlack, who: Who = ALICE): Promise<FakeMessage> {
  const before = fake.callsTo('chat.postMessage').length;
  await slash(fake, 'show 200', who);
  await within(() => 'the status message post', fake.waitForCalls('chat.postMessage', before + 1));
  const message = statusMessages(fake).at(-1);
  if (message === undefined) throw new Error('no status message stored on the fake');
  return message;
}

// ---- a transparent TCP tap between the bot and the PBX, recording every AMI action ----

interface AmiTap {
  readonly port: number;
  /** Every `Action:` the bot sent, in order. */
  readonly actions: string[];
}

async function amiTap(target: EmbeddedPbx): Promise<AmiTap> {
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

// ---- the tests ----

describe('meetme-bot end to end over Slack Socket Mode (fake Slack, real SDK, embedded PBX over AMI)', () => {
  it('acks /meetme show, posts the room as Block Kit, then edits that same message as people join, get muted and leave', async () => {
    const { fake, bot, pbx } = await embeddedSetup();
    const tim = pbx.join('200', TIM);
    await botSees(bot, 'Tim in room 200', peopleInBotState(1));

    const { ackEnvelope } = await slash(fake, 'show 200');
    expect(ackEnvelope).toMatch(/^env-\d+$/);
    const [post] = await within(() => 'the status post', fake.waitForCalls('chat.postMessage', 1));
    expect(post?.params['channel']).toBe(CHANNEL);
    expect(post?.token).toBe(fake.botToken);
    const message = statusMessages(fake)[0] as FakeMessage;
    expect(visibleText(message.blocks)).toMatch(/Room 200 · demo/);
    expect(shownPeople(message.blocks)).toEqual(pbxPeople(pbx));
    expect(buttonOf(message.blocks, 'Tim (701)', 'Mute').element.value).toMatch(/^v1\|m\|demo\|200\|/);
    expect(buttonOf(message.blocks, 'Tim (701)', 'Kick').element.value).toMatch(/^v1\|k\|demo\|200\|/);

    const ann = pbx.join('200', ANN);
    const joined = await updateOf(fake, message.ts, 'Ann and Tim', (c) => shownPeople(blocksOf(c)).length === 2);
    expect(shownPeople(blocksOf(joined))).toEqual(pbxPeople(pbx));

    pbx.mute(tim.uniqueid, true);
    const muted = await updateOf(fake, message.ts, 'Tim muted', (c) => shownPeople(blocksOf(c)).some((p) => p.who === 'Tim (701)' && p.muted));
    expect(shownPeople(blocksOf(muted))).toEqual(pbxPeople(pbx));

    pbx.leave(ann.uniqueid);
    const left = await updateOf(fake, message.ts, 'only Tim', (c) => shownPeople(blocksOf(c)).length === 1);
    expect(shownPeople(blocksOf(left))).toEqual([{ who: 'Tim (701)', muted: true, talking: false }]);
    expect(shownPeople(blocksOf(left))).toEqual(pbxPeople(pbx));

    // Every change edited the one message; nothing new was posted in the channel.
    expect(fake.callsTo('chat.update').every((c) => c.params['ts'] === message.ts && c.params['channel'] === CHANNEL)).toBe(true);
    expect(statusMessages(fake)).toHaveLength(1);
  });

  it('mutes the participant on the PBX when their Mute button is pressed, edits the message and notes who did it in the thread', async () => {
    const { fake, bot, pbx } = await embeddedSetup();
    pbx.join('200', TIM);
    pbx.join('200', ANN);
    await botSees(bot, 'Tim and Ann', peopleInBotState(2));
    const message = await show(fake);

    const responseUrl = fake.responseUrl();
    const press = buttonOf(message.blocks, 'Tim (701)', 'Mute');
    const ack = await fake.deliver('interactive', pressPayload(message, press, responseUrl, ALICE));
    expect(ack.envelope_id).toMatch(/^env-\d+$/);

    await botSees(bot, 'Tim muted', (room) => [...(room?.participants.values() ?? [])].some((p) => p.callerName === 'Tim' && p.muted));
    const onPbx = pbx.rooms().find((r) => r.name === '200')?.participants ?? [];
    expect(onPbx.find((p) => p.callerName === 'Tim')?.muted).toBe(true);
    expect(onPbx.find((p) => p.callerName === 'Ann')?.muted).toBe(false);

    const edited = await updateOf(fake, message.ts, 'Tim muted', (c) => shownPeople(blocksOf(c)).some((p) => p.who === 'Tim (701)' && p.muted));
    expect(shownPeople(blocksOf(edited))).toEqual(pbxPeople(pbx));
    // The row now offers Unmute instead.
    expect(buttonOf(blocksOf(edited), 'Tim (701)', 'Unmute').element.value).toMatch(/^v1\|m\|demo\|200\|.+\|0$/);

    const [note] = await within(
      () => 'the thread note',
      (async () => {
        for (let n = 2; ; n++) {
          const posts = await fake.waitForCalls('chat.postMessage', n);
          const threaded = posts.filter((p) => p.params['thread_ts'] === message.ts);
          if (threaded.length > 0) return threaded;
        }
      })(),
    );
    expect(note?.params['channel']).toBe(CHANNEL);
    // A real mention of the person who pressed, not the deprecated user_name as plain text.
    expect(note?.params['text']).toBe(`<@${ALICE.userId}> muted Tim (701)`);

    const answer = await responseTo(fake, responseUrl);
    expect(answer.body['response_type']).toBe('ephemeral');
    expect(answer.body['text']).toMatch(/Muted Tim \(701\) in 200/);
  });

  it('waits out Retry-After when chat.update is rate limited and ends with an edit that shows the true final state', async () => {
    const { fake, bot, pbx } = await embeddedSetup();
    const tim = pbx.join('200', TIM);
    const ann = pbx.join('200', ANN);
    await botSees(bot, 'Tim and Ann', peopleInBotState(2));
    const message = await show(fake);

    // Slack's own 1 s edit interval would hide a bot that ignores `Retry-After: 1`, so the last
    // 429 asks for longer than that: only a bot that honours the header waits it out.
    const retryAfterSec = [1, 1, 2] as const;
    const LIMITED = retryAfterSec.length;
    for (const sec of retryAfterSec) fake.failNext('chat.update', { kind: 'ratelimited', retryAfterSec: sec });

    // People keep changing the room while Slack answers 429.
    const bob = pbx.join('200', BOB);
    await within(() => '1st (rate-limited) edit', fake.waitForCalls('chat.update', 1));
    pbx.mute(tim.uniqueid, true);
    await within(() => '2nd (rate-limited) edit', fake.waitForCalls('chat.update', 2));
    pbx.leave(ann.uniqueid);
    pbx.join('200', EVE);
    await within(() => '3rd (rate-limited) edit', fake.waitForCalls('chat.update', 3));
    pbx.talk(bob.uniqueid, true);
    await botSees(bot, 'the final room (Tim muted, Bob talking, Eve; Ann gone)', (room) => {
      const people = [...(room?.participants.values() ?? [])];
      return people.length === 3 && people.some((p) => p.callerName === 'Bob' && p.talking) && people.some((p) => p.callerName === 'Tim' && p.muted);
    });

    const final = await updateOf(fake, message.ts, 'the final room', () => true, LIMITED);
    const updates = fake.callsTo('chat.update');
    expect(updates).toHaveLength(LIMITED + 1);
    // Each retry came no sooner than the Retry-After the previous answer asked for (50 ms timer slack).
    for (let i = 1; i < updates.length; i++) {
      const waited = (updates[i] as RecordedCall).at - (updates[i - 1] as RecordedCall).at;
      expect(waited, `retry ${i}`).toBeGreaterThanOrEqual((retryAfterSec[i - 1] ?? 0) * 1000 - 50);
    }
    expect(shownPeople(blocksOf(final))).toEqual(pbxPeople(pbx));
    expect(shownPeople(blocksOf(final))).toEqual([
      { who: 'Bob (703)', muted: false, talking: true },
      { who: 'Eve (704)', muted: false, talking: false },
      { who: 'Tim (701)', muted: true, talking: false },
    ]);
    // What Slack now holds is that final edit, and stopping the bot leaves nothing unsent.
    expect(shownPeople(fake.messages.get(message.ts)?.blocks ?? [])).toEqual(pbxPeople(pbx));
    await bot.stop();
    expect(fake.callsTo('chat.update')).toHaveLength(LIMITED + 1);
    expect(statusMessages(fake)).toHaveLength(1);
  });

  it('after a restart on the same data dir, edits the status message it posted before and posts no new one', async () => {
    const fake = await fakeSlack();
    const pbx = await ownPbx();
    const dataDir = tempDataDir();
    const config = { ...MODERATOR_ROLES, ...externalPbx(pbx.host, pbx.port) };

    const first = await startSlackBot(fake, dataDir, config);
    expect(first.embeddedPbx).toBeUndefined();
    const tim = pbx.join('200', TIM);
    await botSees(first, 'Tim', peopleInBotState(1));
    const message = await show(fake);
    // One edit proves the message is tracked (and stored) before the bot goes down.
    const ann = pbx.join('200', ANN);
    await updateOf(fake, message.ts, 'Ann and Tim', (c) => shownPeople(blocksOf(c)).length === 2);
    await first.stop();
    const updatesBefore = fake.callsTo('chat.update').length;
    const postsBefore = fake.callsTo('chat.postMessage').length;

    // The room changes while no bot is running.
    pbx.mute(tim.uniqueid, true);
    pbx.hangup(ann.uniqueid);
    pbx.join('200', BOB);

    const second = await startSlackBot(fake, dataDir, config);
    const resumed = await updateOf(
      fake, message.ts, 'Bob and a muted Tim',
      (c) => JSON.stringify(shownPeople(blocksOf(c))) === JSON.stringify(pbxPeople(pbx)),
      updatesBefore,
    );
    expect(resumed.params['channel']).toBe(CHANNEL);
    expect(shownPeople(blocksOf(resumed))).toEqual([
      { who: 'Bob (703)', muted: false, talking: false },
      { who: 'Tim (701)', muted: true, talking: false },
    ]);
    await second.stop();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(postsBefore);
    expect(statusMessages(fake).map((m) => m.ts)).toEqual([message.ts]);
    expect(fake.callsTo('chat.update').every((c) => c.params['ts'] === message.ts)).toBe(true);
  });

  it('refuses a viewer pressing Kick with an ephemeral message, records the denial in the audit log, and leaves the room alone', async () => {
    const roles = {
      roles: [
        { role: 'viewer', users: ['*'] },
        { role: 'moderator', users: [`slack:${MODERATOR.userId}`] },
      ],
    };
    const { fake, bot, pbx } = await embeddedSetup(roles);
    const tim = pbx.join('200', TIM);
    await botSees(bot, 'Tim', peopleInBotState(1));
    const message = await show(fake, MODERATOR);
    const before = pbx.rooms();

    const responseUrl = fake.responseUrl();
    const press = buttonOf(message.blocks, 'Tim (701)', 'Kick');
    await fake.deliver('interactive', pressPayload(message, press, responseUrl, ALICE));

    const answer = await responseTo(fake, responseUrl);
    expect(answer.body['response_type']).toBe('ephemeral');
    expect(answer.body['replace_original']).toBe(false);
    expect(answer.body['text']).toMatch(/not allowed to run `kick`.*moderator/);

    const records = await bot.store.audit.query({ room: '200', actorUserId: ALICE.userId });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      actor: { platform: 'slack', userId: ALICE.userId, displayName: 'alice' },
      command: 'kick', pbx: 'demo', room: '200', target: tim.uniqueid, decision: 'denied', outcome: 'denied',
    });
    expect(records[0]?.detail).toMatch(/needs moderator/);

    expect(pbx.rooms()).toEqual(before);
    expect(fake.callsTo('chat.postMessage').filter((p) => p.params['thread_ts'] !== undefined)).toEqual([]);
  });

  it('answers a multi-line argument and an unknown subcommand with an ephemeral error, and sends nothing to AMI', async () => {
    const fake = await fakeSlack();
    const pbx = await ownPbx();
    const tap = await amiTap(pbx);
    const bot = await startSlackBot(fake, tempDataDir(), { ...MODERATOR_ROLES, ...externalPbx('127.0.0.1', tap.port) });
    pbx.join('200', TIM);
    await botSees(bot, 'Tim', peopleInBotState(1));
    const rooms = pbx.rooms();
    const actionsBefore = tap.actions.length;
    expect(tap.actions).toContain('Login');

    const cases: [text: string, answer: RegExp][] = [
      ['mute 200 "x\ny"', /^Commands must be one line: remove a line break\.$/],
      ['frobnicate', /^Unknown command `frobnicate`\. Try `help`\.$/],
      ['mtue 200 Tim', /^Unknown command `mtue`\. Did you mean `mute`\?$/],
    ];
    for (const [text, expected] of cases) {
      const { responseUrl } = await slash(fake, text);
      const answer = await responseTo(fake, responseUrl);
      expect(answer.body['response_type'], text).toBe('ephemeral');
      expect(answer.body['text'], text).toMatch(expected);
      // The error carries the correlation id that finds the log lines.
      expect(visibleText(answer.body['blocks'] as unknown[]), text).toMatch(/ref `[0-9a-f]+`/);
    }

    expect(tap.actions.slice(actionsBefore)).toEqual([]);
    expect(pbx.rooms()).toEqual(rooms);
    expect(fake.callsTo('chat.postMessage')).toEqual([]);
  });
});
