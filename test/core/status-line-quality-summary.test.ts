import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation, Actor } from '../../src/core/adapter.ts';
import type { LineQualityNote } from '../../src/core/room-history.ts';
import { StatusService } from '../../src/core/status.ts';
import type { StatusView } from '../../src/core/views.ts';
import { silentLogger } from '../../src/log.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { FakeAdapter, FakeClock, FakeDirectory, participant } from './status-fakes.ts';

/** The status service folds line-quality marks into the room's history; the end summary names the worst line. */

const conv: Conversation = { platform: 'slack', id: 'C1', workspace: 'T1' };
const alice: Actor = { platform: 'slack', userId: 'U1', displayName: 'alice', groups: [] };

const running: StatusService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function setup() {
  const clock = new FakeClock();
  const directory = new FakeDirectory(clock);
  const adapter = new FakeAdapter(clock, {});
  const store = new MemoryStore();
  let listener: ((pbx: string, room: string, note: LineQualityNote) => void) | undefined;
  const service = new StatusService({
    directory, adapters: new Map([['slack', adapter]]), store, clock, keepEndedSec: 60, random: () => 0.5, logger: silentLogger(),
    lineMarks: (l) => {
      listener = l;
      return () => { listener = undefined; };
    },
  });
  await service.start();
  running.push(service);
  const mark = (pbx: string, room: string, note: LineQualityNote) => listener?.(pbx, room, note);
  return { clock, directory, adapter, store, service, mark };
}

describe('status summary: line quality', () => {
  it('names the worst line and how long it was poor when the room ends, and keeps it in the store', async () => {
    const s = await setup();
    const tim = participant('200', 1, { callerName: 'Tim', callerNum: '701' });
    s.directory.join('200', tim);
    s.directory.join('200', participant('200', 2, { callerName: 'Ann', callerNum: '702' }));
    await s.service.watch('pbx1', '200', conv, alice);
    await s.clock.advance(10_000);
    const start = s.clock.now();
    s.mark('pbx1', '200', { uniqueid: tim.uniqueid, label: 'Tim (701)', mark: 'poor', mos: 2.2, since: start });
    s.mark('pbx1', '300', { uniqueid: 'elsewhere', label: 'Bob', mark: 'poor', mos: 1.0, since: start });
    await s.clock.advance(45_000);
    s.mark('pbx1', '200', { uniqueid: tim.uniqueid, label: 'Tim (701)', mark: 'fair', mos: 3.7, since: s.clock.now() });
    await s.clock.advance(5_000);
    s.directory.end('200');
    await s.clock.advance(1_000);
    const ref = s.adapter.posts[0]?.ref.id ?? '';
    const final = s.adapter.lastViewOf(ref) as StatusView;
    expect(final.ended?.quality).toBe('Worst line: Tim (701), poor for 45s (MOS 2.2)');
    const stored = await s.store.kv.get('status.history:pbx1:200');
    expect(stored).toContain('"poorMs":45000');
  });
});
