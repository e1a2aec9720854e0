import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AlertRules } from '../../src/alerts/control.ts';
import type { Incident } from '../../src/alerts/engine.ts';
import { feedLineQuality, type LineQualityFeed, type MeasuredLine } from '../../src/alerts/quality-feed.ts';
import { AlertService, type AlertDelivery } from '../../src/alerts/service.ts';
import type { AlertTarget } from '../../src/alerts/rules.ts';
import { alertView } from '../../src/alerts/view.ts';
import type { MessageRef } from '../../src/core/adapter.ts';
import type { AlertView } from '../../src/core/views.ts';
import type { KeyValueStore } from '../../src/store/types.ts';
import { FakeBackend, FakeDirectory, participant, room } from '../core/fakes.ts';
import { FakeClock } from '../core/status-fakes.ts';
import { rule, rules } from './fixtures.ts';

class MemoryKv implements KeyValueStore {
  readonly data = new Map<string, string>();
  async get(key: string) { return this.data.get(key); }
  async set(key: string, value: string) { this.data.set(key, value); }
}

class Delivery implements AlertDelivery {
  readonly posts: AlertView[] = [];
  readonly edits: AlertView[] = [];
  async post(_target: AlertTarget, view: AlertView): Promise<MessageRef> {
    this.posts.push(view);
    return { platform: 'shell', conversation: 'console', id: `m${this.posts.length}` };
  }
  async update(_ref: MessageRef, view: AlertView): Promise<void> { this.edits.push(view); }
}

/** The quality monitor as alerts see it: one new state object per line per listing. */
class FakeFeed implements LineQualityFeed {
  readonly lines = new Map<string, MeasuredLine>();
  demands = 0;
  reads = 0;
  linesOf(pbx: string, room: string) {
    this.reads += 1;
    return pbx === 'pbx1' && room === '200' ? this.lines : new Map<string, MeasuredLine>();
  }
  listing(uniqueid: string, mos: number | undefined, loss10s: number | undefined): void {
    this.lines.set(uniqueid, { line: { mos, loss10s } });
  }
  demand() {
    this.demands += 1;
    return () => { this.demands -= 1; };
  }
}

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const lines = rules(rule({ id: 'lines', when: 'poor_line' }));

function setup(kv = new MemoryKv()) {
  const clock = new FakeClock(T0);
  const pbx = new FakeBackend('pbx1');
  const tim = participant('200', 1, { callerName: 'Tim', callerNum: '701', joinedAt: T0 - 600_000 });
  pbx.add(room('200', [tim, participant('200', 2)]));
  const delivery = new Delivery();
  let n = 0;
  const service = new AlertService({
    clock, kv, delivery, log: pino({ level: 'silent' }), rules: () => lines, newId: () => `i${(n += 1)}`,
    render: (inc: Incident, now: number) => alertView(inc, lines.get(inc.ruleId), now), audit: () => {},
  });
  const feed = new FakeFeed();
  let wanted = true;
  const handle = feedLineQuality({ feed, directory: new FakeDirectory(pbx), service, wanted: () => wanted, clock, everyMs: 5_000 });
  /** One listing every 5 s, read by the feed at the end of each interval. */
  const polls = async (count: number, figures: { mos: number | undefined; lossPct: number | undefined }, uniqueid = tim.uniqueid) => {
    for (let i = 0; i < count; i += 1) {
      feed.listing(uniqueid, figures.mos, figures.lossPct);
      await clock.advance(5_000);
    }
    await service.settled();
  };
  return { clock, service, delivery, feed, handle, polls, setWanted: (w: boolean) => { wanted = w; } };
}

