import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { FakeClock } from '../core/status-fakes.ts';
import { startHarness, type Harness } from './harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
];
/** The screenshot of the playing page, for a person to look at. */
const SCREENSHOT = join(tmpdir(), 'meetme-bot-listen-player-playing.png');

let browser: Browser;
let harness: Harness;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The player page test needs Chromium at ${CHROMIUM} (apt-get install chromium); CI installs it.`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  harness = await startHarness();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

describe('player page in headless Chromium', () => {
  it('plays a live call, moves the level meter, and shows when the call ends', async () => {
    const token = await harness.tokenFor('alice-call@sim');
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    await page.goto(`${harness.server.url}/listen/${token}`);
    const player = page.locator('#player');
    await expect.poll(() => player.getAttribute('data-state')).toBe('paused');
    await expect(page.locator('#caller').textContent()).resolves.toContain('1001');
    await expect(page.locator('#called').textContent()).resolves.toBe('200');

    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('player')?.dataset['frames']) >= 10, undefined, { timeout: 10_000 });
    await page.waitForFunction(() => document.getElementById('player')?.dataset['state'] === 'playing', undefined, { timeout: 10_000 });
    await page.waitForFunction(() => Number((document.getElementById('level') as HTMLMeterElement | null)?.value) > 0.02, undefined, { timeout: 10_000 });
    expect(await page.locator('#status').textContent()).toBe('Playing live');
    await page.screenshot({ path: SCREENSHOT });

    harness.calls.list = [];
    await page.waitForFunction(() => document.getElementById('player')?.dataset['state'] === 'ended', undefined, { timeout: 10_000 });
    expect(await page.locator('#status').textContent()).toBe('Call ended');
    expect(await page.locator('#play').isDisabled()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('falls back to buffered AudioBufferSource playback where AudioWorklet is missing', async () => {
    harness.calls.list = [{ callId: 'carol@sim', caller: '1003', callerName: 'Carol', called: '200', startedAt: Date.now(), codec: 'PCMU' }];
    const token = await harness.tokenFor('carol@sim');
    const page = await browser.newPage();
    await page.addInitScript(() => {
      Object.defineProperty(BaseAudioContext.prototype, 'audioWorklet', { get: () => undefined });
    });
    await page.goto(`${harness.server.url}/listen/${token}`);
    await page.click('#play');
    await page.waitForFunction(() => document.getElementById('player')?.dataset['state'] === 'playing', undefined, { timeout: 10_000 });
    await page.waitForFunction(() => Number(document.getElementById('player')?.dataset['level']) > 0.02, undefined, { timeout: 10_000 });
    await page.close();
  });

  it('shows the expired page for an expired link', async () => {
    harness.calls.list = [{ callId: 'bob@sim', caller: '1002', callerName: 'Bob', called: '200', startedAt: Date.now(), codec: 'PCMA' }];
    const token = await harness.tokenFor('bob@sim', { ttlMs: -1000 });
    const page = await browser.newPage();
    const response = await page.goto(`${harness.server.url}/listen/${token}`);
    expect(response?.status()).toBe(410);
    expect(await page.locator('#player').getAttribute('data-state')).toBe('expired');
    expect(await page.locator('h1').textContent()).toBe('Link expired');
    await page.close();
  });

  it('stops a playing stream when the link expires and says to ask for a new link', async () => {
    const clock = new FakeClock();
    const expiring = await startHarness({ clock, initial: [{ callId: 'fay@sim', caller: '1006', callerName: 'Fay', called: '200', startedAt: Date.now(), codec: 'PCMU' }] });
    try {
      const token = await expiring.tokenFor('fay@sim', { ttlMs: 60_000 });
      const page = await browser.newPage();
      await page.goto(`${expiring.server.url}/listen/${token}`);
      await page.click('#play');
      await page.waitForFunction(() => document.getElementById('player')?.dataset['state'] === 'playing', undefined, { timeout: 10_000 });
      await clock.advance(60_000);
      await page.waitForFunction(() => document.getElementById('player')?.dataset['state'] === 'expired', undefined, { timeout: 10_000 });
      expect(await page.locator('#status').textContent()).toBe('This listen link has expired. Ask for a new one with /meetme listen.');
      expect(await page.locator('#play').isDisabled()).toBe(true);
      await page.close();
    } finally {
      await expiring.close();
    }
  });

  it('reconnects after the bot drops the stream, plays again, and keeps the button truthful', async () => {
    harness.calls.list = [{ callId: 'erin@sim', caller: '1005', callerName: 'Erin', called: '200', startedAt: Date.now(), codec: 'PCMU' }];
    const token = await harness.tokenFor('erin@sim');
    const page = await browser.newPage();
    await page.goto(`${harness.server.url}/listen/${token}`);
    const state = (): Promise<string | null> => page.locator('#player').getAttribute('data-state');
    await page.click('#play');
    await page.waitForFunction(() => document.getElementById('player')?.dataset['state'] === 'playing', undefined, { timeout: 10_000 });
    await page.waitForFunction(() => Number(document.getElementById('player')?.dataset['buffered']) >= 0, undefined, { timeout: 10_000 });
    expect(await page.locator('#buffer').textContent()).toMatch(/buffer \d+ ms/);

    await harness.restartServer();
    await page.waitForFunction(() => document.getElementById('player')?.dataset['state'] === 'reconnecting', undefined, { timeout: 10_000 });
    expect(await page.locator('#status').textContent()).toMatch(/^Bot restarting\. Reconnecting in \d+ s/);
    // Still trying to play: the button offers Pause (which stops the retries), and the meter is at rest.
    expect(await page.locator('#play').textContent()).toBe('Pause');
    expect(await page.locator('#player').getAttribute('data-level')).toBe('0.000');
    const framesBefore = Number(await page.locator('#player').getAttribute('data-frames'));
    await page.waitForFunction(() => document.getElementById('player')?.dataset['state'] === 'playing', undefined, { timeout: 15_000 });
    await page.waitForFunction((n) => Number(document.getElementById('player')?.dataset['frames']) >= n + 5, framesBefore, { timeout: 10_000 });

    await page.click('#play');
    expect(await state()).toBe('paused');
    expect(await page.locator('#play').textContent()).toBe('Play');
    expect(await page.locator('#player').getAttribute('data-level')).toBe('0.000');
    expect(await page.locator('#level').evaluate((m) => (m as HTMLMeterElement).value)).toBe(0);
    expect(await page.locator('#buffer').textContent()).toBe('');
    await page.close();
  });

  it('shows "sensor unreachable" when the sensor goes away', async () => {
    harness.calls.list = [{ callId: 'dave@sim', caller: '1004', callerName: 'Dave', called: '200', startedAt: Date.now(), codec: 'PCMU' }];
    const token = await harness.tokenFor('dave@sim');
    const page = await browser.newPage();
    await page.goto(`${harness.server.url}/listen/${token}`);
    await harness.sensor.stop();
    await page.click('#play');
    await page.waitForFunction(() => document.getElementById('player')?.dataset['state'] === 'unreachable', undefined, { timeout: 10_000 });
    expect(await page.locator('#status').textContent()).toMatch(/unreachable/i);
    await page.close();
  });
});
