import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../src/log.ts';
import { createAudioHub, type AudioHubOptions, type SensorAudioSource } from '../../src/listen/hub.ts';
import { LinkSigner, newNonce } from '../../src/listen/links.ts';
import { SPENT_NONCES_KEY, startListenServer, type ListenServerDeps } from '../../src/listen/server.ts';
import { SensorProtocolError } from '../../src/sensor/errors.ts';
import type { AuditRecord } from '../../src/store/types.ts';
import { FakeClock } from '../core/status-fakes.ts';
import { memoryKv, startHarness, testActor, type Harness } from './harness.ts';

let harness: Harness | undefined;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  while (cleanup.length > 0) await cleanup.pop()?.();
});

/** A listen server over a hub fed by a fake sensor (for rates and refusals the embedded one cannot produce). */
async function fakeSensorServer(
  sensor: Partial<SensorAudioSource>, hubOptions: Partial<AudioHubOptions>, serverOptions: Pick<ListenServerDeps, 'publicBaseUrl' | 'allowedOrigins'> = {},
): Promise<{ wsUrl: string; audit: AuditRecord[]; listens: () => number }> {
  let listens = 0;
  const source: SensorAudioSource = {
    id: 'fake',
    listCalls: async () => [{ callref: '0x1', callId: 'c@x', caller: '1', called: '2', callerName: undefined, durationSec: 1 } as never],
    listen: async () => { listens++; },
    readAudio: async () => ({ kind: 'wait' }),
    listenStop: async () => undefined,
    ...sensor,
  };
  const hub = createAudioHub({ sensors: [source], pollMs: 20, callCheckMs: 1000, ...hubOptions });
  const signer = new LinkSigner(Buffer.alloc(32, 7));
  const audit: AuditRecord[] = [];
  const server = await startListenServer({
    host: '127.0.0.1', port: 0, signer, hub, sensors: [source], logger: silentLogger(), singleUse: false,
    audit: { append: async (r) => { audit.push(r); }, query: async () => audit }, ...serverOptions,
  });
  cleanup.push(async () => { await server.close(); await hub.close(); });
  const token = signer.sign({ sensor: 'fake', callref: '0x1', callId: 'c@x', actor: testActor, expiresAt: Date.now() + 60_000, nonce: newNonce() });
  return { wsUrl: `${server.url.replace('http', 'ws')}/listen/${token}/ws`, audit, listens: () => listens };
}

/** The Origin a browser sends with the stream of a page served by the same server as `wsUrl`. */
function pageOrigin(wsUrl: string): string {
  return new URL(wsUrl.replace(/^ws/, 'http')).origin;
}

/** 101 when the server upgrades a stream sent with this Origin (none: like a non-browser client), else the HTTP status. */
function upgradeStatus(wsUrl: string, origin: string | undefined): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl, origin === undefined ? {} : { origin });
    ws.on('open', () => { resolve(101); ws.close(); });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.on('error', () => undefined);
  });
}

/** A raw TCP client that completes the WebSocket upgrade and then stops reading, like a stalled browser. */
function stalledClient(wsUrl: string): Promise<Socket> {
  const url = new URL(wsUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.write([
        `GET ${url.pathname} HTTP/1.1`, `Host: ${url.host}`, 'Upgrade: websocket', 'Connection: Upgrade',
        `Origin: ${pageOrigin(wsUrl)}`, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', '',
      ].join('\r\n'));
    });
    socket.on('error', () => undefined);
    socket.once('data', (head: Buffer) => {
      if (!head.toString('latin1').startsWith('HTTP/1.1 101')) return reject(new Error('upgrade refused'));
      socket.pause();
      resolve(socket);
    });
  });
}

interface WsOutcome {
  statuses: string[];
  audioBytes: number;
  closeCode: number;
}

