import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEnv, parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startBot } from '../../src/main.ts';
import { TestRedis } from '../helpers/redis-server.ts';

/**
 * The Redis password in REDIS_URL is a secret like the AMI secret: a whole run at `trace`, with
 * commands, `config` and a Redis outage, never shows it in a log line or in the shell.
 */

const PASSWORD = 'REDISPASSMARK-5b0e';

let redis: TestRedis;
beforeAll(async () => {
  redis = await TestRedis.start();
  const admin = createClient({ url: redis.url });
  await admin.connect();
  await admin.configSet('requirepass', PASSWORD);
  await admin.close();
});
afterAll(async () => { await redis.close(); });

describe('the Redis password', () => {
  it('appears in no log line and nothing shown, through commands, config and an outage', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meetme-redis-redaction-'));
    let logged = '';
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { logged += chunk.toString(); done(); } });
    let shown = '';
    const output = new PassThrough();
    output.on('data', (chunk: Buffer) => { shown += chunk.toString(); });
    const url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
    const config = parseConfig(applyEnv({ dataDir, listen: { port: 0 } }, { REDIS_URL: url }));
    const logger = createLogger({ level: 'trace', destination: sink });
    // Whatever logs the config object, the key holding the URL is blanked.
    logger.info({ store: config.store }, 'store config');
    const bot = await startBot(config, { logger, shellInput: new PassThrough(), shellOutput: output, demo: false, interactive: true });
    try {
      const shell = bot.shell!;
      shown += await shell.exec('config');
      shown += await shell.exec('list');
      await redis.stop();
      await expect.poll(() => bot.readiness().find((c) => c.kind === 'store')?.check().ok).toBe(false);
      shown += await shell.exec('audit');
      shown += await shell.exec('list');
      await redis.restart();
      const admin = createClient({ url });
      await admin.connect();
      await admin.configSet('requirepass', PASSWORD);
      await admin.close();
      await expect.poll(() => bot.readiness().find((c) => c.kind === 'store')?.check().ok, { timeout: 10_000 }).toBe(true);
    } finally {
      await bot.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(logged).toContain('redis connection lost');
    expect(logged).toContain('[redacted]');
    expect(logged).not.toContain(PASSWORD);
    expect(shown).not.toContain(PASSWORD);
  });
});
