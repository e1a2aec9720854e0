import { describe, expect, it } from 'vitest';
import { CallWatch, type CallWatcher } from '../../src/listen/call-watch.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

function watcher(): CallWatcher & { heard: number[]; failed: number } {
  const w = { heard: [] as number[], failed: 0, callsListed: () => undefined, callCheckFailed: () => { w.failed += 1; } };
  return w;
}

describe('shared listcalls poller', () => {
  it('beats at the fastest watcher\'s period; a slower watcher hears every result once its own period passed', async () => {
    const clock = new FakeClock();
    let lists = 0;
    const watch = new CallWatch({ id: 's1', listCalls: async () => { lists += 1; return []; } }, 1000, clock, silentLogger());
    const slow = watcher();
    const fast = watcher();
    const start = clock.now();
    slow.callsListed = () => slow.heard.push(clock.now() - start);
    fast.callsListed = () => fast.heard.push(clock.now() - start);
    watch.add(slow, 5000);
    await clock.advance(5000);
    expect(lists).toBe(1);
    watch.add(fast);
    await clock.advance(10_000);
    expect(lists).toBe(11);
    expect(slow.heard).toEqual([5000, 10_000, 15_000]);
    expect(fast.heard).toHaveLength(10);
    // Back to the slow watcher's own pace once the fast one leaves.
    watch.remove(fast);
    await clock.advance(10_000);
    expect(lists).toBe(12);
    watch.remove(slow);
    await clock.advance(60_000);
    expect(lists).toBe(12);
    expect(watch.watching()).toBe(false);
  });

  it('tells only the watchers that were due when a listing fails', async () => {
    const clock = new FakeClock();
    const watch = new CallWatch({ id: 's1', listCalls: async () => { throw new Error('down'); } }, 1000, clock, silentLogger());
    const slow = watcher();
    const fast = watcher();
    watch.add(slow, 5000);
    watch.add(fast);
    await clock.advance(5000);
    expect(fast.failed).toBe(5);
    expect(slow.failed).toBe(1);
  });
});
