import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { loadOrCreateSigningKey } from '../../src/listen/links.ts';
import { silentLogger } from '../../src/log.ts';
import { startBot, type RunningBot } from '../../src/main.ts';
import { DEFAULT_STORE_FILE } from '../../src/store/index.ts';
import { TestRedis } from '../helpers/redis-server.ts';

/**
 * The whole bot (the embedded default, the shell) on `store.kind: redis`: what survives a restart on
 * SQLite survives it on Redis, with a fresh data directory each run so nothing can come from a file.
 */

let redis: TestRedis;
beforeAll(async () => { redis = await TestRedis.start(); });
afterAll(async () => { await redis.close(); });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Run { readonly bot: RunningBot; readonly dataDir: string; readonly shown: () => string }

async function start(): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meetme-redis-bot-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => { shown += chunk.toString(); });
  const config = parseConfig({ dataDir, listen: { port: 0 }, ops: { enabled: false }, store: { redisUrl: redis.url } });
  const bot = await startBot(config, { logger: silentLogger(), shellInput: new PassThrough(), shellOutput: output, demo: false, interactive: true });
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
