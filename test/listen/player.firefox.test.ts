import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { FakeClock } from '../core/status-fakes.ts';
import { startHarness, type Harness } from './harness.ts';

/**
 * The player page in stock Firefox ESR, driven by puppeteer-core over WebDriver BiDi (no patched
 * browser, nothing downloaded). Mirrors browser.test.ts: play, frames, level meter, call end, expired link.
 * A second Firefox without the mock audio backend has no output device at all (this machine has no
 * sound card): the page must say so (no_output) instead of "Playing live", and keep the stream.
 */
const FIREFOX = '/usr/bin/firefox-esr';
/** The screenshot of the playing page, for a person to look at. */
const SCREENSHOT = join(tmpdir(), 'firefox-player.png');

/**
 * Every outside connection goes to this loopback proxy, which records the host and hangs up. Loopback
 * (the listen server) is never proxied. Firefox is configured below not to try; the test checks it did not.
 */
interface TrapProxy {
  readonly port: number;
  /** Requests that would have left the machine. */
  readonly hosts: string[];
  /** Requests made to the trap itself (Remote Settings is pointed at it): loopback, answered 404. */
  readonly direct: string[];
  close(): Promise<void>;
}

async function startTrapProxy(): Promise<TrapProxy> {
  const hosts: string[] = [];
  const direct: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', (chunk) => {
      // Proxied: "CONNECT host:443 HTTP/1.1" or "GET http://host/... HTTP/1.1". Direct: "GET /v1/... HTTP/1.1".
      const line = chunk.toString('latin1').split('\r\n')[0] ?? '?';
      if (/^[A-Z]+ \//.test(line)) direct.push(line);
      else hosts.push(line);
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('trap proxy has no port');
  return {
    port: address.port,
    hosts,
    direct,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/**
 * On top of puppeteer's own test profile (which already turns off updates, safebrowsing, Normandy...).
 * `mockAudio: false` leaves Firefox with the machine's real (here: missing) audio output.
 */
function firefoxPrefs(proxyPort: number, { mockAudio }: { mockAudio: boolean }): Record<string, unknown> {
  return {
    // The page plays after a synthetic click; no autoplay prompt or block.
    'media.autoplay.default': 0,
    'media.autoplay.blocking_policy': 0,
    // CI boxes have no sound card. Without an output device Firefox keeps every AudioContext
    // "suspended" (Chromium uses a fake device); Firefox's mock cubeb backend runs the audio clock instead.
    ...(mockAudio ? { 'media.cubeb.force_mock_context': true } : {}),
    // No network: everything non-loopback goes to the trap proxy, and nothing fails over to direct.
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': proxyPort,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': proxyPort,
    'network.proxy.share_proxy_settings': true,
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': false,
    'network.proxy.failover_direct': false,
    'network.trr.mode': 5,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'network.predictor.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    // Release builds honour this only with MOZ_REMOTE_SETTINGS_DEVTOOLS=1 (set below); puppeteer's dummy.test default
    // would otherwise be ignored and Firefox would sync firefox.settings.services.mozilla.com.
    'services.settings.server': `http://127.0.0.1:${proxyPort}/v1`,
    // Updates, telemetry, remote settings and other background services.
    'app.update.auto': false,
    'app.update.enabled': false,
    'app.normandy.enabled': false,
    'app.shield.optoutstudies.enabled': false,
    'toolkit.telemetry.enabled': false,
    'toolkit.telemetry.unified': false,
    'toolkit.telemetry.archive.enabled': false,
    'toolkit.telemetry.server': '',
    'toolkit.coverage.endpoint.base': '',
    'datareporting.policy.dataSubmissionEnabled': false,
    'browser.ping-centre.telemetry': false,
    'browser.newtabpage.activity-stream.feeds.telemetry': false,
    'browser.newtabpage.activity-stream.telemetry': false,
    'browser.region.network.url': '',
    'browser.region.update.enabled': false,
    'browser.safebrowsing.update.enabled': false,
    'browser.topsites.contile.enabled': false,
    'extensions.blocklist.enabled': false,
    'extensions.systemAddon.update.enabled': false,
    'geo.provider.network.url': '',
    'media.gmp-gmpopenh264.enabled': false,
    'messaging-system.rsexperimentloader.enabled': false,
    'dom.push.connection.enabled': false,
    'security.OCSP.enabled': 0,
    'security.remote_settings.crlite_filters.enabled': false,
    'security.remote_settings.intermediates.enabled': false,
  };
}

let browser: Browser | undefined;
/** Firefox without the mock audio backend: no output device. Started by its own describe block. */
let silentBrowser: Browser | undefined;
let harness: Harness | undefined;
let trap: TrapProxy | undefined;

function launchFirefox(proxyPort: number, mockAudio: boolean): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    protocol: 'webDriverBiDi',
    headless: true,
    extraPrefsFirefox: firefoxPrefs(proxyPort, { mockAudio }),
    env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1', MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
  });
}

/** The page's AudioContexts, recorded by a preload script, so a test can read and drive their state. */
interface ContextsWindow { __contexts?: AudioContext[] }

