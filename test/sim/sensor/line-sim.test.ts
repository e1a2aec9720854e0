import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lineQuality, NO_MARK, nextMark, type MarkState } from '../../../src/quality/line-quality.ts';
import { parseListCalls } from '../../../src/sensor/listcalls.ts';
import type { SimCall } from '../../../src/sim/calls.ts';
import { cycleLine, DEMO_CYCLE } from '../../../src/sim/sensor/line-sim.ts';
import { SimSensorManager } from '../../../src/sim/sensor/manager.ts';

const realHeader = (JSON.parse(readFileSync(new URL('../../fixtures/voipmonitor/listcalls.nocalls.reply', import.meta.url), 'utf8')) as unknown[][])[0];
const alice: SimCall = { callId: 'alice@sim', caller: '1001', callerName: 'Alice', called: '200', startedAt: 0, codec: 'PCMU' };
const bob: SimCall = { callId: 'bob@sim', caller: '1002', callerName: 'Bob', called: '200', startedAt: 5000, codec: 'PCMA' };
const cycleMs = DEMO_CYCLE.reduce((sum, p) => sum + p.ms, 0);

describe('embedded sensor line quality', () => {
  it('takes each room\'s longest-running call through good, fair, poor and back while the others stay good', () => {
    let now = 0;
    const carol: SimCall = { ...bob, callId: 'carol@sim', called: '201', startedAt: 0 };
    const manager = new SimSensorManager({ calls: { calls: () => [alice, bob, carol] }, now: () => now });
    const marks = new Map<string, MarkState>();
    const seen: string[] = [];
    for (now = 5000; now <= cycleMs + 5000; now += 5000) {
      const reply = manager.handle('listcalls').toString('latin1');
      expect((JSON.parse(reply) as unknown[][])[0]).toEqual(realHeader);
      for (const call of parseListCalls(reply).calls) {
        const next = nextMark(marks.get(call.callId) ?? NO_MARK, lineQuality(call.fields).sample, now);
        marks.set(call.callId, next);
        if (call.callId === 'bob@sim') expect(next.mark).toBe('good');
        else if (call.callId === 'carol@sim') expect(next.mark).toBe(marks.get('alice@sim')?.mark);
        else if (seen.at(-1) !== next.mark) seen.push(next.mark ?? 'none');
      }
    }
    expect(seen).toEqual(['good', 'fair', 'poor', 'fair', 'good']);
  });

  it('reports loss over the call as the average of its phases so far', () => {
    expect(cycleLine(0).lossTotal).toBe(0);
    expect(cycleLine(45_000).lossTotal).toBe(0);
    const poor = cycleLine(70_000);
    expect(poor).toMatchObject({ mosSrc: 27, loss10: 12 });
    expect(poor.lossTotal).toBeCloseTo((15_000 * 4 + 10_000 * 12) / 70_000, 1);
    expect(cycleLine(cycleMs * 3).lossTotal).toBeCloseTo(cycleLine(cycleMs).lossTotal, 1);
  });
});
