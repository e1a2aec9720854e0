import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { startBot, type RunningBot } from '../../src/main.ts';
import { startEmbeddedPbx, type EmbeddedPbx } from '../../src/sim/pbx/index.ts';
import { startEmbeddedSensor, type EmbeddedSensor } from '../../src/sim/sensor/server.ts';
import { ALICE, blockActions } from '../adapters/fake-slack/payloads.ts';
import { FakeSlack } from '../adapters/fake-slack/server.ts';
import { startByteTap, type ByteTap } from './tap.ts';

/**
 * Every command argument and every button-id field, carrying each hostile character class, typed
 * into the shell (commands) or pressed through Slack (button ids, which the shell only presses when
 * it issued them): the bytes the embedded PBX and sensor receive on their sockets, read through a
 * loopback tap, hold no such character, no injected header line, and no oversized value.
 */

const MARK = 'X-Injected:1';
const HOSTILE: Readonly<Record<string, string>> = {
  CR: '\r', LF: '\n', CRLF: '\r\n', NUL: '\0', SOH: '\x01', TAB: '\t', ESC: '\x1b', US: '\x1f', DEL: '\x7f', NEL: '\u0085',
  RLO: '\u202e', LRI: '\u2066', PDI: '\u2069', LRM: '\u200e', ZWSP: '\u200b', ZWJ: '\u200d', WJ: '\u2060', BOM: '\ufeff',
  'HANGUL FILLER U+3164': '\u3164', 'CGJ U+034F': '\u034f', 'HANGUL CHOSEONG FILLER U+115F': '\u115f', 'HALFWIDTH FILLER U+FFA0': '\uffa0',
  'BRAILLE BLANK U+2800': '\u2800', 'MONGOLIAN VS U+180E': '\u180e',
};
/** Values: the character between a plausible value and an attempted header, alone, and 10 KB long. */
function values(plausible: string): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  for (const [label, ch] of Object.entries(HOSTILE)) {
    out.push({ label: `${label} inside`, value: `${plausible}${ch}${MARK}` });
    out.push({ label: `${label} alone`, value: ch });
  }
  out.push({ label: '10 KB', value: `${plausible}${'A'.repeat(10 * 1024)}` });
  out.push({ label: '10 KB of ZWSP', value: `${plausible}${'\u200b'.repeat(5 * 1024)}` });
  return out;
}