function recordAudioContexts(page: Page): Promise<unknown> {
  return page.evaluateOnNewDocument(() => {
    const Native = window.AudioContext;
    const seen: AudioContext[] = [];
    (window as unknown as ContextsWindow).__contexts = seen;
    window.AudioContext = class extends Native {
      constructor(options?: AudioContextOptions) {
        super(options);
        seen.push(this);
      }
    };
  });
}

function contextState(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (window as unknown as ContextsWindow).__contexts?.[0]?.state);
}

function frameCount(page: Page): Promise<number> {
  return page.$eval('#player', (el) => Number((el as HTMLElement).dataset['frames']));
}

const NO_OUTPUT_TEXT = 'No audio output: the browser could not start sound (check your output device or allow audio for this site)';

function running(): { browser: Browser; harness: Harness } {
  if (!browser || !harness) throw new Error('Firefox or the harness did not start (see beforeAll)');
  return { browser, harness };
}

/** The player's state as the page exposes it on #player[data-*]. */
function dataset(page: Page, key: string): Promise<string | undefined> {
  return page.$eval('#player', (el, k) => (el as HTMLElement).dataset[k], key);
}

function waitForState(page: Page, state: string): Promise<unknown> {
  return page.waitForFunction((s) => document.getElementById('player')?.dataset['state'] === s, { timeout: 10_000 }, state);
}

beforeAll(async () => {
  if (!existsSync(FIREFOX)) {
    throw new Error(`The Firefox player page test needs Firefox ESR at ${FIREFOX} (apt-get install firefox-esr); CI installs it.`);
  }
  trap = await startTrapProxy();
  browser = await launchFirefox(trap.port, true);
  harness = await startHarness();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await silentBrowser?.close();
  await harness?.close();
  await trap?.close();
});

describe('player page in headless Firefox ESR (WebDriver BiDi)', () => {
  it('plays a live call, moves the level meter, and shows when the call ends', async () => {
    const { browser, harness } = running();
    const token = await harness.tokenFor('alice-call@sim');
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err instanceof Error ? err.message : String(err)));
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    const response = await page.goto(`${harness.server.url}/listen/${token}`);
    expect(response?.status()).toBe(200);
    await waitForState(page, 'paused');
    expect(await page.$eval('#caller', (el) => el.textContent)).toContain('1001');
    expect(await page.$eval('#called', (el) => el.textContent)).toBe('200');

    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('player')?.dataset['frames']) >= 10, { timeout: 10_000 });
    await waitForState(page, 'playing');
    await page.waitForFunction(() => Number((document.getElementById('level') as HTMLMeterElement | null)?.value) > 0.02, { timeout: 10_000 });
    expect(Number(await dataset(page, 'level'))).toBeGreaterThan(0.02);
    // The AudioWorklet path (not the fallback) reports the jitter buffer.
    await page.waitForFunction(() => document.getElementById('player')?.dataset['buffered'] !== undefined, { timeout: 10_000 });
    expect(await page.$eval('#status', (el) => el.textContent)).toBe('Playing live');
    expect(await page.$eval('#play', (el) => el.textContent)).toBe('Pause');
    await page.screenshot({ path: SCREENSHOT });

    harness.calls.list = [];
    await waitForState(page, 'ended');
    expect(await page.$eval('#status', (el) => el.textContent)).toBe('Call ended');
    expect(await page.$eval('#play', (el) => (el as HTMLButtonElement).disabled)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the expired page for an expired link', async () => {
    const { browser, harness } = running();
    harness.calls.list = [{ callId: 'bob@sim', caller: '1002', callerName: 'Bob', called: '200', startedAt: Date.now(), codec: 'PCMA' }];
    const token = await harness.tokenFor('bob@sim', { ttlMs: -1000 });
    const page = await browser.newPage();
    const response = await page.goto(`${harness.server.url}/listen/${token}`);
    expect(response?.status()).toBe(410);
    expect(await dataset(page, 'state')).toBe('expired');
    expect(await page.$eval('h1', (el) => el.textContent)).toBe('Link expired');
    await page.close();
  });

  it('stops a playing stream when the link expires and says to ask for a new link', async () => {
    const { browser } = running();
    const clock = new FakeClock();
    const expiring = await startHarness({ clock, initial: [{ callId: 'fay@sim', caller: '1006', callerName: 'Fay', called: '200', startedAt: Date.now(), codec: 'PCMU' }] });
    try {
      const token = await expiring.tokenFor('fay@sim', { ttlMs: 60_000 });
      const page = await browser.newPage();
      await page.goto(`${expiring.server.url}/listen/${token}`);
      await waitForState(page, 'paused');
      await page.click('#play');
      await waitForState(page, 'playing');
      await clock.advance(60_000);
      await waitForState(page, 'expired');
      expect(await page.$eval('#status', (el) => el.textContent)).toBe('This listen link has expired. Ask for a new one with /meetme listen.');
      expect(await page.$eval('#play', (el) => (el as HTMLButtonElement).disabled)).toBe(true);
      await page.close();
    } finally {
      await expiring.close();
    }
  });

  it('says no_output when the context stops running, and plays again on its own when it runs', async () => {
    const { browser, harness } = running();
    harness.calls.list = [{ callId: 'frank@sim', caller: '1006', callerName: 'Frank', called: '200', startedAt: Date.now(), codec: 'PCMU' }];
    const token = await harness.tokenFor('frank@sim');
    const page = await browser.newPage();
    await recordAudioContexts(page);
    await page.goto(`${harness.server.url}/listen/${token}`);
    await page.click('#play');
    await waitForState(page, 'playing');
    expect(await contextState(page)).toBe('running');

    // The browser stops the output (device unplugged, audio session taken): not "Playing live" any more.
    await page.evaluate(() => (window as unknown as ContextsWindow).__contexts?.[0]?.suspend());
    await waitForState(page, 'no_output');
    expect(await page.$eval('#status', (el) => el.textContent)).toBe(NO_OUTPUT_TEXT);
    expect(await page.$eval('#play', (el) => el.textContent)).toBe('Play');
    const frames = await frameCount(page);
    await page.waitForFunction((n) => Number(document.getElementById('player')?.dataset['frames']) >= n + 5, { timeout: 10_000 }, frames);
    // The meter follows the received audio while nothing plays.
    await page.waitForFunction(() => Number(document.getElementById('player')?.dataset['level']) > 0.02, { timeout: 10_000 });

    // The output comes back without the user doing anything.
    await page.evaluate(() => (window as unknown as ContextsWindow).__contexts?.[0]?.resume());
    await waitForState(page, 'playing');
    expect(await page.$eval('#status', (el) => el.textContent)).toBe('Playing live');
    expect(await page.$eval('#play', (el) => el.textContent)).toBe('Pause');
    await page.waitForFunction(() => document.getElementById('player')?.dataset['buffered'] !== undefined, { timeout: 10_000 });
    await page.close();
  });

  it('made no connection outside loopback', () => {
    expect(trap?.hosts, 'Firefox tried to reach the network; turn the service off in firefoxPrefs()').toEqual([]);
  });
});

