import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startBot, type RunningBot } from '../../src/main.ts';
import { TestRedis } from '../helpers/redis-server.ts';

/** A replica whose Redis goes away: it answers commands from memory, says so once, and resumes. */

let redis: TestRedis;
let bot: RunningBot;
let dir: string;
const lines: string[] = [];

beforeAll(async () => {
  redis = await TestRedis.start({ persistent: true });
  dir = mkdtempSync(join(tmpdir(), 'meetme-redis-down-'));
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
  const config = parseConfig({ dataDir: dir, listen: { port: 0 }, ops: { enabled: false }, store: { redisUrl: redis.url, leaseTtlMs: 1500 } });
  bot = await startBot(config, {
    logger: createLogger({ level: 'info', destination: sink }), shellInput: new PassThrough(), shellOutput: new PassThrough(), demo: false, interactive: true,
  });
});
afterAll(async () => {
  await bot?.stop();
  await redis?.close();
  rmSync(dir, { recursive: true, force: true });
});

const said = (text: string): number => lines.filter((l) => l.includes(text)).length;

describe('a replica while Redis is down', () => {
  it('keeps answering commands, reports unhealthy, logs the outage once, and recovers', async () => {
    bot.embeddedPbx!.join('200', { num: '701', name: 'Tim', tech: 'PJSIP' });
    await expect.poll(() => bot.registry.allRooms().some((r) => r.name === '200'), { timeout: 5_000 }).toBe(true);
    expect(bot.coordination.healthy()).toBe(true);
    await redis.stop();
    await expect.poll(() => bot.coordination.healthy(), { timeout: 5_000, interval: 20 }).toBe(false);
    expect(await bot.shell!.exec('show 200')).toContain('Tim');
    // Several reconnect attempts fail meanwhile; the outage is said once.
    await expect.poll(() => said('redis unreachable'), { timeout: 5_000, interval: 20 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(said('redis unreachable')).toBe(1);
    await redis.restart();
    await expect.poll(() => bot.coordination.healthy(), { timeout: 10_000, interval: 20 }).toBe(true);
    await expect.poll(() => said('redis reachable again'), { timeout: 5_000, interval: 20 }).toBe(1);
  }, 30_000);
});