/** Opens the stream and collects until `stop` says so (then closes) or the server closes. */
function stream(url: string, stop: (o: WsOutcome) => boolean): Promise<WsOutcome> {
  return new Promise((resolve, reject) => {
    const outcome: WsOutcome = { statuses: [], audioBytes: 0, closeCode: 0 };
    const ws = new WebSocket(url, { origin: pageOrigin(url) });
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
    const forged = await stream(`${harness.server.url.replace('http', 'ws')}/listen/v2.AAAAAAAA.${'A'.repeat(60)}/ws`, () => false);
    expect(forged).toMatchObject({ statuses: ['invalid'], closeCode: 4403 });
    expect(harness.sensor.stats().commands['listen']).toBeUndefined();
  });

  it('cuts a playing stream when its link expires: 4410 "link expired", an expired status, and an audit line saying why', async () => {
    const clock = new FakeClock();
    harness = await startHarness({ clock });
    const h = harness;
    const token = await h.tokenFor('alice-call@sim', { ttlMs: 60_000 });
    const statuses: string[] = [];
    let audioBytes = 0;
    const ws = new WebSocket(`${h.server.url.replace('http', 'ws')}/listen/${token}/ws`, { origin: h.server.url });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data, isBinary) => {
      if (isBinary) audioBytes += (data as Buffer).length;
      else statuses.push((JSON.parse(String(data)) as { state: string }).state);
    });
    await expect.poll(() => audioBytes).toBeGreaterThan(0);
    await clock.advance(59_999);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    await clock.advance(1);
    expect(await closed).toEqual({ code: 4410, reason: 'link expired' });
    expect(statuses.at(-1)).toBe('expired');
    await expect.poll(() => h.audit.map((r) => r.detail)).toEqual([expect.stringMatching(/; link expired$/)]);
  });

  it('refuses the stream upgrade (403) from another origin and without Origin, before asking the sensor', async () => {
    const { wsUrl, listens } = await fakeSensorServer({}, {});
    for (const origin of ['https://evil.example', 'null', `${pageOrigin(wsUrl)}.evil.example`, undefined]) {
      expect(await upgradeStatus(wsUrl, origin), origin ?? '(no Origin)').toBe(403);
    }
    expect(listens()).toBe(0);
  });

  it('accepts the public URL\'s origin and the configured allowed origins, not the listen address behind a proxy', async () => {
    const { wsUrl } = await fakeSensorServer({}, {}, { publicBaseUrl: 'https://bot.example.com/meetme/', allowedOrigins: ['https://listen.example.org:8443'] });
    expect(await upgradeStatus(wsUrl, 'https://bot.example.com')).toBe(101);
    expect(await upgradeStatus(wsUrl, 'https://listen.example.org:8443')).toBe(101);
    expect(await upgradeStatus(wsUrl, pageOrigin(wsUrl))).toBe(403);
    expect(await upgradeStatus(wsUrl, 'http://bot.example.com')).toBe(403);
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

  it('closes a playing stream with 1001 Going Away on shutdown and audits it as "bot stopped", not as an ended call', async () => {
    harness = await startHarness();
    const h = harness;
    const token = await h.tokenFor('alice-call@sim');
    let playing: () => void = () => undefined;
    const started = new Promise<void>((resolve) => { playing = resolve; });
    const outcome = stream(`${h.server.url.replace('http', 'ws')}/listen/${token}/ws`, (o) => {
      if (o.audioBytes > 0) playing();
      return false;
    });
    await started;
    // The bot's stop order: the listen server, then the hub.
    await h.server.close();
    await h.hub.close();
    const closed = await outcome;
    expect(closed.closeCode).toBe(1001);
    expect(closed.statuses).not.toContain('ended');
    expect(h.audit.map((r) => r.detail)).toEqual([expect.stringMatching(/^listened \d+ s; bot stopped$/)]);
    expect(h.logLines.filter((l) => l.includes('"listener left"')).join('')).toContain('"reason":"bot stopped"');
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

  it('drops a real WebSocket that stops reading (4008, terminated after the grace) while another listener keeps receiving', async () => {
    // 64 KiB per 10 ms fills the stalled socket's kernel buffers within a second or two.
    const { wsUrl, audit } = await fakeSensorServer(
      { readAudio: async () => ({ kind: 'audio', pcm: Buffer.alloc(64 * 1024, 1) }) },
      { pollMs: 10, maxBacklogBytes: 512 * 1024 },
    );
    let fastBytes = 0;
    const fast = new WebSocket(wsUrl, { origin: pageOrigin(wsUrl) });
    cleanup.push(async () => { fast.terminate(); });
    fast.on('message', (data, isBinary) => { if (isBinary) fastBytes += (data as Buffer).length; });
    await expect.poll(() => fastBytes).toBeGreaterThan(0);
    const stalled = await stalledClient(wsUrl);
    cleanup.push(async () => { stalled.destroy(); });
    // The server records the listen when its socket closes: with a peer that never reads the close
    // frame, only the terminate after the grace period gets there.
    await expect.poll(() => audit.map((r) => r.detail), { timeout: 20_000 }).toContainEqual(expect.stringMatching(/dropped: too slow/));
    expect(audit).toHaveLength(1);
    const before = fastBytes;
    await expect.poll(() => fastBytes, { timeout: 5000 }).toBeGreaterThan(before + 1024 * 1024);
    expect(fast.readyState).toBe(WebSocket.OPEN);
  }, 30_000);

  it('closes the stream with 4500 and the listener-safe reason when the sensor refuses for good', async () => {
    const { wsUrl } = await fakeSensorServer({
      listen: async () => { throw new SensorProtocolError('fake', 'Live listening is disabled on sensor fake.', 'liveaudio is disabled', { permanent: true }); },
    }, {});
    const messages: string[] = [];
    const code = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { origin: pageOrigin(wsUrl) });
      ws.on('message', (data, isBinary) => { if (!isBinary) messages.push(String(data)); });
      ws.on('close', (c) => resolve(c));
      ws.on('error', reject);
    });
    expect(code).toBe(4500);
    expect(messages.at(-1)).toBe(JSON.stringify({ type: 'status', state: 'sensor_error', message: 'Live listening is disabled on sensor fake.' }));
  });

  it('keeps a used single-use link used across a restart by storing its nonce', async () => {
    const kv = memoryKv();
    harness = await startHarness({ singleUse: true, kv });
    const token = await harness.tokenFor('alice-call@sim');
    await stream(`${harness.server.url.replace('http', 'ws')}/listen/${token}/ws`, (o) => o.audioBytes > 0);
    await harness.restartServer();
    expect(await stream(`${harness.server.url.replace('http', 'ws')}/listen/${token}/ws`, () => false)).toMatchObject({ statuses: ['expired'], closeCode: 4410 });
    const page = await fetch(`${harness.server.url}/listen/${token}`);
    expect(page.status).toBe(410);
    expect(await page.text()).toMatch(/already been used/);
  });

  it('forgets spent nonces whose links expired on a timer, without waiting for a new stream', async () => {
    const clock = new FakeClock();
    const kv = memoryKv();
    const soon = clock.now() + 5_000;
    const later = clock.now() + 60_000;
    await kv.set(SPENT_NONCES_KEY, JSON.stringify({ 'old-nonce-1': clock.now() - 1000, 'soon-nonce-1': soon, 'live-nonce-1': later }));
    harness = await startHarness({ singleUse: true, kv, pruneEveryMs: 10_000, clock });
    await clock.advance(9_999);
    expect(JSON.parse(kv.data.get(SPENT_NONCES_KEY) ?? '{}')).toHaveProperty('old-nonce-1');
    await clock.advance(1);
    expect(kv.data.get(SPENT_NONCES_KEY)).toBe(JSON.stringify({ 'live-nonce-1': later }));
  });
});