describe('line quality into alerts', () => {
  it('posts one poor-line alert for a line bad for 30 s, then edits it when the line recovers', async () => {
    const { service, delivery, polls } = setup();
    await service.start();
    await polls(6, { mos: 2.4, lossPct: 3 });
    expect(delivery.posts).toEqual([]);
    await polls(10, { mos: 2.1, lossPct: 9 });
    expect(delivery.posts.map((v) => v.title)).toEqual(['Tim (701) in room 200: MOS 2.1, 9% loss for 30 s']);
    expect(delivery.posts[0]!.fields).toContainEqual(['Channel', 'PJSIP/701-00000001']);
    expect(delivery.posts[0]!.buttons.map((b) => b.label)).toContain('Mute');
    await polls(2, { mos: 4.3, lossPct: 0 });
    expect(delivery.posts).toHaveLength(1);
    expect(delivery.edits.at(-1)?.title).toBe('Resolved: Tim (701) in room 200: MOS 2.1, 9% loss for 30 s');
    expect(delivery.edits.at(-1)?.text).toBe('line recovered at 12:01 UTC.');
    expect(delivery.edits.at(-1)?.fields).toContainEqual(['Worst', 'MOS 2.1, 9% loss for 1m 25s']);
    await service.stop();
  });

  it('resolves an incident raised before a restart when the line recovers after it', async () => {
    const kv = new MemoryKv();
    const before = setup(kv);
    await before.service.start();
    await before.polls(8, { mos: 2.0, lossPct: 10 });
    expect(before.delivery.posts).toHaveLength(1);
    await before.service.stop();
    before.handle.stop();

    const after = setup(kv);
    await after.service.start();
    await after.polls(2, { mos: 4.4, lossPct: 0 });
    expect(after.delivery.posts).toEqual([]);
    expect(after.service.incident('i1')).toMatchObject({ status: 'resolved', recoveredAt: expect.any(Number) });
    await after.service.stop();
  });

  it('reads each listing once: a line the poller did not list again is not judged again', async () => {
    const { service, delivery, feed, clock } = setup();
    await service.start();
    feed.listing('1700000000.1', 2.0, 0);
    await clock.advance(5_000);
    for (let i = 0; i < 10; i += 1) await clock.advance(5_000);
    await service.settled();
    expect(delivery.posts).toEqual([]);
    expect(feed.reads).toBeGreaterThan(5);
    await service.stop();
  });

  it('drops figures for someone the PBX does not hold in the room', async () => {
    const { service, delivery, polls } = setup();
    await service.start();
    await polls(10, { mos: 1.5, lossPct: 20 }, '1700000000.99');
    expect(delivery.posts).toEqual([]);
    await service.stop();
  });

  it('holds the poller\'s demand only while a poor-line rule is on, and reads nothing without it', async () => {
    const { feed, handle, setWanted, clock } = setup();
    expect(feed.demands).toBe(1);
    handle.sync();
    expect(feed.demands).toBe(1);
    setWanted(false);
    handle.sync();
    expect(feed.demands).toBe(0);
    const reads = feed.reads;
    await clock.advance(60_000);
    expect(feed.reads).toBe(reads);
    setWanted(true);
    handle.sync();
    handle.stop();
    expect(feed.demands).toBe(0);
  });
});

describe('poor-line rules from chat', () => {
  it('reads mos=, loss= and for= into the rule, and tells the poller\'s demand of each change', async () => {
    let changes = 0;
    const by = { platform: 'shell', userId: 'me', displayName: 'me', groups: [] };
    const control = new AlertRules({
      configRules: [], kv: new MemoryKv(), clock: new FakeClock(T0), log: pino({ level: 'silent' }), audit: () => {}, onChange: () => { changes += 1; },
    });
    await control.load();
    expect(control.watchesQuality()).toBe(false);
    const here = { platform: 'shell', id: 'console' } as const;
    expect(await control.add('lines', [['when', 'poor_line'], ['mos', '2.8'], ['loss', '5'], ['for', '20']], here, by)).toEqual({ ok: true });
    expect(control.rule('lines')).toMatchObject({ when: 'poor_line', mosBelow: 2.8, lossAbovePct: 5, forSec: 20 });
    expect(control.watchesQuality()).toBe(true);
    const refused = await control.add('bad', [['when', 'poor_line'], ['mos', 'low']], here, by);
    expect(refused).toEqual({ ok: false, problems: ["rule 'bad' mosBelow: mosBelow must be a MOS such as 3.0"] });
    await control.setEnabled('lines', false, undefined, by);
    expect(control.watchesQuality()).toBe(false);
    expect(changes).toBe(2);
  });
});
