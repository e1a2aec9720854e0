import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real `redis-server` (Debian's package) on a free loopback port, with no persistence, for the
 * tests. It never binds anything but 127.0.0.1. `restart()` stops it and starts it again on the
 * same port, as an operator restarting Redis would.
 */

export const REDIS_SERVER = process.env['REDIS_SERVER'] ?? 'redis-server';

export function redisServerMissing(): string | undefined {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `redis-server is not installed: run \`apt-get install redis-server\` (or set REDIS_SERVER)`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export class TestRedis {
  #child: ChildProcess | undefined;
  readonly #dir = mkdtempSync(join(tmpdir(), 'meetme-redis-'));
  private constructor(readonly port: number, private readonly persistent: boolean) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** `persistent`: an append-only file synced on every write, so `restart()` keeps the data, as a production Redis should. */
  static async start(opts: { readonly persistent?: boolean } = {}): Promise<TestRedis> {
    const missing = redisServerMissing();
    if (missing !== undefined) throw new Error(missing);
    for (let attempt = 0; ; attempt += 1) {
      const redis = new TestRedis(await freePort(), opts.persistent === true);
      try {
        await redis.spawn();
        return redis;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  }

  private spawn(): Promise<void> {
    const child = spawn(REDIS_SERVER, [
      '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', this.persistent ? 'yes' : 'no', '--appendfsync', 'always', '--dir', this.#dir, '--protected-mode', 'yes',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    return new Promise((resolve, reject) => {
      let out = '';
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) {
          child.stdout?.off('data', onData);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out.slice(-500)}`)));
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.spawn();
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
