import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { createAudioHub, type AudioHub, type HubListener, type HubState, type SensorAudioSource } from '../../src/listen/hub.ts';
import { SensorClient } from '../../src/sensor/client.ts';
import { SensorUnreachableError } from '../../src/sensor/errors.ts';
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
  closed: 'slow' | 'ended' | undefined;
  queued = 0;
  audio(pcm: Buffer): void { this.chunks.push(pcm); changed.emit('event'); }
  status(state: HubState): void { this.states.push(state); changed.emit('event'); }
  backlog(): number { return this.queued; }
  close(reason: 'slow' | 'ended'): void { this.closed = reason; changed.emit('event'); }
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
