import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { createAudioHub, type HubCloseReason, type HubListener, type HubState } from '../../src/listen/hub.ts';
import { BotMetrics } from '../../src/ops/metrics.ts';
import { observeHub } from '../../src/ops/listen-metrics.ts';
import { SensorContacts } from '../../src/ops/sensors.ts';
import { SensorClient } from '../../src/sensor/client.ts';
import { startEmbeddedSensor, type EmbeddedSensor } from '../../src/sim/sensor/server.ts';
import { simCall } from '../listen/harness.ts';
import { startOps, typeOf, valueOf, type Ops } from './scrape.ts';

const teardown: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of teardown.splice(0).reverse()) await fn();
});

class Player implements HubListener {
  states: HubState[] = [];
  closed: HubCloseReason | undefined;
  audio(): void {}
  status(state: HubState): void { this.states.push(state); }
  backlog(): number { return 0; }
  close(reason: HubCloseReason): void { this.closed = reason; }
}

interface Setup {
  readonly sensor: EmbeddedSensor;
  readonly client: SensorClient;
  readonly contacts: SensorContacts;
  readonly metrics: BotMetrics;
}

async function setup(): Promise<Setup> {
  const sensor = await startEmbeddedSensor({ calls: { calls: () => [simCall('alice-call@sim', '1001', '200')] } });
  let stopped = false;
  teardown.push(async () => { if (!stopped) await sensor.stop(); });
  const metrics = new BotMetrics({ processMetrics: false });
  const contacts = new SensorContacts(metrics);
  const config = parseConfig({ sensors: [{ id: 'sim', host: '127.0.0.1', port: sensor.port }] }).sensors[0];
  if (!config) throw new Error('no sensor config');
  const client = new SensorClient(config, { onExchange: contacts.record });
  return {
    sensor: { ...sensor, stop: async () => { stopped = true; await sensor.stop(); } }, client, contacts, metrics,
  };
}

async function ops(metrics: BotMetrics, checks: Parameters<typeof startOps>[1] = () => []): Promise<Ops> {
  const started = await startOps(metrics, checks);
  teardown.push(() => started.server.close());
  return started;
}

describe('listening metrics', () => {
  it('count players and sensor sessions while someone listens, and the sensor polls by command and outcome', async () => {
    const { client, metrics } = await setup();
    const hub = observeHub(metrics, createAudioHub({ sensors: [client], pollMs: 20, callCheckMs: 20 }));
    teardown.push(() => hub.close());
    const s = await ops(metrics);
    const [call] = await client.listCalls();
    if (call === undefined) throw new Error('no call on the embedded sensor');
    const target = { sensor: 'sim', callref: call.callref, callId: call.callId };

    const first = new Player();
    const leaveFirst = hub.subscribe(target, first);
    const leaveSecond = hub.subscribe(target, new Player());
    await expect.poll(() => first.states.includes('playing') || first.states.includes('waiting'), { timeout: 5000 }).toBe(true);
    await expect.poll(async () => valueOf(await s.metricsText(), 'meetme_sensor_requests_total', { sensor: 'sim', command: 'readaudio', outcome: 'ok' }) ?? 0, { timeout: 5000 })
      .toBeGreaterThan(0);
    await expect.poll(async () => valueOf(await s.metricsText(), 'meetme_sensor_requests_total', { sensor: 'sim', command: 'listcalls', outcome: 'ok' }) ?? 0, { timeout: 5000 })
      .toBeGreaterThan(1);
    const during = await s.metricsText();
    expect(typeOf(during, 'meetme_listen_listeners')).toBe('gauge');
    expect(valueOf(during, 'meetme_listen_listeners')).toBe(2);
    expect(valueOf(during, 'meetme_listen_sensor_sessions')).toBe(1);
    expect(typeOf(during, 'meetme_sensor_requests_total')).toBe('counter');
    expect(typeOf(during, 'meetme_sensor_request_duration_seconds')).toBe('histogram');
    expect(valueOf(during, 'meetme_sensor_request_duration_seconds_count', { sensor: 'sim', command: 'listen' })).toBe(1);

    leaveFirst();
    leaveFirst();
    expect(valueOf(await s.metricsText(), 'meetme_listen_listeners')).toBe(1);
    leaveSecond();
    const after = await s.metricsText();
    expect(valueOf(after, 'meetme_listen_listeners')).toBe(0);
    expect(valueOf(after, 'meetme_listen_sensor_sessions')).toBe(0);
  });

  it('drop a player the hub lets go of, even before it unsubscribes', async () => {
    const { client, metrics } = await setup();
    const hub = observeHub(metrics, createAudioHub({ sensors: [client], pollMs: 20 }));
    teardown.push(() => hub.close());
    const s = await ops(metrics);
    const player = new Player();
    const leave = hub.subscribe({ sensor: 'gone', callref: '0x1', callId: 'c@x' }, player);
    expect(player.closed).toBe('ended');
    expect(valueOf(await s.metricsText(), 'meetme_listen_listeners')).toBe(0);
    leave();
    expect(valueOf(await s.metricsText(), 'meetme_listen_listeners')).toBe(0);
  });

  it('count failed polls by outcome', async () => {
    const { sensor, client, metrics } = await setup();
    await sensor.stop();
    await expect(client.listCalls()).rejects.toMatchObject({ code: 'sensor_unreachable' });
    const text = await (await ops(metrics)).metricsText();
    expect(valueOf(text, 'meetme_sensor_requests_total', { sensor: 'sim', command: 'listcalls', outcome: 'unreachable' })).toBe(1);
  });
});

describe('sensor readiness', () => {
  it('is ready before the first contact and after a good one, and not required unless the config says so', async () => {
    const { client, contacts, metrics } = await setup();
    const s = await ops(metrics, () => contacts.checks([client], false));
    expect((await s.readyz()).body.checks).toEqual([{ name: 'sim', kind: 'sensor', required: false, ok: true, detail: 'not contacted yet' }]);
    await client.listCalls();
    expect(await s.readyz()).toEqual({ status: 200, body: { ready: true, checks: [{ name: 'sim', kind: 'sensor', required: false, ok: true }] } });
    await s.readyz();
    // A healthy sensor is not asked anything for /readyz.
    expect(valueOf(await s.metricsText(), 'meetme_sensor_requests_total', { sensor: 'sim', command: 'getversion', outcome: 'ok' })).toBeUndefined();
  });

  it('shows a sensor whose last contact failed as down, asks it again, and answers 503 only when sensors are required', async () => {
    const { sensor, client, contacts, metrics } = await setup();
    await client.listCalls();
    await sensor.stop();
    await expect(client.listCalls()).rejects.toThrow();
    let required = false;
    const s = await ops(metrics, () => contacts.checks([client], required));

    const optional = await s.readyz();
    expect(optional.status).toBe(200);
    expect(optional.body.checks[0]).toMatchObject({ name: 'sim', kind: 'sensor', required: false, ok: false, detail: expect.stringMatching(/^unreachable: sensor sim/) });
    expect(valueOf(await s.metricsText(), 'meetme_sensor_requests_total', { sensor: 'sim', command: 'getversion', outcome: 'unreachable' })).toBe(1);

    required = true;
    const down = await s.readyz();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ ready: false, checks: [{ name: 'sim', required: true, ok: false }] });
  });
});
