import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, type SensorConfig } from '../../src/config.ts';
import { DEFAULT_MAX_REPLY_BYTES, SensorClient } from '../../src/sensor/client.ts';
import { SensorNeedsAesError } from '../../src/sensor/errors.ts';
import { startEmbeddedSensor, type EmbeddedSensor } from '../../src/sim/sensor/server.ts';
import type { SimCall } from '../../src/sim/calls.ts';
import { FakeClock } from '../core/status-fakes.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/voipmonitor/${name}`, import.meta.url));
const KEY = 'NWL/IFnW/LHDYgF7B2OCJA==';
const IV = 'sUhIsGHBY56seAYC+s733A==';

const call: SimCall = { callId: 'abc123@pbx.sim', caller: '1001', callerName: 'Alice', called: '200', startedAt: Date.now() - 5000, codec: 'PCMU' };

function sensorConfig(extra: Record<string, unknown>): SensorConfig {
  const config = parseConfig({ sensors: [{ id: 'sim', host: '127.0.0.1', timeoutMs: 2000, ...extra }] });
  const sensor = config.sensors[0];
  if (!sensor) throw new Error('test config has no sensor');
  return sensor;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function embedded(aes?: { key: string; iv: string }, now?: () => number): Promise<EmbeddedSensor> {
  const sensor = await startEmbeddedSensor({ calls: { calls: () => [call] }, ...(aes ? { aes } : {}), ...(now ? { now } : {}) });
  cleanup.push(() => sensor.stop());
  return sensor;
}

/** A one-shot fake sensor that answers every connection with fixed bytes and records what it got. */
async function replaying(reply: Buffer): Promise<{ port: number; requests: Buffer[] }> {
  const requests: Buffer[] = [];
  const server: Server = createServer((socket) => {
    socket.once('data', (data: Buffer) => {
      requests.push(data);
      socket.end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, requests };
}

describe('SensorClient against the embedded sensor', () => {
  it('lists calls and streams audio without AES', async () => {
    // The embedded sensor paces audio by its clock: moving it on stands in for the call talking.
    let sensorNow = Date.now();
    const sensor = await embedded(undefined, () => sensorNow);
    const client = new SensorClient(sensorConfig({ port: sensor.port }));
    expect(await client.getVersion()).toBe('2026.04.0');
    const [listed] = await client.listCalls();
    expect(listed).toMatchObject({ callId: call.callId, caller: '1001', called: '200', callerCodec: 'PCMU' });
    const ref = listed?.callref ?? '';
    await client.listen(ref, 'mb-test-1');
    expect(await client.readAudio(ref, 'mb-test-1')).toEqual({ kind: 'wait' });
    sensorNow += 120;
    const audio = await client.readAudio(ref, 'mb-test-1');
    expect(audio.kind).toBe('audio');
    if (audio.kind === 'audio') expect(audio.pcm.length % 800).toBe(0);
    await client.listenStop(ref, 'mb-test-1');
    expect(await client.readAudio(ref, 'mb-test-1')).toEqual({ kind: 'worker_not_found' });
  });

  it('speaks AES with the configured key and IV', async () => {
    const sensor = await embedded({ key: KEY, iv: IV });
    const client = new SensorClient(sensorConfig({ port: sensor.port, aesKey: KEY, aesIv: IV }));
    const [listed] = await client.listCalls();
    expect(listed?.callId).toBe(call.callId);
    await client.listen(listed?.callref ?? '', 'mb-aes');
    await client.listenStop(listed?.callref ?? '', 'mb-aes');
  });

  it('tells users only that the sensor is misconfigured when it demands AES we do not have; the config keys go to the admin hint and the log', async () => {
    const sensor = await embedded({ key: KEY, iv: IV });
    const client = new SensorClient(sensorConfig({ port: sensor.port }), { index: 0 });
    expect(await client.getVersion()).toBe('2026.04.0');
    const err = await client.listCalls().catch((e: unknown) => e);
    if (!(err instanceof SensorNeedsAesError)) throw new Error(`expected SensorNeedsAesError, got ${String(err)}`);
    expect(err.userMessage).toBe('Sensor sim is misconfigured; tell the bot\'s admin.');
    for (const part of ['sim', 'sensors[0].aesKey', '.aesIv', 'SENSOR_AES_KEY', 'SENSOR_AES_IV', 'need aes!']) {
      expect(err.adminHint).toContain(part);
      expect(err.message).toContain(part);
    }
  });

  it('keeps unusable AES key material out of the user message, naming it in the admin hint', () => {
    const short = Buffer.alloc(8, 1).toString('base64');
    const err = ((): unknown => {
      try {
        // The config schema refuses such a key; the client still guards configs built without it.
        return new SensorClient({ ...sensorConfig({ port: 1 }), aesKey: short, aesIv: IV }, { index: 2 });
      } catch (e) {
        return e;
      }
    })();
    if (!(err instanceof SensorNeedsAesError)) throw new Error(`expected SensorNeedsAesError, got ${String(err)}`);
    expect(err.userMessage).toBe('Sensor sim is misconfigured; tell the bot\'s admin.');
    expect(err.adminHint).toContain('aesKey decodes to 8 bytes');
    expect(err.adminHint).toContain('sensors[2].aesKey');
    expect(err.message).toContain('aesKey decodes to 8 bytes');
  });

  it('reports a wrong AES key as a configuration error, not garbage', async () => {
    const sensor = await embedded({ key: KEY, iv: IV });
    const wrongKey = Buffer.alloc(16, 9).toString('base64');
    const client = new SensorClient(sensorConfig({ port: sensor.port, aesKey: wrongKey, aesIv: IV }));
    await expect(client.listCalls()).rejects.toMatchObject({ code: 'sensor_needs_aes' });
  });

  it('reports a refused connection as sensor_unreachable', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const freePort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expect(new SensorClient(sensorConfig({ port: freePort })).listCalls()).rejects.toMatchObject({ code: 'sensor_unreachable' });
  });

  it('reports a sensor that never answers as sensor_timeout once its clock passes the timeout', async () => {
    const silent = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => { silent.close(() => resolve()); }));
    const port = (silent.address() as { port: number }).port;
    const clock = new FakeClock();
    let outcome: unknown;
    const pending = new SensorClient(sensorConfig({ port, timeoutMs: 150 }), { clock }).listCalls().then(
      () => { outcome = 'answered'; },
      (err: unknown) => { outcome = err; },
    );
    await clock.advance(149);
    expect(outcome).toBeUndefined();
    await clock.advance(1);
    await pending;
    expect(outcome).toMatchObject({ code: 'sensor_timeout' });
  });

  it('gives up on a reply larger than the cap with a protocol error, without waiting for EOF', async () => {
    // A broken peer that never stops sending: before the cap the bot buffered it all until the timeout.
    const flood = createServer((socket) => {
      socket.on('error', () => undefined);
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const pump = (): void => { while (!socket.destroyed && socket.write(chunk)); };
      socket.on('drain', pump);
      socket.once('data', pump);
    });
    await new Promise<void>((resolve) => flood.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => { flood.close(() => resolve()); }));
    const port = (flood.address() as { port: number }).port;
    const client = new SensorClient(sensorConfig({ port, timeoutMs: 60_000 }), { maxReplyBytes: 256 * 1024 });
    const err = await client.listCalls().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'sensor_error', userMessage: 'Sensor sim sent a reply that is too large.' });
    expect((err as Error).message).toMatch(/listcalls: reply exceeds 262144 bytes/);
    expect(DEFAULT_MAX_REPLY_BYTES).toBe(8 * 1024 * 1024);
  });

  it('accepts a reply of exactly the cap', async () => {
    const bytes = fixture('05_readaudio_audio_800B.reply');
    const fake = await replaying(bytes);
    const result = await new SensorClient(sensorConfig({ port: fake.port }), { maxReplyBytes: bytes.length }).readAudio('0x7fdcfc00b2e0', 'a');
    expect(result.kind).toBe('audio');
  });

  it('rejects a listen id longer than 19 characters before it reaches the sensor', async () => {
    const client = new SensorClient(sensorConfig({ port: 1 }));
    await expect(client.listen('0x7f00', '01234567890123456789')).rejects.toMatchObject({ code: 'bad_sensor_argument' });
    await expect(client.listen('0x7f00 ; x', 'ok')).rejects.toMatchObject({ code: 'bad_sensor_argument' });
  });
});

