import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AuditKind, Incident } from '../../src/alerts/engine.ts';
import { AlertService, type AlertDelivery } from '../../src/alerts/service.ts';
import { ALERT_STATE_KEY, decodeAlerts } from '../../src/alerts/persist.ts';
import type { AlertTarget } from '../../src/alerts/rules.ts';
import type { MessageRef } from '../../src/core/adapter.ts';
import { PlatformRateLimitedError } from '../../src/core/adapter-errors.ts';
import type { AlertView } from '../../src/core/views.ts';
import { alertWords } from '../../src/alerts/text.ts';
import type { KeyValueStore } from '../../src/store/types.ts';
import { FakeClock } from '../core/status-fakes.ts';
import { escalating, roomWith, tim } from './fixtures.ts';
import type { RoomChange } from '../../src/conference/types.ts';

class MemoryKv implements KeyValueStore {
  readonly data = new Map<string, string>();
  async get(key: string) { return this.data.get(key); }
  async set(key: string, value: string) { this.data.set(key, value); }
}

class RecordingDelivery implements AlertDelivery {
  readonly posts: { target: AlertTarget; view: AlertView }[] = [];
  readonly edits: { ref: MessageRef; view: AlertView }[] = [];
  rateLimitNext = 0;
  async post(target: AlertTarget, view: AlertView): Promise<MessageRef> {
    this.posts.push({ target, view });
    return { platform: target.platform, conversation: target.channel ?? target.user ?? '', id: `m${this.posts.length}` };
  }
  async update(ref: MessageRef, view: AlertView): Promise<void> {
    if (this.rateLimitNext > 0) {
      this.rateLimitNext -= 1;
      throw new PlatformRateLimitedError('slack', 1_000, { kind: 'workspace', key: 'chat.update' });
    }
    this.edits.push({ ref, view });
  }
}

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
function abnormalDrop(svc: AlertService, at: number, uniqueid = '1.1'): void {
  const p = { ...tim(at - 97 * 60_000), uniqueid };
  const left: RoomChange = { type: 'left', pbx: 'pbx1', room: '200', participant: p, cause: 34, causeText: 'Circuit/channel congestion', techCause: 503 };
  svc.observe(left, roomWith(p, 1));
}

function make(clock: FakeClock, kv: MemoryKv, delivery: RecordingDelivery, audits: AuditKind[] = []) {
  let n = 0;
  return new AlertService({
    clock, kv, delivery, log: pino({ level: process.env.DBG ? 'debug' : 'silent' }), rules: () => escalating, newId: () => `i${(n += 1)}`,
    render: (inc: Incident, now: number): AlertView => {
      const w = alertWords(inc, now);
      return { kind: 'alert', severity: 'critical', title: w.title, text: w.text, fields: w.fields, buttons: [], ackedBy: inc.ack?.by, at: inc.openedAt };
    },
    audit: (kind) => { audits.push(kind); },
  });
}

describe('alert service', () => {
  it('posts an abnormal drop once, edits it on Ack, and audits both', async () => {
    const clock = new FakeClock(T0);
    const kv = new MemoryKv();
    const delivery = new RecordingDelivery();
    const audits: AuditKind[] = [];
    const svc = make(clock, kv, delivery, audits);
    await svc.start();
    abnormalDrop(svc, T0);
    await svc.settled();
    expect(delivery.posts).toHaveLength(1);
    expect(delivery.posts[0]?.view.title).toBe('Tim (701) dropped from room 200 — cause 34 circuit/channel congestion (SIP 503), after 1h 37m');
    expect(svc.ack('i1', '@bob').outcome).toBe('done');
    await svc.settled();
    expect(delivery.edits.map((e) => e.view.text)).toEqual(['acked by @bob at 12:00 UTC.']);
    expect(audits).toEqual(['alert_raised', 'alert_acked']);
    await clock.advance(30 * 60_000);
    expect(delivery.posts).toHaveLength(1);
    await svc.stop();
  });

  it('escalates on time after a restart with an unacked alert pending', async () => {
    const clock = new FakeClock(T0);
    const kv = new MemoryKv();
    const first = new RecordingDelivery();
    const before = make(clock, kv, first);
    await before.start();
    abnormalDrop(before, T0);
    await before.settled();
    await before.stop();
    expect(first.posts).toHaveLength(1);

    await clock.advance(2 * 60_000);
    const second = new RecordingDelivery();
    const after = make(clock, kv, second);
    await after.start();
    await clock.advance(3 * 60_000 - 1);
    expect(second.posts).toHaveLength(0);
    await clock.advance(1);
    await after.settled();
    expect(second.posts.map((p) => p.target)).toEqual([{ platform: 'slack', user: 'UONCALL' }]);
    await after.stop();
  });

  it('sends nothing again after a restart that follows an Ack', async () => {
    const clock = new FakeClock(T0);
    const kv = new MemoryKv();
    const before = make(clock, kv, new RecordingDelivery());
    await before.start();
    abnormalDrop(before, T0);
    await before.settled();
    before.ack('i1', '@bob');
    await before.stop();

    const again = new RecordingDelivery();
    const after = make(clock, kv, again);
    await after.start();
    await clock.advance(60 * 60_000);
    await after.settled();
    expect(again.posts).toEqual([]);
    expect(again.edits).toEqual([]);
    await after.stop();
  });

  it('waits out a 429 on an edit and ends with the true state', async () => {
    const clock = new FakeClock(T0);
    const delivery = new RecordingDelivery();
    const svc = make(clock, new MemoryKv(), delivery);
    await svc.start();
    abnormalDrop(svc, T0);
    await svc.settled();
    delivery.rateLimitNext = 1;
    svc.ack('i1', '@bob');
    await clock.advance(1_000);
    await svc.settled();
    expect(delivery.edits.map((e) => e.view.text)).toEqual(['acked by @bob at 12:00 UTC.']);
    await svc.stop();
  });

  it('forgets the messages of a resolved incident once the incident itself is dropped, 24 h on', async () => {
    const clock = new FakeClock(T0);
    const kv = new MemoryKv();
    const svc = make(clock, kv, new RecordingDelivery());
    await svc.start();
    abnormalDrop(svc, T0);
    await svc.settled();
    expect(svc.resolve('i1', '@bob').outcome).toBe('done');
    await svc.settled();
    await clock.advance(24 * 3_600_000 + 60_000);
    // A new incident makes the service tick (its escalation falls due), which drops the old one.
    abnormalDrop(svc, clock.now(), '2.1');
    await clock.advance(5 * 60_000);
    await svc.settled();
    const stored = decodeAlerts(kv.data.get(ALERT_STATE_KEY) ?? '');
    expect(stored.ok && [...stored.value.state.incidents.keys()]).toEqual(['i2']);
    expect(stored.ok && [...new Set(stored.value.deliveries.map((d) => d.incidentId))]).toEqual(['i2']);
    await svc.stop();
  });

  it('refuses a damaged stored state by name instead of starting empty', async () => {
    const kv = new MemoryKv();
    kv.data.set(ALERT_STATE_KEY, '{"incidents": 3}');
    const svc = make(new FakeClock(T0), kv, new RecordingDelivery());
    await expect(svc.start()).rejects.toMatchObject({ code: 'alert_state_corrupt' });
  });
});
