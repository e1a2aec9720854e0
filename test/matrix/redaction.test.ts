import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config.ts';
import { LinkSigner } from '../../src/listen/links.ts';
import { createLogger } from '../../src/log.ts';
import { startBot, type RunningBot } from '../../src/main.ts';
import { startEmbeddedPbx, type EmbeddedPbx } from '../../src/sim/pbx/index.ts';
import { startEmbeddedSensor, type EmbeddedSensor } from '../../src/sim/sensor/server.ts';
import { ALICE, slashCommand } from '../adapters/fake-slack/payloads.ts';
import { FakeSlack } from '../adapters/fake-slack/server.ts';

/**
 * Every secret the bot knows is set to a marker; a full scenario runs at `trace` with its error
 * paths (a PBX refusing the AMI secret, a sensor whose AES key is wrong, Slack refusing the bot
 * token, bad commands, bad and expired listen links). No marker, nor its base64 or hex form, may
 * appear in any log line, any row or byte of the SQLite store, any HTTP response of the listen
 * server, anything shown in the shell, or any message the bot sends to Slack.
 */

const AES_KEY_RAW = 'AESKEYMARK012345';
const AES_IV_RAW = 'AESIVMARK0123456';
const SECRETS = {
  'AMI secret': 'AMISECRETMARK-7f3a9c',
  'wrong AMI secret': 'WRONGAMIMARK-41c2e8',
  'Slack bot token': 'xoxb-SLACKBOTMARK-5d1e',
  'Slack app token': 'xapp-SLACKAPPMARK-9b7c',
  'Slack signing secret': 'SLACKSIGNINGMARK-c0ffee',
  'Discord token': 'DISCORDTOKENMARK.x1y2z3.abcdefghijklmnop',
  'listen signing key': 'SIGNKEY-MARK-listen-0123456789abcdef',
  'sensor AES key': Buffer.from(AES_KEY_RAW).toString('base64'),
  'sensor AES IV': Buffer.from(AES_IV_RAW).toString('base64'),
  'wrong sensor AES key': Buffer.from('WRONGAESMARK0123').toString('base64'),
} as const;

/** Every form a secret could leak in: as configured, raw bytes of the AES material, hex, base64url. */
function needles(): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  for (const [label, value] of Object.entries(SECRETS)) {
    out.push({ label, text: value });
    out.push({ label: `${label} (hex)`, text: Buffer.from(value).toString('hex') });
  }
  for (const [label, raw] of [['sensor AES key', AES_KEY_RAW], ['sensor AES IV', AES_IV_RAW], ['wrong sensor AES key', 'WRONGAESMARK0123']] as const) {
    out.push({ label: `${label} (raw)`, text: raw });
    out.push({ label: `${label} (hex of raw)`, text: Buffer.from(raw).toString('hex') });
  }
  out.push({ label: 'listen signing key (base64)', text: Buffer.from(SECRETS['listen signing key']).toString('base64') });
  out.push({ label: 'listen signing key (base64url)', text: Buffer.from(SECRETS['listen signing key']).toString('base64url') });
  return out;
}

/** Which secrets a text carries, by label; empty when none. */
function leaks(where: string, text: string): string[] {
  const lower = text.toLowerCase();
  return needles().filter((n) => lower.includes(n.text.toLowerCase())).map((n) => `${where}: ${n.label}`);
}

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      done();
    },
  });
  return { stream, lines };
}

interface HttpAnswer {
  readonly what: string;
  readonly text: string;
}

async function get(what: string, url: string): Promise<HttpAnswer> {
  const res = await fetch(url);
  const pairs: string[] = [];
  res.headers.forEach((value, key) => pairs.push(`${key}: ${value}`));
  const headers = pairs.join('\n');
  return { what, text: `${res.status}\n${headers}\n${await res.text()}` };
}

let sim: EmbeddedPbx;
let sensor: EmbeddedSensor;
let slack: FakeSlack;
let dataDir: string;
const logLines: string[] = [];
const shellOut: string[] = [];
const http: HttpAnswer[] = [];
const startFailures: string[] = [];

