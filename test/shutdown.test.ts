import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** Starts the real entry point on the embedded default and resolves once it says it started. */
async function started() {
  const dir = mkdtempSync(join(tmpdir(), 'meetme-sigterm-'));
  dirs.push(dir);
  const child = spawn(process.execPath, ['src/bin.js'], {
    cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, MEETME_DATA_DIR: dir, LISTEN_PORT: '0', OPS_PORT: '0', MEETME_LOG_LEVEL: 'info' },
  });
  let log = '';
  child.stderr.on('data', (c: Buffer) => { log += c.toString(); });
  child.stdout.resume();
  await expect.poll(() => log.includes('meetme-bot started'), { timeout: 20_000, interval: 50 }).toBe(true);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, log: () => log };
}

describe('shutdown on a signal', () => {
  it('stops cleanly on SIGTERM: logs off, closes listeners and exits 0 by itself', async () => {
    const { child, exited } = await started();
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('exits at once on a second signal while stopping', async () => {
    const { child, exited } = await started();
    // A different signal, so the OS cannot fold the two into one delivery.
    child.kill('SIGTERM');
    child.kill('SIGINT');
    expect((await exited).code).toBe(130);
  }, 30_000);
});
