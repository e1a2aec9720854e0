import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { ConferenceRegistry } from '../../src/conference/directory.ts';
import type { Actor, Conversation } from '../../src/core/adapter.ts';
import { StatusService } from '../../src/core/status.ts';
import type { StatusView } from '../../src/core/views.ts';
import { silentLogger } from '../../src/log.ts';
import { sensorCallWatches, startLineQuality, type LineQuality } from '../../src/quality/start.ts';
import { SensorClient } from '../../src/sensor/client.ts';
import { goodLine, type SimLine } from '../../src/sim/sensor/line-sim.ts';
import { startEmbeddedSensor, type EmbeddedSensor } from '../../src/sim/sensor/server.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { FakeAdapter } from '../../bench/status-fakes.ts';
import { startHarness, until, type Harness } from '../conference/sim-harness.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

/**
 * Line quality through the real pieces: the embedded PBX over AMI, the embedded sensor over its
 * manager protocol, the shared poller, the status service and its edit scheduler. The sensor's
 * lines are set by the test; the poller's and the status service's time is a fake clock.
 */

const conv: Conversation = { platform: 'slack', id: 'C1', workspace: 'T1' };
const alice: Actor = { platform: 'slack', userId: 'U1', displayName: 'alice', groups: [] };
const POOR: SimLine = { mosSrc: 27, mosDst: 33, loss10: 12, lossTotal: 3, jitter: 45 };

interface Rig {
  readonly clock: FakeClock;
  readonly pbx: Harness;
  readonly sensor: EmbeddedSensor;
  readonly adapter: FakeAdapter;
  readonly status: StatusService;
  readonly quality: LineQuality;
  readonly lines: Map<string, SimLine>;
}

let rig: Rig | undefined;
afterEach(async () => {
  if (rig === undefined) return;
  rig.quality.stop();
  await rig.status.stop();
  await rig.sensor.stop();
  await rig.pbx.close();
  rig = undefined;
});

async function setup(): Promise<Rig> {
  const clock = new FakeClock();
  const pbx = await startHarness('confbridge');
  const lines = new Map<string, SimLine>();
  const sensor = await startEmbeddedSensor({
    calls: pbx.sim, lines: (calls) => new Map(calls.map((c) => [c.callId, lines.get(c.callId) ?? goodLine()])),
  });
  const config = parseConfig({ sensors: [{ id: 'sim', host: '127.0.0.1', port: sensor.port }] }).sensors[0];
  if (config === undefined) throw new Error('no sensor config');
  const client = new SensorClient(config);
  const directory = new ConferenceRegistry([pbx.conn]);
  const quality = startLineQuality({
    callWatches: sensorCallWatches([client], silentLogger(), clock), directory, pollIntervalSec: 5, logger: silentLogger(), clock,
  });
  const adapter = new FakeAdapter(clock);
  const status = new StatusService({ directory, adapters: new Map([['slack', adapter]]), store: new MemoryStore(), clock, render: quality.render, random: () => 0.5 });
  await status.start();
  quality.attach(status);
  rig = { clock, pbx, sensor, adapter, status, quality, lines };
  return rig;
}

const listcalls = (r: Rig): number => r.sensor.stats().commands['listcalls'] ?? 0;

/** One poll interval on the fake clock, and the real sensor round trip it starts. */
async function poll(r: Rig): Promise<void> {
  const before = r.quality.monitor.stats().listings;
  await r.clock.advance(5000);
  await expect.poll(() => r.quality.monitor.stats().listings, { timeout: 5000, interval: 5 }).toBeGreaterThan(before);
  await r.status.idle();
}

function shown(r: Rig): StatusView {
  const last = r.adapter.edits.at(-1)?.view ?? r.adapter.posts.at(-1)?.view;
  if (last?.kind !== 'status') throw new Error('no status message');
  return last;
}

const markOf = (r: Rig, name: string): string | undefined => shown(r).rows.find((row) => row.name === name)?.line?.mark;

describe('line quality end to end', () => {
  it('shows poor within two polls of a line degrading, clears it on recovery, and keeps to the edit budget', async () => {
    const r = await setup();
    const tim = r.pbx.sim.join('200', { num: '701', name: 'Tim' });
    r.pbx.sim.join('200', { num: '702', name: 'Ann' });
    r.pbx.sim.join('200', { num: '703', name: 'Iax', tech: 'IAX2' });
    await until(r.pbx.conn, (s) => s.rooms.get('200')?.participants.size === 3);
    await r.status.watch('sim', '200', conv, alice);
    await poll(r);
    await poll(r);
    expect(markOf(r, 'Tim')).toBe('good');
    expect(markOf(r, 'Ann')).toBe('good');
    // The IAX2 caller has no SIP Call-ID: no sensor can see it, so its row shows nothing.
    expect(shown(r).rows.find((row) => row.name === 'Iax')?.line).toBeUndefined();

    const editsBefore = r.adapter.edits.length;
    const startedAt = r.clock.now();
    r.lines.set(tim.callId ?? '', POOR);
    const timMark = (): string | undefined => [...r.quality.monitor.linesOf('sim', '200').values()].find((l) => l.label === 'Tim (701)')?.mark.mark;
    await poll(r);
    expect(timMark()).toBe('good');
    await poll(r);
    expect(timMark()).toBe('poor');
    await r.clock.advance(10_000);
    await r.status.idle();
    expect(shown(r).rows.find((row) => row.name === 'Tim')?.line).toEqual({ mark: 'poor', mos: 2.7, lossPct: 12 });
    expect(markOf(r, 'Ann')).toBe('good');

    r.lines.delete(tim.callId ?? '');
    await poll(r);
    await poll(r);
    await r.clock.advance(10_000);
    await r.status.idle();
    expect(markOf(r, 'Tim')).toBe('good');

    // Two mark changes in 40 s: at most one edit per 10 s, each at least the platform interval apart.
    const edits = r.adapter.edits.slice(editsBefore);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(edits.length).toBeLessThanOrEqual(Math.ceil((r.clock.now() - startedAt) / 10_000));
    for (let i = 1; i < edits.length; i++) expect((edits[i]?.at ?? 0) - (edits[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(10_000);
  });

  it('polls the sensor once per interval while the room is watched, and not at all once it is not', async () => {
    const r = await setup();
    r.pbx.sim.join('200', { num: '701', name: 'Tim' });
    await until(r.pbx.conn, (s) => s.rooms.get('200')?.participants.size === 1);
    await r.clock.advance(30_000);
    expect(listcalls(r)).toBe(0);
    await r.status.watch('sim', '200', conv, alice);
    await poll(r);
    const first = listcalls(r);
    for (let i = 0; i < 4; i++) await poll(r);
    expect(listcalls(r) - first).toBe(4);
    await r.status.unwatch('sim', '200', conv);
    await poll(r);
    const last = listcalls(r);
    await r.clock.advance(60_000);
    expect(listcalls(r)).toBe(last);
    expect(r.quality.monitor.polling()).toBe(false);
  });
});
