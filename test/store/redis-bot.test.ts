import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { loadOrCreateSigningKey } from '../../src/listen/links.ts';
import { createLogger, silentLogger, type Logger } from '../../src/log.ts';
import { startBot, type RunningBot } from '../../src/main.ts';
import { DEFAULT_STORE_FILE } from '../../src/store/index.ts';
import { TestRedis } from '../helpers/redis-server.ts';

/**
 * The whole bot (the embedded default, the shell) on `store.kind: redis`: what survives a restart on
 * SQLite survives it on Redis, with a fresh data directory each run so nothing can come from a file;
 * and while Redis is down the bot keeps answering from memory.
 */

let redis: TestRedis;
beforeAll(async () => { redis = await TestRedis.start(); });
afterAll(async () => { await redis.close(); });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Run { readonly bot: RunningBot; readonly dataDir: string; readonly shown: () => string }

async function start(logger: Logger = silentLogger()): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meetme-redis-bot-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => { shown += chunk.toString(); });
  const config = parseConfig({ dataDir, listen: { port: 0 }, store: { redisUrl: redis.url } });
  const bot = await startBot(config, { logger, shellInput: new PassThrough(), shellOutput: output, demo: false, interactive: true });
  cleanups.push(() => bot.stop());
  return { bot, dataDir, shown: () => shown };
}

async function until(probe: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the bot on a Redis store across a restart', () => {
  it('keeps its status message refs and its link-signing key, and edits the same message after the restart', async () => {
    const first = await start();
    first.bot.embeddedPbx!.join('200', { num: '701', name: 'Tim', tech: 'PJSIP' });
    await until(() => first.bot.registry.allRooms().some((r) => r.name === '200'), 'room 200 in state');
    await first.bot.shell!.exec('show 200');
    const [watch] = await first.bot.store.watches.list();
    expect(watch).toMatchObject({ pbx: 'demo', room: '200' });
    const key = await loadOrCreateSigningKey(undefined, first.bot.store.kv);
    await first.bot.stop();
    expect(existsSync(join(first.dataDir, DEFAULT_STORE_FILE))).toBe(false);

    const second = await start();
    expect(await second.bot.store.watches.list()).toEqual([watch]);
    expect(await loadOrCreateSigningKey(undefined, second.bot.store.kv)).toEqual(key);
    await until(() => second.shown().includes('after a restart'), 'the restarted bot to edit the message it posted before');
    expect(second.shown()).toContain(`restored ${watch!.ref.id.split(':')[1] ?? watch!.ref.id}`);
  });
});

describe('the bot while Redis is down', () => {
  it('keeps answering commands from memory, logs the outage once, and saves what changed once Redis is back', async () => {
    const lines: { level: number; msg: string; component?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as { level: number; msg: string });
        done();
      },
    });
    const { bot } = await start(createLogger({ level: 'info', destination: sink }));
    const pbx = bot.embeddedPbx!;
    pbx.join('200', { num: '701', name: 'Tim', tech: 'PJSIP' });
    await until(() => bot.registry.allRooms().some((r) => r.name === '200'), 'room 200 in state');

    const redisCheck = () => bot.readiness().find((c) => c.kind === 'store')?.check();
    expect(redisCheck()).toEqual({ ok: true });
    await redis.stop();
    await until(() => redisCheck()?.ok === false, '/readyz to report redis down');
    const shell = bot.shell!;
    for (let i = 0; i < 3; i++) expect(await shell.exec('list')).toMatch(/200/);
    expect(await shell.exec('mute 200 Tim')).toMatch(/Tim/);
    await until(() => pbx.rooms().find((r) => r.name === '200')?.participants[0]?.muted === true, 'Tim muted on the PBX');
    expect(await shell.exec('show 200')).toMatch(/Tim/);
    const warnings = (): string[] => lines.filter((l) => l.level >= 40).map((l) => l.msg);
    expect(warnings().filter((msg) => /redis/i.test(msg))).toEqual([
      'redis connection lost; serving from memory and reconnecting',
      'redis unavailable: the bot serves from memory and keeps store writes until redis is back',
    ]);
    // More commands, more store writes: not one more warning.
    const before = warnings();
    for (let i = 0; i < 3; i++) {
      expect(await shell.exec('unmute 200 Tim')).toMatch(/Tim/);
      expect(await shell.exec('mute 200 Tim')).toMatch(/Tim/);
      expect(await shell.exec('list')).toMatch(/200/);
    }
    expect(warnings()).toEqual(before);
    expect(redisCheck()).toMatchObject({ ok: false, detail: expect.stringMatching(/^redis unavailable; \d+ writes kept in memory$/) });

    await redis.restart();
    await until(async () => (await bot.store.watches.list().catch(() => [])).some((w) => w.room === '200'), 'the status message saved once Redis is back');
    expect((await bot.store.audit.query({ room: '200' })).map((r) => r.command)).toContain('mute');
    expect(redisCheck()).toEqual({ ok: true });
  });
});
