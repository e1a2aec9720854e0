import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { loadOrCreateSigningKey } from '../src/listen/links.ts';
import { silentLogger } from '../src/log.ts';
import { defaultAdapters, startBot, type RunningBot } from '../src/main.ts';

let bot: RunningBot | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function startEmbedded(): Promise<RunningBot> {
  dataDir = mkdtempSync(join(tmpdir(), 'meetme-main-'));
  const config = parseConfig({ dataDir, listen: { port: 0 } });
  const output = new PassThrough();
  output.resume();
  bot = await startBot(config, { logger: silentLogger(), shellInput: new PassThrough(), shellOutput: output, demo: false });
  return bot;
}

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the embedded default (npm start with no configuration)', () => {
  it('runs the embedded PBX, sensor, shell and player page, and says so', async () => {
    const running = await startEmbedded();
    expect(running.embeddedPbx).toBeDefined();
    expect(running.embeddedSensor).toBeDefined();
    expect(running.listenServer).toBeDefined();
    expect([...running.adapters.keys()]).toEqual(['shell']);
    expect(running.banner).toMatch(/embedded confbridge PBX on 127\.0\.0\.1:\d+/);
    expect(running.banner).toMatch(/local shell user is admin/);
    expect(running.banner).toMatch(/AMI_HOST/);
  });

  it('answers /meetme commands in the shell against live embedded rooms', async () => {
    const running = await startEmbedded();
    const pbx = running.embeddedPbx!;
    pbx.join('300', { num: '701', name: 'Tim', tech: 'PJSIP' });
    const shell = running.shell!;
    await until(() => (running.registry.allRooms().some((r) => r.name === '300') ? true : undefined), 'room 300 in state');
    expect(await shell.exec('/meetme list')).toMatch(/300/);
    expect(await shell.exec('mute 300 Tim')).toMatch(/Tim/);
    await until(() => (pbx.rooms().find((r) => r.name === '300')?.participants[0]?.muted ? true : undefined), 'Tim muted on the PBX');
    expect(await shell.exec('frobnicate')).toMatch(/did you mean|Unknown/i);
  });

  it('shows the local admin the running configuration in the shell, without the AMI secret or signing key', async () => {
    const running = await startEmbedded();
    const pbx = running.embeddedPbx!;
    await until(() => (running.registry.backend('demo').state().dialect !== undefined ? true : undefined), 'dialect detected');
    const shown = await running.shell!.exec('config');
    expect(shown).toContain(`demo: ${pbx.host}:${pbx.port}, TLS off, auth md5, dialect auto (detected confbridge), available since`);
    expect(shown).toMatch(/demo-sensor: 127\.0\.0\.1:\d+, AES off/);
    expect(shown).toMatch(/Chat adapters: shell/);
    expect(shown).toContain(`Data dir: ${dataDir}`);
    expect(shown).not.toContain('embedded-demo-secret');
    const key = await loadOrCreateSigningKey(undefined, running.store.kv);
    expect(shown).not.toContain(key.toString('base64'));
    expect(shown).not.toContain(key.toString('hex'));
  });

  it('mints a listen link that the player page serves', async () => {
    const running = await startEmbedded();
    const pbx = running.embeddedPbx!;
    pbx.join('300', { num: '702', name: 'Ana', tech: 'PJSIP' });
    await until(() => (running.registry.allRooms().some((r) => r.name === '300') ? true : undefined), 'room 300 in state');
    const reply = await running.shell!.exec('listen 300 Ana');
    const url = /https?:\/\/\S+\/listen\/\S+/.exec(reply)?.[0];
    expect(url, reply).toBeDefined();
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  });
});

describe('default adapters', () => {
  const slack = parseConfig({ slack: { botToken: 'xoxb-1', appToken: 'xapp-1' } });
  it('runs Slack alone as a service (no terminal), so a closed stdin never stops the bot', () => {
    expect(defaultAdapters(slack, false)).toEqual(['slack']);
  });
  it('adds the shell when someone is at the terminal', () => {
    expect(defaultAdapters(slack, true)).toEqual(['shell', 'slack']);
  });
  it('always runs the shell when no chat platform is configured', () => {
    expect(defaultAdapters(parseConfig({}), false)).toEqual(['shell']);
  });
});
