import { EventEmitter } from 'node:events';
import { connect, createServer, type Server } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import type { Logger } from '../../src/log.ts';
import { createAudioHub, type AudioHub, type HubCloseReason, type HubListener, type HubState, type SensorAudioSource } from '../../src/listen/hub.ts';
import { SensorClient } from '../../src/sensor/client.ts';
import { FakeClock } from '../core/status-fakes.ts';
import { SensorNeedsAesError, SensorProtocolError, SensorUnreachableError } from '../../src/sensor/errors.ts';
import type { SimCall } from '../../src/sim/calls.ts';
import { startEmbeddedSensor, type EmbeddedSensor } from '../../src/sim/sensor/server.ts';

const changed = new EventEmitter();
changed.setMaxListeners(0);

/** Resolves once `condition` holds, re-checking whenever a fake listener sees something. */
function until(condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (condition()) return resolve();
    const timer = setTimeout(() => { changed.off('event', check); reject(new Error(`timed out waiting for ${what}`)); }, timeoutMs);
    function check(): void {
      if (!condition()) return;
      clearTimeout(timer);
      changed.off('event', check);
      resolve();
    }
    changed.on('event', check);
  });
}

class FakeListener implements HubListener {
  chunks: Buffer[] = [];
  states: HubState[] = [];
  messages: (string | undefined)[] = [];
  closed: HubCloseReason | undefined;
  queued = 0;
  audio(pcm: Buffer): void { this.chunks.push(pcm); changed.emit('event'); }
  status(state: HubState, message: string | undefined): void { this.states.push(state); this.messages.push(message); changed.emit('event'); }
  backlog(): number { return this.queued; }
  close(reason: HubCloseReason): void { this.closed = reason; changed.emit('event'); }
}

/** A fake sensor whose every call can be swapped per test; counts what the hub asked. */
function fakeSensor(over: Partial<SensorAudioSource> = {}): SensorAudioSource & { asked: Record<string, number> } {
  const asked: Record<string, number> = {};
  const count = (name: string): void => { asked[name] = (asked[name] ?? 0) + 1; changed.emit('event'); };
  const base: SensorAudioSource = {
    id: 'fake',
    listCalls: async () => [{ callref: '0x1', callId: 'c@x' } as never],
    listen: async () => undefined,
    readAudio: async () => ({ kind: 'audio', pcm: Buffer.alloc(800) }),
    listenStop: async () => undefined,
    ...over,
  };
  return {
    id: base.id,
    asked,
    listCalls: () => { count('listcalls'); return base.listCalls(); },
    listen: (r, l) => { count('listen'); return base.listen(r, l); },
    readAudio: (r, l) => { count('readaudio'); return base.readAudio(r, l); },
    listenStop: (r, l) => { count('listen_stop'); return base.listenStop(r, l); },
  };
}

const fakeTarget = { sensor: 'fake', callref: '0x1', callId: 'c@x' };

function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: pino({ level: 'debug' }, { write: (line: string) => { lines.push(line); } }) };
}

/**
 * A TCP proxy in front of a sensor that holds every `listcalls` reply for `delayMs` and counts how
 * many `listcalls` connections are open at once.
 */