function config(extra: Record<string, unknown> = {}): Config {
  return parseConfig({
    dataDir,
    logLevel: 'trace',
    adapters: ['shell', 'slack'],
    pbxs: [
      { id: 'sim', host: sim.host, port: sim.port, username: 'bot', secret: SECRETS['AMI secret'] },
      { id: 'refuses', host: sim.host, port: sim.port, username: 'bot', secret: SECRETS['wrong AMI secret'] },
    ],
    sensors: [
      { id: 'sensor1', host: '127.0.0.1', port: sensor.port, timeoutMs: 2000, aesKey: SECRETS['sensor AES key'], aesIv: SECRETS['sensor AES IV'] },
      { id: 'wrongkey', host: '127.0.0.1', port: sensor.port, timeoutMs: 2000, aesKey: SECRETS['wrong sensor AES key'], aesIv: SECRETS['sensor AES IV'] },
    ],
    embedded: { pbx: false, sensor: false, demo: false },
    listen: { port: 0, signingKey: SECRETS['listen signing key'], linkTtlSec: 60 },
    slack: { mode: 'socket', botToken: slack.botToken, appToken: slack.appToken, signingSecret: SECRETS['Slack signing secret'], apiUrl: slack.apiUrl },
    discord: { token: SECRETS['Discord token'], applicationId: '123456789012345678' },
    roles: [{ role: 'admin', users: [`slack:${ALICE.userId}`] }],
    ...extra,
  });
}

async function run(shell: NonNullable<RunningBot['shell']>, line: string): Promise<void> {
  shellOut.push(await shell.exec(line));
}

beforeAll(async () => {
  sim = await startEmbeddedPbx({ dialect: 'confbridge', users: [{ username: 'bot', secret: SECRETS['AMI secret'] }] });
  sensor = await startEmbeddedSensor({ calls: sim, aes: { key: SECRETS['sensor AES key'], iv: SECRETS['sensor AES IV'] } });
  slack = await FakeSlack.start({ botToken: SECRETS['Slack bot token'], appToken: SECRETS['Slack app token'] });
  dataDir = mkdtempSync(join(tmpdir(), 'meetme-redaction-'));
  sim.join('200', { num: '701', name: 'Tim' });
  sim.join('200', { num: '702', name: 'Ann' });

  // Slack refuses the bot token at start-up: the failure and its logs are part of the evidence.
  const refused = capture();
  slack.failNext('auth.test', { kind: 'error', error: 'invalid_auth' });
  try {
    const early = await startBot(config(), { logger: createLogger({ level: 'trace', destination: refused.stream }), demo: false, shellInput: new PassThrough(), shellOutput: new PassThrough(), interactive: false });
    await early.stop();
  } catch (err) {
    startFailures.push(err instanceof Error ? `${err.name}: ${err.message}\n${JSON.stringify(err)}` : String(err));
  }
  logLines.push(...refused.lines);

  const logs = capture();
  const shellStream = new PassThrough();
  shellStream.on('data', (chunk: Buffer) => shellOut.push(chunk.toString('utf8')));
  const bot = await startBot(config(), { logger: createLogger({ level: 'trace', destination: logs.stream }), demo: false, shellInput: new PassThrough(), shellOutput: shellStream, interactive: false });
  try {
    await slack.socketConnected();
    const shell = bot.shell;
    if (shell === undefined) throw new Error('the shell adapter should run');
    const until = async (pred: () => boolean) => {
      while (!pred()) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    await until(() => (bot.registry.backend('sim').state().rooms.get('200')?.participants.size ?? 0) === 2);
    for (const line of [
      'help', 'whoami', 'config', 'list', 'show 200', 'mute 200 Tim', 'unmute 200 Tim', 'topic 200 Tim "standup"',
      'lock 200', 'unlock 200', 'calls', 'calls 701', 'listen 200 Tim', 'listen call 1 wrongkey', 'listen call nosuchcall sensor1',
      'show 999', 'kick 200 Nobody', 'mute', 'frobnicate the room', 'transfer 200 Tim nowhere@nocontext confirm',
      'invite 200 486', 'audit 200', 'show refuses', 'list refuses', 'alerts list',
    ]) await run(shell, line);
    const before = (await slack.waitForResponses(0)).length;
    for (const text of ['config', 'show 200', 'whoami', 'kick 200 Nobody']) await slack.deliver('slash_commands', slashCommand(text, slack.responseUrl()));
    // `show` posts a status message; the other three answer on the response_url.
    await slack.waitForResponses(before + 3);
    await slack.waitForCalls('chat.postMessage', 1);
    // A refused token on an edit: the adapter goes down and says so.
    slack.failNext('chat.update', { kind: 'error', error: 'invalid_auth' });
    sim.join('200', { num: '703', name: 'Bob' });
    await until(() => [...(bot.registry.backend('sim').state().rooms.get('200')?.participants.values() ?? [])].some((p) => p.callerName === 'Bob'));
    await run(shell, 'mute 200 Bob');

    const base = bot.listenServer?.url;
    if (base === undefined) throw new Error('the listen server should run');
    const link = /https?:\/\/\S+\/listen\/[A-Za-z0-9._~-]+/.exec(shellOut.join('\n'))?.[0];
    if (link !== undefined) http.push(await get('the listen link', link));
    const signer = new LinkSigner(Buffer.from(SECRETS['listen signing key'], 'utf8'));
    const expired = signer.sign({ sensor: 'sensor1', callref: '1', callId: 'x', actor: { platform: 'shell', userId: 'local', displayName: 'local' }, expiresAt: Date.now() - 60_000, nonce: 'n1' });
    const otherKey = new LinkSigner(Buffer.alloc(32, 9)).sign({ sensor: 'sensor1', callref: '1', callId: 'x', actor: { platform: 'shell', userId: 'local', displayName: 'local' }, expiresAt: Date.now() + 60_000, nonce: 'n2' });
    http.push(await get('an expired link', `${base}/listen/${expired}`));
    http.push(await get('a link signed with another key', `${base}/listen/${otherKey}`));
    http.push(await get('a malformed link', `${base}/listen/not-a-token`));
    http.push(await get('the favicon', `${base}/favicon.ico`));
    http.push(await get('an unknown path', `${base}/admin?secret=1`));
    http.push(await get('the player asset index', `${base}/listen/assets/../../etc/passwd`));
  } finally {
    await bot.stop();
    logLines.push(...logs.lines);
  }
}, 60_000);

afterAll(async () => {
  await slack.close();
  await sensor.stop();
  await sim.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every row of every table in the bot's SQLite file, as text. */
function storeRows(): string[] {
  const out: string[] = [];
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith('.db') || f.endsWith('.sqlite') || f.endsWith('.sqlite3'))) {
    const db = new Database(join(dataDir, file), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all()) out.push(`${file}/${name}: ${JSON.stringify(row)}`);
      }
    } finally {
      db.close();
    }
  }
  return out;
}

