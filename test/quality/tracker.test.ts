import { describe, expect, it } from 'vitest';
import { QualityTracker, freshState, type WatchedLine } from '../../src/quality/tracker.ts';
import type { SensorCall } from '../../src/sensor/listcalls.ts';

function call(callId: string, mos: number, loss10 = 0, callref = '0x10'): SensorCall {
  return {
    callref, callId, caller: '701', called: '200', callerName: undefined, startedAt: 0, durationSec: 10, connectDurationSec: 9,
    callerCodec: 'PCMU', calledCodec: 'PCMU', mos: mos / 10, sensorNumber: 1, lastSipResponse: 200,
    fields: { callid: callId, src_mosf1: mos, dst_mosf1: 45, src_loss_last10sec: loss10, dst_loss_last10sec: 0, src_loss: loss10 / 2, callercodec: 0 },
  };
}

const tim: WatchedLine = { pbx: 'pbx1', room: '200', uniqueid: 'u1', label: 'Tim (701)', callId: 'tim@x' };
const ann: WatchedLine = { pbx: 'pbx1', room: '200', uniqueid: 'u2', label: 'Ann (702)', callId: 'ann@x' };

describe('line quality bookkeeping', () => {
  it('reports the first mark at once, then a change only after two polls agree', () => {
    const t = new QualityTracker();
    expect(t.observe('s1', [call('tim@x', 44)], [tim], 0).map((r) => r.mark)).toEqual(['good']);
    expect(t.observe('s1', [call('tim@x', 30, 9)], [tim], 5000)).toEqual([]);
    const [poor] = t.observe('s1', [call('tim@x', 30, 9)], [tim], 10_000);
    expect(poor).toMatchObject({ pbx: 'pbx1', room: '200', uniqueid: 'u1', label: 'Tim (701)', sensor: 's1', mark: 'poor', previous: 'good', since: 10_000, poorSince: 10_000 });
    expect(poor?.line).toMatchObject({ mos: 3, loss10s: 9, codec: 'PCMU' });
    expect(t.observe('s1', [call('tim@x', 30, 9)], [tim], 15_000)).toEqual([]);
    expect(t.linesOf('pbx1', '200').get('u1')?.since).toBe(10_000);
  });

  it('keys lines by Call-ID and ignores calls nobody watches', () => {
    const t = new QualityTracker();
    const reports = t.observe('s1', [call('tim@x', 44), call('stranger@x', 20), call('ann@x', 38, 0, '0x20')], [tim, ann], 0);
    expect(reports.map((r) => [r.uniqueid, r.mark])).toEqual([['u1', 'good'], ['u2', 'fair']]);
    expect(t.size).toBe(2);
    expect(t.linesOf('pbx1', '200').get('u2')?.callref).toBe('0x20');
  });

  it('clears the mark when the participant leaves or the sensor stops listing the call', () => {
    const t = new QualityTracker();
    t.observe('s1', [call('tim@x', 44), call('ann@x', 44)], [tim, ann], 0);
    expect(t.observe('s1', [call('tim@x', 44), call('ann@x', 44)], [tim], 5000).map((r) => [r.uniqueid, r.mark, r.previous])).toEqual([['u2', undefined, 'good']]);
    expect(t.observe('s1', [], [tim], 10_000).map((r) => [r.uniqueid, r.mark])).toEqual([['u1', undefined]]);
    expect(t.size).toBe(0);
  });

  it('keeps a line another sensor measures when one sensor does not list it', () => {
    const t = new QualityTracker();
    t.observe('s1', [call('tim@x', 44)], [tim], 0);
    expect(t.observe('s2', [], [tim], 1000)).toEqual([]);
    expect(t.linesOf('pbx1', '200').get('u1')?.sensor).toBe('s1');
  });

  it('shows no mark for a call whose sensor has no MOS yet', () => {
    const t = new QualityTracker();
    const noMos = { ...call('tim@x', 0), fields: { callid: 'tim@x', src_mosf1: 0, dst_mosf1: 0 } };
    expect(t.observe('s1', [noMos], [tim], 0)).toEqual([]);
    expect(t.linesOf('pbx1', '200').get('u1')?.mark.mark).toBeUndefined();
  });

  it('forgets the lines of a sensor that stopped answering, and only those', () => {
    const t = new QualityTracker();
    t.observe('s1', [call('tim@x', 44)], [tim, ann], 0);
    t.observe('s2', [call('ann@x', 44)], [tim, ann], 0);
    expect(t.forgetSensor('s1').map((r) => [r.uniqueid, r.mark])).toEqual([['u1', undefined]]);
    expect([...t.linesOf('pbx1', '200').keys()]).toEqual(['u2']);
  });

  it('clear() reports every shown mark as gone', () => {
    const t = new QualityTracker();
    t.observe('s1', [call('tim@x', 44), call('ann@x', 30)], [tim, ann], 0);
    expect(t.clear().map((r) => [r.uniqueid, r.mark])).toEqual([['u1', undefined], ['u2', undefined]]);
  });

  it('a fresh look keeps the polled mark (hysteresis) but shows the new figures', () => {
    const t = new QualityTracker();
    t.observe('s1', [call('tim@x', 44)], [tim], 0);
    const fresh = freshState(tim, 's1', call('tim@x', 30), t.linesOf('pbx1', '200').get('u1'), 3000);
    expect(fresh.mark.mark).toBe('good');
    expect(fresh.line.mos).toBe(3);
    expect(freshState(ann, 's1', call('ann@x', 30), undefined, 3000).mark.mark).toBe('poor');
  });
});
