import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRedis } from '../helpers/redis-server.ts';

/**
 * `meetme-bot` with the Redis store, spawned as an operator runs it: a Redis that cannot be reached
 * or refuses the password stops the start with exit 2, the key to fix, and no stack trace, and the
 * password in the URL appears nowhere.
 */

const BIN = resolve(import.meta.dirname, '../../src/bin.js');
const PASSWORD = 'REDISPASSMARK-77c1';

interface Run { readonly code: number | null; readonly stderr: string; readonly stdout: string }

function run(env: Record<string, string>): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'meetme-redis-cli-'));
  return new Promise<Run>((done, fail) => {
    const child = spawn(process.execPath, [BIN], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', LISTEN_PORT: '0', OPS_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

function expectCleanRefusal(result: Run): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toContain('meetme-bot cannot start: the Redis store at redis://:***@127.0.0.1:');
  expect(result.stderr).toContain('\n  Fix: start Redis or point store.redisUrl (env REDIS_URL) at one');
  expect(result.stderr).toContain('(error code store_unreachable)');
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr + result.stdout).not.toContain(PASSWORD);
}

describe('starting on a Redis store that is not usable', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
    const admin = createClient({ url: redis.url });
    await admin.connect();
    await admin.configSet('requirepass', 'the-right-one');
    await admin.close();
  });
  afterAll(async () => { await redis.close(); });

  it('exits 2 with the key to fix when nothing answers at REDIS_URL', async () => {
    expectCleanRefusal(await run({ REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${await closedPort()}` }));
  });

  it('exits 2 with the key to fix when Redis refuses the password', async () => {
    const result = await run({ REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${redis.port}` });
    expectCleanRefusal(result);
    expect(result.stderr).toMatch(/WRONGPASS|invalid password|NOAUTH/i);
  });
});
