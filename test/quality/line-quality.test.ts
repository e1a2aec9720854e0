import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NO_MARK, classify, lineQuality, nextMark, type QualityMark } from '../../src/quality/line-quality.ts';
import { parseListCalls } from '../../src/sensor/listcalls.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/voipmonitor/${name}`, import.meta.url), 'latin1');

describe('line quality from listcalls', () => {
  it('reads MOS, loss, jitter and codec by header name from a real sensor reply', () => {
    const [call] = parseListCalls(fixture('listcalls.activecall.reply')).calls;
    const q = lineQuality(call!.fields);
    expect(q).toMatchObject({ mosFromCaller: 4.5, mosToCaller: 4.5, mos: 4.5, loss10s: 0, lossTotal: 0, codec: 'PCMU', sample: 'good' });
    expect(q.jitterMs).toBeCloseTo(0.096555);
  });

  it('leaves figures an older sensor does not send undefined, and shows no mark without any', () => {
    const q = lineQuality({ callreference: '0x1', src_mosf1: 0 });
    expect(q).toMatchObject({ mos: undefined, loss10s: undefined, jitterMs: undefined, sample: undefined });
  });

  it('takes the worse direction and the worst jitter-buffer model', () => {
    const q = lineQuality({ src_mosf1: 41, src_mosf2: 39, src_mosAD: 40, dst_mosf1: 44, dst_mosf2: 44, dst_mosAD: 44, src_loss_last10sec: 1, dst_loss_last10sec: 9 });
    expect(q.mos).toBe(3.9);
    expect(q.loss10s).toBe(9);
    expect(q.sample).toBe('poor');
  });

  it('classifies by MOS band, and loss alone can make a line fair or poor', () => {
    expect(classify(4.3, 0)).toBe('good');
    expect(classify(3.8, 0)).toBe('fair');
    expect(classify(3.1, 0)).toBe('poor');
    expect(classify(4.4, 4)).toBe('fair');
    expect(classify(4.4, 9)).toBe('poor');
  });
});

describe('quality mark hysteresis', () => {
  function run(samples: readonly QualityMark[]): (QualityMark | undefined)[] {
    let st = NO_MARK;
    return samples.map((s, i) => (st = nextMark(st, s, i * 5_000)).mark);
  }

  it('shows the first mark at once and a degraded line as poor on the second poll', () => {
    expect(run(['good', 'poor', 'poor'])).toEqual(['good', 'good', 'poor']);
  });

  it('does not flap for a line hovering at a threshold', () => {
    expect(run(['good', 'fair', 'good', 'fair', 'good', 'fair'])).toEqual(['good', 'good', 'good', 'good', 'good', 'good']);
  });

  it('clears the mark after recovery and remembers since when a line is poor', () => {
    let st = NO_MARK;
    st = nextMark(st, 'good', 0);
    st = nextMark(st, 'poor', 5_000);
    st = nextMark(st, 'poor', 10_000);
    expect(st).toMatchObject({ mark: 'poor', poorSince: 10_000 });
    st = nextMark(st, 'good', 15_000);
    st = nextMark(st, 'good', 20_000);
    expect(st).toMatchObject({ mark: 'good', poorSince: undefined });
  });
});
