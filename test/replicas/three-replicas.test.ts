import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { startBot, type RunningBot } from '../../src/main.ts';
import { ALICE, slashCommand } from '../adapters/fake-slack/payloads.ts';
import { FakeSlack, type FakeMessage, type RecordedCall } from '../adapters/fake-slack/server.ts';
import { TestRedis } from '../helpers/redis-server.ts';

/**
 * Three replicas of the bot on one Redis, one PBX (a process of its own) and the fake Slack: the
 * replica that posted the status message (and holds its lease and the alerts lease) is a real
 * process, killed with SIGKILL in the middle of a burst of joins and leaves; the two others run in
 * this process. Another replica must edit the same message within ttl + 1 s, Redis is restarted
 * meanwhile, and in the end the message shows the PBX's truth, with one post and one alert.
 */

const TTL_MS = 1500;
const CHANNEL = ALICE.channelId;
const ALERT_CHANNEL = 'C0ALERTS';

/** Participants a status message lists (`*Name (num)*  details`), sorted. */
function shownPeople(blocks: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const block of blocks as { type?: unknown; text?: { text?: unknown } }[]) {
    if (block.type !== 'section' || typeof block.text?.text !== 'string') continue;
    const row = /^\*([^*]+)\* {2}/.exec(block.text.text);
    if (row?.[1] !== undefined) out.push(row[1]);
  }
  return out.sort();
}

/** The embedded PBX in its own process, driven by JSON lines (pbx-process.ts). */
class PbxProcess {
  readonly #answers: ((line: string) => void)[] = [];
  private constructor(readonly child: ChildProcess, readonly port: number, lines: AsyncIterator<string>) {
    void (async () => {
      for (;;) {
        const next = await lines.next();
        if (next.done === true) return;
        this.#answers.shift()?.(next.value);
      }
    })();
  }