async function slowListCallsProxy(targetPort: number, delayMs: number): Promise<{ port: number; stats: { open: number; maxOpen: number; answered: number }; close: () => Promise<void> }> {
  const stats = { open: 0, maxOpen: 0, answered: 0 };
  const server: Server = createServer((client) => {
    client.on('error', () => undefined);
    client.once('data', (request: Buffer) => {
      const isList = request.toString('latin1').startsWith('listcalls');
      if (isList) {
        stats.open++;
        stats.maxOpen = Math.max(stats.maxOpen, stats.open);
        client.once('close', () => { stats.open--; });
      }
      const upstream = connect({ host: '127.0.0.1', port: targetPort });
      const chunks: Buffer[] = [];
      upstream.on('error', () => client.destroy());
      upstream.on('data', (c: Buffer) => chunks.push(c));
      upstream.on('end', () => {
        setTimeout(() => {
          if (isList) stats.answered++;
          client.end(Buffer.concat(chunks));
          changed.emit('event');
        }, isList ? delayMs : 0);
      });
      upstream.write(request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, stats, close: () => new Promise<void>((resolve) => { server.close(() => resolve()); }) };
}

const alice: SimCall = { callId: 'alice@sim', caller: '1001', callerName: 'Alice', called: '200', startedAt: Date.now() - 3000, codec: 'PCMU' };

let sensor: EmbeddedSensor | undefined;
let hub: AudioHub | undefined;
afterEach(async () => {
  await hub?.close();
  await sensor?.stop();
  hub = undefined;
  sensor = undefined;
});

async function setup(calls: SimCall[], pollMs = 50) {
  const source = { list: calls };
  sensor = await startEmbeddedSensor({ calls: { calls: () => source.list }, onReply: () => changed.emit('event') });
  const config = parseConfig({ sensors: [{ id: 'sim', host: '127.0.0.1', port: sensor.port }] }).sensors[0];
  if (!config) throw new Error('no sensor config');
  const client = new SensorClient(config);
  hub = createAudioHub({ sensors: [client], pollMs, callCheckMs: 100 });
  const [listed] = await client.listCalls();
  return { source, client, sensor, hub, target: { sensor: 'sim', callref: listed?.callref ?? '', callId: listed?.callId ?? '' } };
}

describe('audio hub', () => {
  it('serves 50 listeners from one sensor session', async () => {
    const { hub, sensor, target } = await setup([alice]);
    const listeners = Array.from({ length: 50 }, () => new FakeListener());
    const unsubscribe = listeners.map((l) => hub.subscribe(target, l));
    await until(() => listeners.every((l) => l.chunks.length >= 5), 'five chunks for every listener');
    const stats = sensor.stats();
    expect(hub.sessionCount()).toBe(1);
    expect(stats.commands['listen']).toBe(1);
    expect(stats.clients).toBe(1);
    // Each read feeds all 50 listeners at once: far fewer reads than listeners × chunks.
    expect(stats.commands['readaudio']).toBeLessThan(50);
    const first = listeners[0]?.chunks.map((c) => c.toString('base64')).join();
    expect(listeners[49]?.chunks.slice(0, 5).map((c) => c.toString('base64')).join()).toBe(first?.split(',').slice(0, 5).join());
    expect(listeners.every((l) => l.states.includes('playing'))).toBe(true);
    unsubscribe.forEach((u) => u());
    await until(() => sensor.stats().commands['listen_stop'] === 1, 'listen_stop after the last listener left');
    expect(hub.sessionCount()).toBe(0);
    expect(sensor.stats().workers).toBe(0);
  });

  it('drops a slow listener without stalling the others', async () => {
    const { hub, target } = await setup([alice]);
    const slow = new FakeListener();
    slow.queued = 10 * 1024 * 1024;
    const fast = new FakeListener();
    hub.subscribe(target, slow);
    hub.subscribe(target, fast);
    await until(() => slow.closed !== undefined && fast.chunks.length >= 3, 'slow dropped, fast still fed');
    expect(slow.closed).toBe('slow');
    expect(slow.chunks).toHaveLength(0);
    expect(fast.closed).toBeUndefined();
  });

  it('stops the sensor session and tells every listener when the call ends', async () => {
    const { hub, sensor, source, target } = await setup([alice]);
    const listeners = [new FakeListener(), new FakeListener(), new FakeListener()];
    listeners.forEach((l) => hub.subscribe(target, l));
    await until(() => listeners.every((l) => l.chunks.length > 0), 'audio flowing');
    source.list = [];
    await until(() => listeners.every((l) => l.closed === 'ended'), 'call ended for everyone');
    expect(listeners.every((l) => l.states.at(-1) === 'ended')).toBe(true);
    await until(() => sensor.stats().commands['listen_stop'] === 1, 'listen_stop');
    expect(hub.sessionCount()).toBe(0);
  });

  it('closes listeners as `shutdown` on close, without telling them the call ended, and stops listening', async () => {
    const { hub, sensor, target } = await setup([alice]);
    const listeners = [new FakeListener(), new FakeListener()];
    listeners.forEach((l) => hub.subscribe(target, l));
    await until(() => listeners.every((l) => l.chunks.length > 0), 'audio flowing');
    await hub.close();
    expect(listeners.map((l) => l.closed)).toEqual(['shutdown', 'shutdown']);
    expect(listeners.some((l) => l.states.includes('ended'))).toBe(false);
    expect(sensor.stats().commands['listen_stop']).toBe(1);
    expect(hub.sessionCount()).toBe(0);
  });

  it('refuses a reused call reference whose Call-ID no longer matches', async () => {
    const { hub, sensor, target } = await setup([alice]);
    const listener = new FakeListener();
    hub.subscribe({ ...target, callId: 'someone-else@sim' }, listener);
    await until(() => listener.closed !== undefined, 'listener closed');
    expect(listener.closed).toBe('ended');
    expect(sensor.stats().commands['listen']).toBeUndefined();
  });

  it('shows sensor errors to listeners as a status, then recovers', async () => {
    let failing = true;
    let reads = 0;
    const fake: SensorAudioSource = {
      id: 'fake',
      listCalls: async () => [{ callref: '0x1', callId: 'c@x' } as never],
      listen: async () => undefined,
      readAudio: async () => {
        reads++;
        if (failing) throw new SensorUnreachableError('fake', 'ECONNREFUSED');
        return { kind: 'audio', pcm: Buffer.alloc(800) };
      },
      listenStop: async () => undefined,
    };
    hub = createAudioHub({ sensors: [fake], pollMs: 20, retryMs: 20, callCheckMs: 1000 });
    const listener = new FakeListener();
    hub.subscribe({ sensor: 'fake', callref: '0x1', callId: 'c@x' }, listener);
    await until(() => listener.states.includes('sensor_unreachable'), 'unreachable status');
    failing = false;
    await until(() => listener.states.at(-1) === 'playing' && listener.chunks.length > 0, 'recovered');
    expect(reads).toBeGreaterThan(1);
  });

  it('shares one listcalls poller per sensor and never overlaps checks on a slow sensor', async () => {
    const bob: SimCall = { ...alice, callId: 'bob@sim', caller: '1002' };
    const carol: SimCall = { ...alice, callId: 'carol@sim', caller: '1003' };
    sensor = await startEmbeddedSensor({ calls: { calls: () => [alice, bob, carol] } });
    const proxy = await slowListCallsProxy(sensor.port, 150);
    try {
      const config = parseConfig({ sensors: [{ id: 'sim', host: '127.0.0.1', port: proxy.port }] }).sensors[0];
      if (!config) throw new Error('no sensor config');
      const client = new SensorClient(config);
      const calls = await client.listCalls();
      const answeredBefore = proxy.stats.answered;
      // Checks every 20 ms against a sensor that takes 150 ms: without the in-flight guard, seven
      // requests per session would be open at once.
      hub = createAudioHub({ sensors: [client], pollMs: 50, callCheckMs: 20 });
      const listeners = calls.map((c) => {
        const l = new FakeListener();
        hub?.subscribe({ sensor: 'sim', callref: c.callref, callId: c.callId }, l);
        return l;
      });
      await until(() => proxy.stats.answered >= answeredBefore + 5 && listeners.every((l) => l.chunks.length > 0), 'five call checks and audio for all three calls');
      expect(hub.sessionCount()).toBe(3);
      expect(proxy.stats.maxOpen).toBe(1);
      await hub.close();
    } finally {
      await proxy.close();
    }
  });

  it('backs off exponentially up to the cap while the sensor stays unreachable, and logs it once', async () => {
    const clock = new FakeClock();
    const { logger, lines } = capturingLogger();
    const fake = fakeSensor({ readAudio: async () => { throw new SensorUnreachableError('fake', 'ECONNREFUSED'); } });
    hub = createAudioHub({ sensors: [fake], pollMs: 20, retryMs: 100, maxRetryMs: 400, random: () => 1, callCheckMs: 60_000, logger, clock });
    hub.subscribe(fakeTarget, new FakeListener());
    await clock.advance(0);
    const reads = (): number => fake.asked['readaudio'] ?? 0;
    expect(reads()).toBe(1);
    for (const gap of [100, 200, 400, 400, 400]) {
      await clock.advance(gap - 1);
      const before = reads();
      await clock.advance(1);
      expect(reads(), `retry after ${gap} ms`).toBe(before + 1);
    }
    expect(lines.filter((l) => l.includes('sensor failing while listening'))).toHaveLength(1);
    await hub.close();
  });

  it('ends the session for good when live audio is disabled, telling every listener', async () => {
    const fake = fakeSensor({ listen: async () => { throw new SensorProtocolError('fake', 'Live listening is disabled on sensor fake.', 'liveaudio is disabled', { permanent: true }); } });
    hub = createAudioHub({ sensors: [fake], pollMs: 20, retryMs: 5, callCheckMs: 1000 });
    const listeners = [new FakeListener(), new FakeListener()];
    listeners.forEach((l) => hub?.subscribe(fakeTarget, l));
    await until(() => listeners.every((l) => l.closed !== undefined), 'both listeners closed');
    for (const l of listeners) {
      expect(l.closed).toBe('failed');
      expect(l.states.at(-1)).toBe('sensor_error');
      expect(l.messages.at(-1)).toBe('Live listening is disabled on sensor fake.');
    }
    expect(fake.asked['listen']).toBe(1);
    expect(hub.sessionCount()).toBe(0);
  });

  it('shows listeners a generic message for a wrong AES key, keeps the config hint in the log, and stops listening', async () => {
    const { logger, lines } = capturingLogger();
    const fake = fakeSensor({ readAudio: async () => { throw new SensorNeedsAesError('fake', 0, 'sent a reply that our AES key and IV cannot decrypt'); } });
    hub = createAudioHub({ sensors: [fake], pollMs: 20, retryMs: 5, callCheckMs: 1000, logger });
    const listener = new FakeListener();
    hub.subscribe(fakeTarget, listener);
    await until(() => listener.closed !== undefined && fake.asked['listen_stop'] === 1, 'closed and listen_stop sent');
    expect(listener.closed).toBe('failed');
    expect(listener.messages.at(-1)).toBe('The sensor is misconfigured; tell the bot\'s admin.');
    expect(listener.messages.join(' ')).not.toMatch(/aesKey|SENSOR_AES|sensors\[/);
    expect(fake.asked['readaudio']).toBe(1);
    expect(lines.join('')).toContain('sensors[0].aesKey');
  });

  it('ends the session when listcalls itself is refused for AES', async () => {
    const fake = fakeSensor({ listCalls: async () => { throw new SensorNeedsAesError('fake', 0, 'demands encryption (it answered "need aes!")'); } });
    hub = createAudioHub({ sensors: [fake], pollMs: 20, retryMs: 5, callCheckMs: 1000 });
    const listener = new FakeListener();
    hub.subscribe(fakeTarget, listener);
    await until(() => listener.closed !== undefined, 'listener closed');
    expect(listener.closed).toBe('failed');
    expect(fake.asked['listcalls']).toBe(1);
    expect(fake.asked['listen']).toBeUndefined();
  });

  it('says "waiting" while the sensor has no audio yet', async () => {
    const fake: SensorAudioSource = {
      id: 'fake',
      listCalls: async () => [{ callref: '0x1', callId: 'c@x' } as never],
      listen: async () => undefined,
      readAudio: async () => ({ kind: 'wait' }),
      listenStop: async () => undefined,
    };
    hub = createAudioHub({ sensors: [fake], pollMs: 20, waitingAfterMs: 60, callCheckMs: 1000 });
    const listener = new FakeListener();
    hub.subscribe({ sensor: 'fake', callref: '0x1', callId: 'c@x' }, listener);
    await until(() => listener.states.includes('waiting'), 'waiting status');
    expect(listener.states[0]).toBe('connecting');
    expect(listener.chunks).toHaveLength(0);
  });

  it('tells a listener of an unknown sensor, without crashing the hub', () => {
    hub = createAudioHub({ sensors: [], pollMs: 50 });
    const listener = new FakeListener();
    hub.subscribe({ sensor: 'gone', callref: '0x1', callId: 'c@x' }, listener);
    expect(listener.states).toEqual(['sensor_error']);
    expect(listener.closed).toBe('ended');
    expect(hub.sessionCount()).toBe(0);
  });
});