describe('player page in headless Firefox ESR with no audio output device', () => {
  beforeAll(async () => {
    if (!trap) throw new Error('the trap proxy did not start (see the first beforeAll)');
    // No media.cubeb.force_mock_context: on a machine without a sound card the AudioContext never runs.
    silentBrowser = await launchFirefox(trap.port, false);
  }, 30_000);

  it('says no_output instead of "Playing live", keeps the stream and the meter, and retries on Play', async () => {
    const { harness } = running();
    if (!silentBrowser) throw new Error('the second Firefox did not start');
    harness.calls.list = [{ callId: 'grace@sim', caller: '1007', callerName: 'Grace', called: '200', startedAt: Date.now(), codec: 'PCMU' }];
    const token = await harness.tokenFor('grace@sim');
    const page = await silentBrowser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err instanceof Error ? err.message : String(err)));
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    await recordAudioContexts(page);
    await page.goto(`${harness.server.url}/listen/${token}`);
    await waitForState(page, 'paused');

    await page.click('#play');
    await waitForState(page, 'no_output');
    // The premise: this browser really cannot start sound (if it can, the machine has an output device).
    expect(await contextState(page), 'this Firefox started audio output; the test needs a machine without one').not.toBe('running');
    expect(await page.$eval('#status', (el) => el.textContent)).toBe(NO_OUTPUT_TEXT);
    expect(await page.$eval('#play', (el) => el.textContent)).toBe('Play');
    expect(await page.$eval('#play', (el) => el.getAttribute('aria-pressed'))).toBe('false');
    expect(await dataset(page, 'buffered')).toBeUndefined();

    // The stream stays connected: frames keep arriving, and the meter shows the incoming audio.
    const frames = await frameCount(page);
    await page.waitForFunction((n) => Number(document.getElementById('player')?.dataset['frames']) >= n + 10, { timeout: 10_000 }, frames);
    await page.waitForFunction(() => Number((document.getElementById('level') as HTMLMeterElement | null)?.value) > 0.02, { timeout: 10_000 });

    // Play again retries starting the sound; still no device, so still no_output, still streaming.
    await page.click('#play');
    expect(await dataset(page, 'outputCheck')).toBe('pending');
    await page.waitForFunction(() => document.getElementById('player')?.dataset['outputCheck'] === undefined, { timeout: 10_000 });
    expect(await dataset(page, 'state')).toBe('no_output');
    const later = await frameCount(page);
    await page.waitForFunction((n) => Number(document.getElementById('player')?.dataset['frames']) >= n + 5, { timeout: 10_000 }, later);

    // The call ending still wins over the output problem.
    harness.calls.list = [];
    await waitForState(page, 'ended');
    expect(await page.$eval('#status', (el) => el.textContent)).toBe('Call ended');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('made no connection outside loopback', () => {
    expect(trap?.hosts, 'Firefox tried to reach the network; turn the service off in firefoxPrefs()').toEqual([]);
  });
});
