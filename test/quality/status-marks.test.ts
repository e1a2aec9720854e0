import { describe, expect, it } from 'vitest';
import { NO_MARK, lineQuality, nextMark } from '../../src/quality/line-quality.ts';
import { lineMarkOf, renderWithLineMarks, RoomRefreshThrottle } from '../../src/quality/status-marks.ts';
import type { LineState } from '../../src/quality/tracker.ts';
import { participant, room, T0 } from '../core/fakes.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

function state(uniqueid: string, fields: Record<string, unknown>): LineState {
  const line = lineQuality(fields);
  return {
    pbx: 'pbx1', room: '200', uniqueid, label: uniqueid, callId: `${uniqueid}@x`, sensor: 's1', callref: '0x1', line,
    mark: nextMark(NO_MARK, line.sample, 0), since: 0,
  };
}

describe('line marks in status messages', () => {
  it('shows the MOS of fair and poor lines, and the loss only when it is what makes the line fair or poor', () => {
    expect(lineMarkOf(state('a', { src_mosf1: 44, src_loss_last10sec: 1 }))).toEqual({ mark: 'good', lossPct: undefined });
    expect(lineMarkOf(state('b', { src_mosf1: 30, src_loss_last10sec: 11.6 }))).toEqual({ mark: 'poor', mos: 3, lossPct: 12 });
    expect(lineMarkOf(state('d', { src_mosf1: 38, src_loss_last10sec: 0 }))).toEqual({ mark: 'fair', mos: 3.8, lossPct: undefined });
    expect(lineMarkOf(state('c', { src_mosf1: 0 }))).toBeUndefined();
  });

  it('adds marks to the rows of measured participants only', () => {
    const tim = participant('200', 1);
    const ann = participant('200', 2);
    const render = renderWithLineMarks({ linesOf: () => new Map([[tim.uniqueid, state(tim.uniqueid, { src_mosf1: 30 })]]) });
    const view = render({ pbx: 'pbx1', roomName: '200', room: room('200', [tim, ann]), available: true, since: T0, now: T0 });
    expect(view.rows.map((r) => r.line?.mark)).toEqual(['poor', undefined]);
  });

  it('refreshes a room at most once per interval, the last request waiting for the gap', async () => {
    const clock = new FakeClock();
    const refreshed: number[] = [];
    const throttle = new RoomRefreshThrottle(clock, 10_000, { refreshRoom: () => refreshed.push(clock.now() - T0) });
    throttle.request('pbx1', '200');
    await clock.advance(2000);
    throttle.request('pbx1', '200');
    throttle.request('pbx1', '200');
    await clock.advance(20_000);
    expect(refreshed).toEqual([0, 10_000]);
    throttle.stop();
  });
});