  static async start(): Promise<PbxProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/replicas/pbx-process.ts'], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const first = await lines.next();
    const port = /^PORT (\d+)$/.exec(String(first.value))?.[1];
    if (port === undefined) throw new Error(`the PBX process said ${String(first.value)}`);
    return new PbxProcess(child, Number(port), lines);
  }

  async #ask(cmd: Record<string, string>): Promise<string> {
    const answer = new Promise<string>((resolve) => this.#answers.push(resolve));
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    return answer;
  }

  async join(room: string, num: string, name: string): Promise<string> {
    return (JSON.parse(await this.#ask({ op: 'join', room, num, name })) as { uniqueid: string }).uniqueid;
  }

  async leave(uniqueid: string): Promise<void> {
    await this.#ask({ op: 'leave', uniqueid });
  }

  /** Who is in `room`, as the status message labels people. */
  async people(room: string): Promise<string[]> {
    const rooms = JSON.parse(await this.#ask({ op: 'rooms' })) as { name: string; participants: { callerName: string; callerNum: string }[] }[];
    return (rooms.find((r) => r.name === room)?.participants ?? []).map((p) => `${p.callerName} (${p.callerNum})`).sort();
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

let redis: TestRedis;
let pbx: PbxProcess;
let slack: FakeSlack;
let dir: string;
const bots: RunningBot[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meetme-replicas-'));
  [redis, pbx, slack] = await Promise.all([TestRedis.start({ persistent: true }), PbxProcess.start(), FakeSlack.start()]);
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const bot of bots) await bot.stop();
  pbx?.stop();
  await slack?.close();
  await redis?.close();
  rmSync(dir, { recursive: true, force: true });
});

function replicaConfig(name: string): Record<string, unknown> {
  return {
    dataDir: join(dir, name),
    listen: { port: 0 },
    ops: { enabled: false },
    adapters: ['slack'],
    slack: { mode: 'socket', botToken: slack.botToken, appToken: slack.appToken, apiUrl: slack.apiUrl },
    pbxs: [{ id: 'demo', host: '127.0.0.1', port: pbx.port, username: 'bot', secret: 'replicas-secret', authType: 'md5' }],
    embedded: { pbx: false },
    store: { kind: 'redis', redisUrl: redis.url, leaseTtlMs: TTL_MS },
    roles: [{ role: 'moderator', users: [`slack:${ALICE.userId}`] }],
    alerts: { rules: [{ id: 'emptied', when: 'room_emptied', rooms: '201', targets: [{ platform: 'slack', channel: ALERT_CHANNEL }] }] },
  };
}

/** A replica as a real process (`src/bin.js`), resolved once it says it started. */
async function processReplica(name: string): Promise<ChildProcess> {
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, JSON.stringify(replicaConfig(name)));
  const child = spawn(process.execPath, ['src/bin.js'], {
    cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, MEETME_CONFIG: file, MEETME_LOG_LEVEL: 'info' },
  });
  children.push(child);
  let log = '';
  child.stdout!.on('data', (c: Buffer) => { log += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { log += c.toString(); });
  await expect.poll(() => log.includes('meetme-bot started'), { timeout: 30_000, interval: 50 }).toBe(true);
  return child;
}

async function inProcessReplica(name: string): Promise<RunningBot> {
  const bot = await startBot(parseConfig(replicaConfig(name)), { logger: silentLogger(), demo: false });
  bots.push(bot);
  return bot;
}

const statusPosts = (): RecordedCall[] => slack.callsTo('chat.postMessage').filter((c) => c.params['channel'] === CHANNEL && c.params['thread_ts'] === undefined);
const alertPosts = (): RecordedCall[] => slack.callsTo('chat.postMessage').filter((c) => c.params['channel'] === ALERT_CHANNEL);
const editsOf = (ts: string): RecordedCall[] => slack.callsTo('chat.update').filter((c) => c.params['ts'] === ts);
const edited = (c: RecordedCall): string[] => shownPeople(Array.isArray(c.params['blocks']) ? (c.params['blocks'] as unknown[]) : []);

describe('three replicas on one Redis', () => {
  it('survive the death of the message owner and a Redis restart: same message, the truth, no duplicate post or alert', async () => {
    const first = await processReplica('r1');
    await slack.socketConnected();
    const people = new Map<string, string>();
    for (const [num, name] of [['701', 'Tim'], ['702', 'Ann']] as const) people.set(num, await pbx.join('200', num, name));
    await slack.deliver('slash_commands', slashCommand('show 200', slack.responseUrl()));
    await expect.poll(() => statusPosts().length, { timeout: 10_000, interval: 50 }).toBe(1);
    const message = [...slack.messages.values()].find((m: FakeMessage) => m.channel === CHANNEL && m.threadTs === undefined);
    if (message === undefined) throw new Error('no status message');

    await Promise.all([inProcessReplica('r2'), inProcessReplica('r3')]);
    await slack.socketConnectedTimes(3);

    // The burst: people come and go; the owner dies in the middle of it.
    for (const [num, name] of [['703', 'Bob'], ['704', 'Eve']] as const) people.set(num, await pbx.join('200', num, name));
    await pbx.leave(people.get('702')!);
    const beforeKill = await pbx.people('200');
    await expect.poll(() => editsOf(message.ts).some((c) => JSON.stringify(edited(c)) === JSON.stringify(beforeKill)), { timeout: 10_000, interval: 20 }).toBe(true);
    people.set('709', await pbx.join('200', '709', 'Max'));
    first.kill('SIGKILL');
    const diedAt = Date.now();
    for (const [num, name] of [['705', 'Joe'], ['706', 'Sue']] as const) people.set(num, await pbx.join('200', num, name));
    await pbx.leave(people.get('703')!);
    const truth = await pbx.people('200');

    // Only a live replica can show what happened after the kill: the takeover, on the same message.
    await expect.poll(() => editsOf(message.ts).some((c) => JSON.stringify(edited(c)) === JSON.stringify(truth)), { timeout: 10_000, interval: 20 }).toBe(true);
    expect(Date.now() - diedAt).toBeLessThanOrEqual(TTL_MS + 1000);

    // One writer at a time: replicas editing side by side would each send every change.
    const shown = editsOf(message.ts).map((c) => JSON.stringify(edited(c)));
    expect(shown.filter((s, i) => i > 0 && s === shown[i - 1])).toEqual([]);

    // Redis goes away and comes back; the replicas keep going.
    await redis.restart();
    people.set('707', await pbx.join('200', '707', 'Kim'));
    await pbx.leave(people.get('701')!);
    const alertee = await pbx.join('201', '708', 'Lea');
    await pbx.leave(alertee);

    const final = await pbx.people('200');
    await expect.poll(() => edited(editsOf(message.ts).at(-1)!), { timeout: 20_000, interval: 50 }).toEqual(final);
    await expect.poll(() => alertPosts().length, { timeout: 20_000, interval: 50 }).toBe(1);
    expect(shownPeople(slack.messages.get(message.ts)?.blocks ?? [])).toEqual(final);
    expect(statusPosts()).toHaveLength(1);
    expect(alertPosts()).toHaveLength(1);
  }, 60_000);
});
