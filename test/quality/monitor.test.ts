import { afterEach, describe, expect, it } from 'vitest';
import { CallWatch } from '../../src/listen/call-watch.ts';
import { silentLogger } from '../../src/log.ts';
import { createQualityMonitor, type LineQualityMonitor, type LineQualityReport, type RoomRef } from '../../src/quality/monitor.ts';
import type { SensorCall } from '../../src/sensor/listcalls.ts';
import { FakeBackend, FakeDirectory, participant, room } from '../core/fakes.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

function call(callId: string, mos: number, loss10 = 0): SensorCall {
  return {
    callref: `0x${callId.length}`, callId, caller: '701', called: '200', callerName: undefined, startedAt: 0, durationSec: 10,
    connectDurationSec: 9, callerCodec: 'PCMU', calledCodec: 'PCMU', mos: mos / 10, sensorNumber: 1, lastSipResponse: 200,
    fields: { callid: callId, src_mosf1: mos, dst_mosf1: 45, src_loss_last10sec: loss10, dst_loss_last10sec: 0, callercodec: 0 },
  };
}

/** Every channel's SIP Call-ID is `<channel>@call`. */
function callIdBackend(): FakeBackend {
  return Object.assign(new FakeBackend('pbx1'), { getChannelVar: async (channel: string) => `${channel}@call` });
}

interface Rig {
  readonly clock: FakeClock;
  readonly monitor: LineQualityMonitor;
  readonly watch: CallWatch;
  readonly backend: FakeBackend;
  readonly reports: LineQualityReport[];
  readonly lists: { count: number };
  calls: SensorCall[];
  watched: RoomRef[];
}

let rig: Rig | undefined;
afterEach(() => rig?.monitor.stop());

function setup(rooms = 1, perRoom = 2): Rig {
  const clock = new FakeClock();
  const backend = callIdBackend();
  for (let r = 0; r < rooms; r++) {
    backend.add(room(String(200 + r), Array.from({ length: perRoom }, (_, i) => participant(String(200 + r), r * perRoom + i + 1))));
  }
  const lists = { count: 0 };
  const state: Rig = {
    clock, backend, reports: [], lists, calls: [], watched: [],
    watch: undefined as unknown as CallWatch, monitor: undefined as unknown as LineQualityMonitor,
  };
  const watch = new CallWatch({ id: 's1', listCalls: async () => { lists.count += 1; return state.calls; } }, 1000, clock, silentLogger());
  const monitor = createQualityMonitor({
    watches: new Map([['s1', watch]]), directory: new FakeDirectory(backend), watchedRooms: () => state.watched, intervalMs: 5000, clock,
  });
  Object.assign(state, { watch, monitor });
  monitor.subscribe((r) => state.reports.push(r));
  monitor.start();
  rig = state;
  return state;
}

describe('line quality poller', () => {
  it('does not poll while no room is watched', async () => {
    const r = setup();
    await r.clock.advance(30_000);
    expect(r.lists.count).toBe(0);
    expect(r.monitor.polling()).toBe(false);
  });

  it('polls once per interval while a room with SIP participants is watched, and marks each line by Call-ID', async () => {
    const r = setup();
    r.calls = [call('PJSIP/701-00000001@call', 44), call('PJSIP/702-00000002@call', 38)];
    r.watched = [{ pbx: 'pbx1', room: '200' }];
    // Noticed within a second, and measured at once rather than one interval later.
    await r.clock.advance(1000);
    expect(r.monitor.polling()).toBe(true);
    expect(r.lists.count).toBe(1);
    expect(r.reports.map((x) => [x.label, x.mark])).toEqual([['Caller1 (701)', 'good'], ['Caller2 (702)', 'fair']]);
    await r.clock.advance(20_000);
    expect(r.lists.count).toBe(5);
    expect([...r.monitor.linesOf('pbx1', '200').keys()]).toEqual(['1700000000.1', '1700000000.2']);
  });

  it('reports poor within two polls of a line degrading, and recovery within two more', async () => {
    const r = setup();
    r.calls = [call('PJSIP/701-00000001@call', 44)];
    r.watched = [{ pbx: 'pbx1', room: '200' }];
    await r.clock.advance(10_000);
    r.reports.length = 0;
    r.calls = [call('PJSIP/701-00000001@call', 28, 12)];
    await r.clock.advance(10_000);
    expect(r.reports.map((x) => x.mark)).toEqual(['poor']);
    r.calls = [call('PJSIP/701-00000001@call', 44)];
    await r.clock.advance(10_000);
    expect(r.reports.map((x) => x.mark)).toEqual(['poor', 'good']);
  });

  it('stops polling and clears the marks when the last watched room goes', async () => {
    const r = setup();
    r.calls = [call('PJSIP/701-00000001@call', 44)];
    r.watched = [{ pbx: 'pbx1', room: '200' }];
    await r.clock.advance(10_000);
    r.watched = [];
    await r.clock.advance(5000);
    expect(r.monitor.polling()).toBe(false);
    expect(r.reports.at(-1)).toMatchObject({ mark: undefined, previous: 'good' });
    const before = r.lists.count;
    await r.clock.advance(60_000);
    expect(r.lists.count).toBe(before);
  });

  it('polls every room while someone raised demand (an alert rule), and not after the release', async () => {
    const r = setup(3);
    r.calls = [call('PJSIP/705-00000005@call', 44)];
    const release = r.monitor.demand();
    await r.clock.advance(5000);
    expect(r.reports.map((x) => [x.room, x.mark])).toEqual([['202', 'good']]);
    release();
    await r.clock.advance(5000);
    expect(r.monitor.polling()).toBe(false);
  });

  it('keeps one listcalls per interval however many rooms are watched, and rides a faster listening beat', async () => {
    const r = setup(50, 4);
    r.watched = Array.from({ length: 50 }, (_, i) => ({ pbx: 'pbx1', room: String(200 + i) }));
    r.calls = Array.from({ length: 200 }, (_, i) => call(`PJSIP/${701 + i}-0000000${i + 1}@call`, 44));
    await r.clock.advance(5000);
    const start = r.lists.count;
    await r.clock.advance(50_000);
    expect(r.lists.count - start).toBe(10);
    expect(r.reports).toHaveLength(200);
    // A listening session polls every second: quality adds nothing to that.
    const session = { callsListed: () => undefined, callCheckFailed: () => undefined };
    r.watch.add(session);
    const before = r.lists.count;
    await r.clock.advance(10_000);
    expect(r.lists.count - before).toBe(10);
  });

  it('looks up fresh figures for a room, with nothing for participants the sensor cannot see', async () => {
    const r = setup();
    r.calls = [call('PJSIP/701-00000001@call', 30)];
    const lines = await r.monitor.lookup('pbx1', '200');
    expect(lines.map((l) => [l.participant.uniqueid, l.state?.mark.mark, l.state?.line.mos])).toEqual([['1700000000.1', 'poor', 3], ['1700000000.2', undefined, undefined]]);
  });
});