describe('redaction matrix: every secret set to a marker, a full scenario at trace', () => {
  it('ran the scenario and its error paths: the logs, the store and the HTTP answers are there to check', () => {
    // At trace every level is on; the debug lines show the level took effect (no component logs at trace itself).
    expect(logLines.filter((l) => l.includes('"level":20')).length).toBeGreaterThan(20);
    expect(logLines.some((l) => l.includes('Slack refuses the bot token (invalid_auth)'))).toBe(true);
    expect(logLines.some((l) => l.includes('"pbx":"refuses"') && l.includes('AmiLoginError'))).toBe(true);
    expect(logLines.some((l) => l.includes('"sensor":"wrongkey"') && l.includes('cannot decrypt'))).toBe(true);
    expect(storeRows().some((r) => r.includes('/audit_log:'))).toBe(true);
    expect(http.filter((h) => h.what.includes('link')).map((h) => [h.what, h.text.slice(0, 3)])).toEqual([
      ['the listen link', '200'], ['an expired link', '403'], ['a link signed with another key', '403'], ['a malformed link', '403'],
    ]);
  });

  it('the markers were the secrets in use, and the search finds each form of them', () => {
    expect(slack.calls.some((c) => c.token === SECRETS['Slack bot token'])).toBe(true);
    expect(logLines.some((l) => l.includes('"pbx":"sim"') && l.includes('AMI connected'))).toBe(true);
    for (const n of needles()) expect(leaks('probe', `x${n.text.toUpperCase()}y`)).toContain(`probe: ${n.label}`);
  });

  it('no marker in any log line', () => {
    expect(logLines.flatMap((line, i) => leaks(`log line ${i} ${line.slice(0, 200)}`, line))).toEqual([]);
  });

  it('no marker in a start-up failure, should Slack\'s refused token end the start', () => {
    expect(startFailures.flatMap((text) => leaks('start failure', text))).toEqual([]);
  });

  it('no marker in any store row, nor anywhere in the SQLite files\' bytes', () => {
    expect(storeRows().flatMap((row) => leaks(row.slice(0, 200), row))).toEqual([]);
    const files = readdirSync(dataDir).map((f) => join(dataDir, f)).filter((f) => existsSync(f));
    expect(files.flatMap((f) => leaks(f, readFileSync(f).toString('latin1')))).toEqual([]);
  });

  it('no marker in any HTTP response of the listen server', () => {
    expect(http.flatMap((h) => leaks(h.what, h.text))).toEqual([]);
  });

  it('no marker in anything the shell showed or the bot sent to Slack', () => {
    expect(leaks('shell output', shellOut.join('\n'))).toEqual([]);
    const sent = slack.calls.map((c) => JSON.stringify({ method: c.method, params: c.params }));
    expect(sent.flatMap((s) => leaks(`Slack call ${s.slice(0, 120)}`, s))).toEqual([]);
    expect(leaks('Slack responses', JSON.stringify(slack.responses))).toEqual([]);
  });
});
