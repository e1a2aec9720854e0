import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/index.ts';
import { FakeSlack } from './adapters/fake-slack/server.ts';

/**
 * The real entry point, spawned as an operator runs it: a start-up failure after the config parsed
 * ends in one message naming the key or file and the fix, exit code 2, and no stack trace.
 */

const BIN = resolve(import.meta.dirname, '../src/bin.js');
const SPAWN_TIMEOUT_MS = 30_000;

interface Run { readonly code: number | null; readonly stdout: string; readonly stderr: string }

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meetme-cli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `node src/bin.js ...args` in a scratch directory with only `env` (plus PATH) set. */
function run(env: Record<string, string>, args: readonly string[] = []): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', LISTEN_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: SPAWN_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Exit 2, the message with its fix and code, and nothing that looks like a stack trace. */
function expectCleanRefusal(result: Run, code: string): string {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toContain('meetme-bot cannot start: ');
  expect(result.stderr).toContain('\n  Fix: ');
  expect(result.stderr).toContain(`(error code ${code})`);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  return result.stderr;
}

describe('start-up failures after the config parsed', () => {
  it('refuses a corrupt store file by name, and leaves it exactly as it was', async () => {
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const file = join(dataDir, 'meetme-bot.db');
    const junk = Buffer.from('this is not a SQLite database, but it might be somebody\'s only copy\n'.repeat(80));
    writeFileSync(file, junk);
    const message = expectCleanRefusal(await run({ MEETME_DATA_DIR: dataDir }), 'store_corrupt');
    expect(message).toContain(`the store file ${file} is not a usable SQLite database`);
    expect(message).toMatch(/Fix: restore .* from a backup, or move it away/);
    expect(readFileSync(file).equals(junk)).toBe(true);
  });

  it('refuses a store file the bot cannot open (a directory in its place)', async () => {
    const dataDir = join(dir, 'data');
    mkdirSync(join(dataDir, 'meetme-bot.db'), { recursive: true });
    const message = expectCleanRefusal(await run({ MEETME_DATA_DIR: dataDir }), 'store_unreadable');
    expect(message).toContain(`the store file ${join(dataDir, 'meetme-bot.db')} cannot be opened`);
  });

  it('refuses a data dir that is a file, naming dataDir and MEETME_DATA_DIR', async () => {
    const file = join(dir, 'data');
    writeFileSync(file, 'x');
    const message = expectCleanRefusal(await run({ MEETME_DATA_DIR: file }), 'data_dir_not_directory');
    expect(message).toContain(`the data directory ${file} is not a directory`);
    expect(message).toContain('dataDir (env MEETME_DATA_DIR)');
  });

  it('refuses a TLS CA file that cannot be read, naming its key', async () => {
    const message = expectCleanRefusal(await run({
      MEETME_DATA_DIR: join(dir, 'data'), AMI_HOST: '127.0.0.1', AMI_USERNAME: 'bot', AMI_SECRET: 's', AMI_TLS: 'true', AMI_TLS_CA_FILE: join(dir, 'missing-ca.pem'),
    }), 'tls_ca_file_unreadable');
    expect(message).toContain(`the CA file ${join(dir, 'missing-ca.pem')} set in pbxs[0].tlsCaFile (env AMI_TLS_CA_FILE) cannot be read (ENOENT)`);
  });

  it('refuses a listen host that does not resolve, naming listen.host', async () => {
    const message = expectCleanRefusal(await run({ MEETME_DATA_DIR: join(dir, 'data'), LISTEN_HOST: 'no-such-host.invalid' }), 'listen_address_unusable');
    expect(message).toContain('the player page cannot listen on no-such-host.invalid');
    expect(message).toContain('Fix: set listen.host (env LISTEN_HOST)');
  });

  it('refuses a listen port taken by another program, naming listen.port', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    try {
      const message = expectCleanRefusal(await run({ MEETME_DATA_DIR: join(dir, 'data'), LISTEN_PORT: String(port) }), 'listen_port_unavailable');
      expect(message).toContain(`the player page cannot listen on port ${port} (in use by another program)`);
      expect(message).toContain('Fix: set listen.port (env LISTEN_PORT) to a free port');
    } finally {
      taken.close();
    }
  });

  it('refuses a listen host that is not an address of this machine', async () => {
    // 192.0.2.0/24 is reserved for documentation: never a local address.
    const message = expectCleanRefusal(await run({ MEETME_DATA_DIR: join(dir, 'data'), LISTEN_HOST: '192.0.2.1' }), 'listen_address_unusable');
    expect(message).toContain('the player page cannot listen on 192.0.2.1 (not an address of this machine)');
  });

  it('blames a damaged stored link-signing key on the store file, not on LISTEN_SIGNING_KEY', async () => {
    const dataDir = join(dir, 'data');
    const store = openSqliteStore(join(dataDir, 'meetme-bot.db'));
    await store.kv.set('listen.signingKey', Buffer.from('short').toString('base64'));
    await store.close();
    const message = expectCleanRefusal(await run({ MEETME_DATA_DIR: dataDir }), 'stored_signing_key_corrupt');
    expect(message).toContain(`the link-signing key saved in the store file ${join(dataDir, 'meetme-bot.db')} is damaged`);
    expect(message).not.toMatch(/cannot start: .*LISTEN_SIGNING_KEY/);
  });

  it('refuses MEETME_ADAPTERS=slack without Slack config with the keys to set, exit 2', async () => {
    const result = await run({ MEETME_DATA_DIR: join(dir, 'data'), MEETME_ADAPTERS: 'slack' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('adapters (env MEETME_ADAPTERS): slack is listed but Slack is not configured: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses a sensor AES key of the wrong length with its key and where to copy it from, exit 2', async () => {
    const result = await run({ MEETME_DATA_DIR: join(dir, 'data'), SENSOR_AES_KEY: 'YWJj', SENSOR_AES_IV: Buffer.alloc(16).toString('base64') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sensors[0].aesKey (env SENSOR_AES_KEY): aesKey decodes to 3 bytes');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  describe('against the fake Slack with the real Bolt', () => {
    let fake: FakeSlack;
    beforeEach(async () => {
      fake = await FakeSlack.start();
    });
    afterEach(async () => {
      await fake.close();
    });

    it('says Slack refused the token, naming the key, when auth.test answers invalid_auth', async () => {
      const file = join(dir, 'bot.yml');
      writeFileSync(file, `adapters: [slack]\nslack:\n  botToken: xoxb-revoked\n  appToken: ${fake.appToken}\n  apiUrl: ${fake.apiUrl}\n`);
      const message = expectCleanRefusal(await run({ MEETME_CONFIG: file, MEETME_DATA_DIR: join(dir, 'data') }), 'slack_token_refused');
      expect(fake.callsTo('auth.test').map((c) => c.token)).toContain('xoxb-revoked');
      expect(message).toMatch(/Slack refused the token in slack\.botToken \(env SLACK_BOT_TOKEN\).*\(invalid_auth\)/);
      expect(message).not.toContain('xoxb-revoked');
    });

    it('names the app token when Socket Mode refuses it', async () => {
      const file = join(dir, 'bot.yml');
      writeFileSync(file, `adapters: [slack]\nslack:\n  botToken: ${fake.botToken}\n  appToken: xapp-revoked\n  apiUrl: ${fake.apiUrl}\n`);
      const message = expectCleanRefusal(await run({ MEETME_CONFIG: file, MEETME_DATA_DIR: join(dir, 'data') }), 'slack_token_refused');
      expect(fake.callsTo('apps.connections.open').map((c) => c.token)).toContain('xapp-revoked');
      expect(message).toMatch(/Slack refused the token in .*slack\.appToken \(env SLACK_APP_TOKEN\)/);
    });
  });
});

describe('meetme-bot check-config', () => {
  it('exits 0 and says what would run when the config is fine, starting nothing', async () => {
    const result = await run({ MEETME_DATA_DIR: join(dir, 'data') }, ['check-config']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Checked the environment \(no config file\): OK\. PBXs: the embedded demo PBX/);
    expect(result.stdout).not.toContain('meetme-bot is running');
  });

  it('lists every config problem with its key and fix, exit 2', async () => {
    const file = join(dir, 'bot.yml');
    writeFileSync(file, [
      'pbxs:',
      '  - { id: main, host: a, username: u, secret: s, port: "5038" }',
      '  - { id: main, host: b, username: u, secret: s, tlsInsecure: true }',
    ].join('\n'));
    const result = await run({ MEETME_CONFIG: file }, ['check-config']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`Checked ${file} and the environment: 3 problem(s).`);
    expect(result.stdout).toContain('  - pbxs[0].port (env AMI_PORT): must be a number, write it without quotes');
    expect(result.stdout).toContain('  - pbxs[1].tlsInsecure: only applies to TLS');
    expect(result.stdout).toContain('  - pbxs[1].id: duplicate id "main", already used by pbxs[0]');
  });

  it('reports problems only the machine shows (data dir, CA file), each with its fix, exit 2', async () => {
    writeFileSync(join(dir, 'data'), 'x');
    const result = await run({
      MEETME_DATA_DIR: join(dir, 'data'), AMI_HOST: 'h', AMI_USERNAME: 'u', AMI_SECRET: 's', AMI_TLS: 'true', AMI_TLS_CA_FILE: join(dir, 'ca.pem'),
    }, ['check-config']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('2 problem(s)');
    expect(result.stdout).toContain(`the data directory ${join(dir, 'data')} is not a directory`);
    expect(result.stdout).toContain('pbxs[0].tlsCaFile (env AMI_TLS_CA_FILE) cannot be read');
    expect(result.stdout.match(/Fix: /g)).toHaveLength(2);
  });
});