describe('SensorClient against real sensor replies', () => {
  it('decodes the real encrypted listcalls reply', async () => {
    const fake = await replaying(fixture('listcalls.aes.rawreply'));
    const client = new SensorClient(sensorConfig({ port: fake.port, aesKey: KEY, aesIv: IV }));
    expect(await client.listCalls()).toEqual([]);
    expect(fake.requests[0]?.subarray(0, 12).toString()).toBe('aes-128-cbc:');
    expect(fake.requests[0]?.subarray(-4).toString()).toBe(':sea');
  });

  it('sends plain commands ended by CRLF CRLF', async () => {
    const fake = await replaying(fixture('getversion.reply'));
    expect(await new SensorClient(sensorConfig({ port: fake.port })).getVersion()).toBe('2026.04.0');
    expect(fake.requests[0]?.toString()).toBe('getversion\r\n\r\n');
  });

  it('turns each documented reply into a result or a typed error', async () => {
    const cases: [string, (c: SensorClient) => Promise<unknown>, unknown][] = [
      ['03_listen.reply', (c) => c.listen('0x7fdcfc00b2e0', 'a'), undefined],
      ['listen.badref.reply', (c) => c.listen('0x1', 'a'), { code: 'call_not_found' }],
      ['04_readaudio_immediately.reply', (c) => c.readAudio('0x1', 'a'), { kind: 'wait' }],
      ['readaudio.badref.reply', (c) => c.readAudio('0x1', 'a'), { kind: 'call_not_found' }],
      ['08_readaudio_after_stop.reply', (c) => c.readAudio('0x1', 'a'), { kind: 'worker_not_found' }],
      ['listen_stop.badref.reply', (c) => c.listenStop('0x1', 'a'), undefined],
      ['listcalls.plain_with_aes_key.reply', (c) => c.listCalls(), { code: 'sensor_needs_aes' }],
      ['unknown.reply', (c) => c.listCalls(), { code: 'sensor_error' }],
    ];
    for (const [name, run, expected] of cases) {
      const fake = await replaying(fixture(name));
      const client = new SensorClient(sensorConfig({ port: fake.port }));
      const outcome = await run(client).catch((e: unknown) => e);
      if (expected === undefined) expect(outcome, name).toBeUndefined();
      else expect(outcome, name).toMatchObject(expected as object);
    }
  });

  it('returns the real 800-byte audio chunk untouched', async () => {
    const bytes = fixture('05_readaudio_audio_800B.reply');
    const fake = await replaying(bytes);
    const result = await new SensorClient(sensorConfig({ port: fake.port })).readAudio('0x7fdcfc00b2e0', 'a');
    expect(result.kind === 'audio' && result.pcm.equals(bytes)).toBe(true);
  });
});
