import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { startBot, type RunningBot } from '../../src/main.ts';

/**
 * Hangup alerts through the whole bot: the embedded PBX hangs a caller up with a cause over real
 * AMI, the bot's alert engine posts to the shell, and a press on Ack edits the message.
 */

let bot: RunningBot | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Screen { text: string }

async function start(dataDir?: string): Promise<{ bot: RunningBot; screen: Screen; dataDir: string }> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'meetme-alerts-'));
  if (dataDir === undefined) dirs.push(dir);
  const config = parseConfig({
    dataDir: dir, listen: { port: 0 }, adapters: ['shell'], embedded: { demo: false },
    alerts: { rules: [
      { id: 'abnormal', when: 'hangup', causes: ['abnormal'], targets: [{ platform: 'shell', channel: 'terminal' }] },
      { id: 'ceo', when: 'vip_left', vip: ['7001'], targets: [{ platform: 'shell', channel: 'terminal' }] },
      { id: 'cutoff', when: 'ended_while_talking', rooms: '201', targets: [{ platform: 'shell', channel: 'terminal' }] },
    ] },
  });
  const output = new PassThrough();
  const screen: Screen = { text: '' };
  output.on('data', (chunk: Buffer) => { screen.text += chunk.toString(); });
  bot = await startBot(config, { logger: silentLogger(), shellInput: new PassThrough(), shellOutput: output, demo: false });
  return { bot, screen, dataDir: dir };
}

async function until(probe: () => boolean, what: string): Promise<void> {
  await expect.poll(probe, { timeout: 10_000, interval: 20, message: what }).toBe(true);
}

function joinRoom(b: RunningBot, num: string, name: string): string {
  const pbx = b.embeddedPbx!;
  const ch = pbx.join('200', { num, name });
  return ch.uniqueid;
}

describe('hangup alerts end to end', () => {
  it('posts an abnormal hangup to the shell and not a normal one, and Ack edits the message', async () => {
    const { bot: b, screen } = await start();
    const pbx = b.embeddedPbx!;
    const keep = joinRoom(b, '700', 'Keeper');
    const tim = joinRoom(b, '701', 'Tim');
    const ann = joinRoom(b, '702', 'Ann');
    await until(() => (pbx.rooms().find((r) => r.name === '200')?.participants.length ?? 0) === 3, 'three in the room');
    pbx.hangup(ann, 16);
    pbx.hangup(tim, 34);
    await until(() => screen.text.includes('Tim (701) dropped from room 200 — cause 34'), 'the alert for Tim');
    expect(screen.text).not.toContain('Ann (702) dropped');
    const shell = b.shell!;
    const number = /\[(\d+)\] Ack/.exec(screen.text)?.[1];
    expect(number).toBeDefined();
    const answer = await shell.exec(`press ${number}`);
    expect(answer).toMatch(/Acknowledged/);
    await until(() => /acked by \S+ at \d\d:\d\d UTC/.test(screen.text), 'the edited alert');
    expect(keep).toBeDefined();
  });

  it('alerts when a VIP leaves, and answers alerts list with the rules', async () => {
    const { bot: b, screen } = await start();
    const pbx = b.embeddedPbx!;
    joinRoom(b, '700', 'Keeper');
    const ceo = joinRoom(b, '7001', 'Boss');
    await until(() => (pbx.rooms().find((r) => r.name === '200')?.participants.length ?? 0) === 2, 'two in the room');
    pbx.hangup(ceo, 16);
    await until(() => screen.text.includes('VIP Boss (7001) left room 200'), 'the VIP alert');
    const list = await b.shell!.exec('alerts list');
    expect(list).toMatch(/abnormal/);
    expect(list).toMatch(/ceo/);
  });

  it('keeps an acked alert acked across a restart and sends nothing again', async () => {
    const first = await start();
    const pbx = first.bot.embeddedPbx!;
    joinRoom(first.bot, '700', 'Keeper');
    const tim = joinRoom(first.bot, '701', 'Tim');
    await until(() => (pbx.rooms().find((r) => r.name === '200')?.participants.length ?? 0) === 2, 'two in the room');
    pbx.hangup(tim, 38);
    await until(() => first.screen.text.includes('Tim (701) dropped'), 'the alert');
    const number = /\[(\d+)\] Ack/.exec(first.screen.text)?.[1];
    await first.bot.shell!.exec(`press ${number}`);
    await first.bot.stop();
    bot = undefined;

    const again = await start(first.dataDir);
    const list = await again.bot.shell!.exec('alerts list');
    expect(list).toMatch(/1 open: Tim \(701\) dropped from room 200 .*\(acked\)/);
    expect(again.screen.text).not.toMatch(/Not acknowledged yet/);
  });

  it('turns a storm of 200 abnormal hangups into one digest, edited as they come', async () => {
    const { bot: b, screen } = await start();
    const pbx = b.embeddedPbx!;
    joinRoom(b, '700', 'Keeper');
    const callers = Array.from({ length: 200 }, (_, i) => joinRoom(b, String(1000 + i), `Caller ${i}`));
    await until(() => (pbx.rooms().find((r) => r.name === '200')?.participants.length ?? 0) === 201, 'everyone in the room');
    for (const uid of callers) pbx.hangup(uid, 34);
    await until(() => /200 abnormal hangups on demo in the last \d+ min, top cause 34/.test(screen.text), 'the digest counting all 200');
    const singles = screen.text.match(/dropped from room 200 — cause 34/g) ?? [];
    expect(singles.length).toBeLessThanOrEqual(10);
  });

  it('alerts when a room ends while someone is still talking', async () => {
    const { bot: b, screen } = await start();
    const pbx = b.embeddedPbx!;
    const ch = pbx.join('201', { num: '705', name: 'Talker' });
    await until(() => (pbx.rooms().find((r) => r.name === '201')?.participants.length ?? 0) === 1, 'one in room 201');
    pbx.talk(ch.uniqueid, true);
    pbx.hangup(ch.uniqueid, 16);
    await until(() => screen.text.includes('Room 201 ended while Talker (705) was talking'), 'the cut-off alert');
  });
});