/** Code point ranges nothing typed may carry onto a wire: C0, DEL, C1, invisible formatting and fillers. */
const FORBIDDEN_RANGES: readonly (readonly [number, number])[] = [
  [0x00, 0x1f], [0x7f, 0x9f], [0xad, 0xad], [0x34f, 0x34f], [0x61c, 0x61c], [0x115f, 0x1160], [0x17b4, 0x17b5],
  [0x180b, 0x180f], [0x200b, 0x200f], [0x2028, 0x202e], [0x2060, 0x206f], [0x2800, 0x2800], [0x3164, 0x3164],
  [0xfe00, 0xfe0f], [0xfeff, 0xfeff], [0xffa0, 0xffa0], [0xfff9, 0xfffb],
];
const FORBIDDEN = {
  test: (line: string): boolean => [...line].some((ch) => {
    const cp = ch.codePointAt(0) ?? 0;
    return FORBIDDEN_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi);
  }),
};
const MAX_LINE = 1024;
const visible = (s: string) => JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…(${s.length})` : s);

/** What is wrong with a byte stream of CRLF-terminated blocks (AMI messages, sensor commands). */
function wireProblems(bytes: Buffer, lineShape: RegExp | undefined): string[] {
  const problems: string[] = [];
  const blocks = bytes.toString('utf8').split('\r\n\r\n');
  for (const block of blocks) {
    if (block === '') continue;
    for (const line of block.split('\r\n')) {
      if (FORBIDDEN.test(line)) problems.push(`control/invisible character in ${visible(line)}`);
      if (Buffer.byteLength(line) > MAX_LINE) problems.push(`line of ${Buffer.byteLength(line)} bytes: ${visible(line)}`);
      if (/^x-injected/i.test(line.trimStart())) problems.push(`injected line ${visible(line)}`);
      if (lineShape !== undefined && !lineShape.test(line)) problems.push(`not a header line: ${visible(line)}`);
    }
  }
  return problems;
}

let sim: EmbeddedPbx;
let sensor: EmbeddedSensor;
let amiTap: ByteTap;
let sensorTap: ByteTap;
let slack: FakeSlack;
let bot: RunningBot;
let dataDir: string;

function shell() {
  if (bot.shell === undefined) throw new Error('the shell adapter should run');
  return bot.shell;
}

/** Brings Tim and Ann back when an earlier case (a validated kick or transfer) sent them away. */
function ensureCallers(): void {
  const present = new Set(sim.rooms().find((r) => r.name === '200')?.participants.map((p) => p.callerName));
  if (!present.has('Tim')) sim.join('200', { num: '701', name: 'Tim' });
  if (!present.has('Ann')) sim.join('200', { num: '702', name: 'Ann' });
}

/** Presses a button carrying `id` in Slack and waits for the bot's answer on the response_url. */
async function pressInSlack(id: string): Promise<void> {
  const before = (await slack.waitForResponses(0)).length;
  await slack.deliver('interactive', blockActions({ value: id, messageTs: '1700000000.000100', responseUrl: slack.responseUrl() }));
  await slack.waitForResponses(before + 1);
}

/** Resolves once the bot's own state (from AMI events) has Tim and Ann in room 200. */
function botSeesBoth(): Promise<void> {
  const both = () => {
    const names = [...(bot.registry.backend('sim').state().rooms.get('200')?.participants.values() ?? [])].map((p) => p.callerName);
    return names.includes('Tim') && names.includes('Ann');
  };
  if (both()) return Promise.resolve();
  return new Promise((resolve) => {
    const off = bot.registry.onChange(() => {
      if (!both()) return;
      off();
      resolve();
    });
  });
}

/** The wire problems since the last reset, labelled with the case; empty when the wire is clean. */
function dirtyWire(context: string): string[] {
  const ami = wireProblems(amiTap.sent(), /^[A-Za-z0-9_-]+: ?/).map((p) => `${context} → AMI: ${p}`);
  const sensorBytes = wireProblems(sensorTap.sent(), undefined).map((p) => `${context} → sensor: ${p}`);
  return [...ami, ...sensorBytes];
}

beforeAll(async () => {
  sim = await startEmbeddedPbx({ dialect: 'confbridge', users: [{ username: 'bot', secret: 'matrix-secret' }], kickPromptMs: 5 });
  sensor = await startEmbeddedSensor({ calls: sim });
  amiTap = await startByteTap(sim);
  sensorTap = await startByteTap(sensor);
  slack = await FakeSlack.start();
  dataDir = mkdtempSync(join(tmpdir(), 'meetme-injection-'));
  const config = parseConfig({
    dataDir,
    adapters: ['shell', 'slack'],
    pbxs: [{ id: 'sim', host: amiTap.host, port: amiTap.port, username: 'bot', secret: 'matrix-secret' }],
    sensors: [{ id: 'sensor1', host: sensorTap.host, port: sensorTap.port, timeoutMs: 2000 }],
    embedded: { pbx: false, sensor: false, demo: false },
    listen: { port: 0 },
    slack: { mode: 'socket', botToken: slack.botToken, appToken: slack.appToken, apiUrl: slack.apiUrl },
    roles: [{ role: 'admin', users: [`slack:${ALICE.userId}`] }],
  });
  bot = await startBot(config, { logger: silentLogger(), demo: false, shellInput: new PassThrough(), shellOutput: new PassThrough(), interactive: false });
  await slack.socketConnected();
  ensureCallers();
  await botSeesBoth();
  expect(await shell().exec('show 200')).toMatch(/Tim[\s\S]*Ann|Ann[\s\S]*Tim/);
});

afterAll(async () => {
  await bot.stop();
  await slack.close();
  await sensorTap.close();
  await amiTap.close();
  await sensor.stop();
  await sim.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('injection matrix: the taps see the traffic they judge', () => {
  it('a plain `calls` reaches the sensor through its tap', async () => {
    sensorTap.reset();
    await shell().exec('calls');
    expect(sensorTap.sent().toString('utf8')).toMatch(/listcalls/);
  });

  it('a plain typed mute and a plain pressed lock button reach the PBX through the tap', async () => {
    ensureCallers();
    await botSeesBoth();
    amiTap.reset();
    await shell().exec('mute 200 Tim');
    expect(amiTap.sent().toString('utf8')).toMatch(/Action: ConfbridgeMute\r\n/);
    amiTap.reset();
    await pressInSlack('v1|l|sim|200|1');
    await shell().exec('unlock 200');
    expect(amiTap.sent().toString('utf8')).toMatch(/Action: ConfbridgeLock\r\n[\s\S]*Action: ConfbridgeUnlock\r\n/);
  });
});

/** Each command with `{}` where the hostile value goes, and the plausible value it extends. */
const COMMANDS: readonly [template: string, plausible: string][] = [
  ['show {}', '200'], ['watch {}', '200'], ['unwatch {}', '200'], ['lock {}', '200'], ['unlock {}', '200'],
  ['queue {}', '200'], ['audit {}', '200'], ['help {}', 'mute'], ['calls {}', '701'], ['alerts on {}', 'abnormal'],
  ['mute {} Tim', '200'], ['mute 200 {}', 'Tim'], ['mute 200 all {}', 'confirm'], ['unmute 200 {}', 'Tim'],
  ['kick {} Tim', '200'], ['kick 200 {}', 'Tim'], ['kick 200 all {}', 'confirm'],
  ['record {} 200', 'start'], ['record start {}', '200'], ['muzak on {}', '200'], ['stream on {}', '200'],
  ['topic {} Tim hello', '200'], ['topic 200 {} hello', 'Tim'], ['topic 200 Tim {}', 'hello'], ['topic 200 Tim "{}"', 'hello there'],
  ['transfer {} Tim hold@default confirm', '200'], ['transfer 200 {} hold@default confirm', 'Tim'],
  ['transfer 200 Tim {}@default confirm', 'hold'], ['transfer 200 Tim hold@{} confirm', 'default'], ['transfer 200 Tim {} confirm', 'hold'],
  ['invite {} 701', '200'], ['invite 200 {}', '709'], ['bringin 200 {}', '1'], ['bringin {} 1', '200'],
  ['listen {} Tim', '200'], ['listen 200 {}', 'Tim'], ['listen call {}', '1'], ['listen call 1 {}', 'sensor1'],
  ['{} 200', 'show'], ['{}', 'whoami'], ['press {}', '1'],
];

describe('injection matrix: typed commands (shell)', () => {
  it.each(COMMANDS)('`%s` with every hostile value reaches neither AMI nor the sensor unvalidated', async (template, plausible) => {
    const found: string[] = [];
    for (const { label, value } of values(plausible)) {
      ensureCallers();
      amiTap.reset();
      sensorTap.reset();
      const line = template.replace('{}', value);
      await shell().exec(line);
      // A second, harmless action flushes anything the first queued on the AMI link behind it.
      await shell().exec('list');
      found.push(...dirtyWire(`${template} ← ${label}`));
    }
    expect(found).toEqual([]);
  });
});

/** Valid button ids per kind, field by field; each field in turn carries the hostile value. */
const BUTTONS: readonly (readonly string[])[] = [
  ['v1', 'm', 'sim', '200', 'UID', '1'],
  ['v1', 'k', 'sim', '200', 'UID'],
  ['v1', 'ma', 'sim', '200', '1'],
  ['v1', 'ka', 'sim', '200'],
  ['v1', 'l', 'sim', '200', '0'],
  ['v1', 't', 'sim', '200', 'UID', 'hold', 'default'],
  ['v1', 'p', 'sim', '200', '1'],
];

describe('injection matrix: button ids (Slack block_actions through the real SDK against the fake Slack, and the shell\'s pressAction)', () => {
  const tim = () => sim.rooms().find((r) => r.name === '200')?.participants.find((p) => p.callerName === 'Tim')?.uniqueid ?? 'none';

  it.each(BUTTONS.map((fields) => [fields.slice(0, 2).join('|'), fields] as const))('%s with every hostile value in every field reaches neither AMI nor the sensor unvalidated', async (_kind, template) => {
    const found: string[] = [];
    for (let field = 0; field < template.length; field++) {
      for (const { label, value } of values(template[field] ?? '')) {
        ensureCallers();
        amiTap.reset();
        sensorTap.reset();
        const fields = template.map((f, i) => (i === field ? value : f).replace('UID', tim()));
        await pressInSlack(fields.join('|'));
        // The shell presses only buttons it shows; a forged id on one of its messages goes nowhere.
        await shell().pressAction({ platform: 'shell', conversation: 'terminal', id: 'm1' }, fields.join('|'));
        await shell().exec('list');
        found.push(...dirtyWire(`${template.slice(0, 2).join('|')} field ${field} ← ${label}`));
      }
    }
    expect(found).toEqual([]);
  });
});
