import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LinkSigner } from '../../src/listen/links.ts';
import { startHarness, type Harness } from './harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

interface WsOutcome {
  statuses: string[];
  audioBytes: number;
  closeCode: number;
}

/** Opens the stream and collects until `stop` says so (then closes) or the server closes. */
function stream(url: string, stop: (o: WsOutcome) => boolean): Promise<WsOutcome> {
  return new Promise((resolve, reject) => {
    const outcome: WsOutcome = { statuses: [], audioBytes: 0, closeCode: 0 };
    const ws = new WebSocket(url);
    ws.on('message', (data, isBinary) => {
      if (isBinary) outcome.audioBytes += (data as Buffer).length;
      else outcome.statuses.push((JSON.parse(String(data)) as { state: string }).state);
      if (stop(outcome)) ws.close(1000);
    });
    ws.on('close', (code) => { outcome.closeCode = code; resolve(outcome); });
    ws.on('error', reject);
  });
}

describe('listen server', () => {
  it('serves the player page for a valid link with the security headers', async () => {
    harness = await startHarness();
    const token = await harness.tokenFor('alice-call@sim');
    const res = await fetch(`${harness.server.url}/listen/${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe-inline|https?:\/\/(?!127)/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('Caller 1001 (1001)');
    expect(html).toContain('data-state="paused"');
    expect(html).not.toContain(token);
    const js = await fetch(`${harness.server.url}/listen-assets/player.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });

  it('answers 410 for an expired link and 403 for tampered, foreign-key and malformed ones', async () => {
    harness = await startHarness();
    const valid = await harness.tokenFor('alice-call@sim');
    const expired = await harness.tokenFor('alice-call@sim', { ttlMs: -1000 });
    const foreign = await harness.tokenFor('alice-call@sim', { signer: new LinkSigner(Buffer.alloc(32, 9)) });
    const tampered = valid.slice(0, -3) + (valid.endsWith('AAA') ? 'BBB' : 'AAA');
    const cases: [string, number, RegExp][] = [
      [expired, 410, /expired/],
      [tampered, 403, /signature check/],
      [foreign, 403, /key this bot no longer uses/],
      ['not-a-token', 403, /not a valid listen link/],
    ];
    for (const [token, status, text] of cases) {
      const res = await fetch(`${harness.server.url}/listen/${token}`);
      expect(res.status, token).toBe(status);
      expect(await res.text()).toMatch(text);
    }
  });

  it('streams audio over the WebSocket and records the listen in the audit log', async () => {
    harness = await startHarness();
    const token = await harness.tokenFor('alice-call@sim');
    const outcome = await stream(`${harness.server.url.replace('http', 'ws')}/listen/${token}/ws`, (o) => o.audioBytes >= 2400);
    expect(outcome.statuses[0]).toBe('connecting');
    expect(outcome.statuses).toContain('playing');
    expect(outcome.audioBytes % 800).toBe(0);
    await expect.poll(() => harness?.audit.length).toBe(1);
    expect(harness.audit[0]).toMatchObject({ command: 'listen', actor: { userId: 'U777' }, decision: 'allowed', outcome: 'ok' });
    expect(harness.audit[0]?.detail).toMatch(/^listened \d+ s/);
    expect(harness.logLines.join('')).not.toContain(token);
  });

  it('checks the link again at stream start', async () => {
    harness = await startHarness();
    const expired = await harness.tokenFor('alice-call@sim', { ttlMs: -1 });
    const outcome = await stream(`${harness.server.url.replace('http', 'ws')}/listen/${expired}/ws`, () => false);
    expect(outcome).toMatchObject({ statuses: ['expired'], audioBytes: 0, closeCode: 4410 });
    const forged = await stream(`${harness.server.url.replace('http', 'ws')}/listen/v1.AAAAAAAA.e30.${'A'.repeat(43)}/ws`, () => false);
    expect(forged).toMatchObject({ statuses: ['invalid'], closeCode: 4403 });
    expect(harness.sensor.stats().commands['listen']).toBeUndefined();
  });

  it('tells the browser the call ended and closes the stream', async () => {
    harness = await startHarness();
    const token = await harness.tokenFor('alice-call@sim');
    const h = harness;
    const outcome = await stream(`${h.server.url.replace('http', 'ws')}/listen/${token}/ws`, (o) => {
      if (o.audioBytes > 0) h.calls.list = [];
      return false;
    });
    expect(outcome.statuses.at(-1)).toBe('ended');
    expect(outcome.closeCode).toBe(1000);
  });

  it('lets a single-use link start one stream only', async () => {
    harness = await startHarness({ singleUse: true });
    const token = await harness.tokenFor('alice-call@sim');
    const wsUrl = `${harness.server.url.replace('http', 'ws')}/listen/${token}/ws`;
    expect((await fetch(`${harness.server.url}/listen/${token}`)).status).toBe(200);
    await stream(wsUrl, (o) => o.audioBytes > 0);
    expect(await stream(wsUrl, () => false)).toMatchObject({ statuses: ['expired'], closeCode: 4410 });
    const page = await fetch(`${harness.server.url}/listen/${token}`);
    expect(page.status).toBe(410);
    expect(await page.text()).toMatch(/already been used/);
  });
});
