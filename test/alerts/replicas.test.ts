import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ALERTS_LEASE, alertOwnership, followLinks } from '../../src/alerts/ownership.ts';
import { FakeCluster, type FakeMember } from '../helpers/fake-coordination.ts';
import type { AuditKind, Incident } from '../../src/alerts/engine.ts';
import { AlertService, type AlertDelivery } from '../../src/alerts/service.ts';
import type { AlertTarget } from '../../src/alerts/rules.ts';
import type { MessageRef } from '../../src/core/adapter.ts';
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
  async delete(key: string) { this.data.delete(key); }
}

class RecordingDelivery implements AlertDelivery {
  readonly posts: { target: AlertTarget; view: AlertView }[] = [];
  readonly edits: { ref: MessageRef; view: AlertView }[] = [];
  async post(target: AlertTarget, view: AlertView): Promise<MessageRef> {
    this.posts.push({ target, view });
    return { platform: target.platform, conversation: target.channel ?? target.user ?? '', id: `m${this.posts.length}` };
  }
  async update(ref: MessageRef, view: AlertView): Promise<void> {
    this.edits.push({ ref, view });
  }
}

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
function abnormalDrop(svc: AlertService, at: number): void {
  const p = tim(at - 97 * 60_000);
  const left: RoomChange = { type: 'left', pbx: 'pbx1', room: '200', participant: p, cause: 34, causeText: 'Circuit/channel congestion', techCause: 503 };
  svc.observe(left, roomWith(p, 1));
}

function make(clock: FakeClock, kv: MemoryKv, delivery: RecordingDelivery, audits: AuditKind[], member: FakeMember) {
  return new AlertService({
    clock, kv, delivery, log: pino({ level: process.env.DBG ? 'debug' : 'silent' }), rules: () => escalating, ownership: alertOwnership(member),
    render: (inc: Incident, now: number): AlertView => {
      const w = alertWords(inc, now);
      return { kind: 'alert', severity: 'critical', title: w.title, text: w.text, fields: w.fields, buttons: [], ackedBy: inc.ack?.by, at: inc.openedAt };
    },
    audit: (kind) => { audits.push(kind); },
  });
}

/** Two replicas: the same events reach both (each has its own PBX link), the store is shared. */
function pair() {
  const clock = new FakeClock(T0);
  const kv = new MemoryKv();
  const cluster = new FakeCluster();
  const replicas = ['a', 'b'].map((id) => {
    const member = cluster.member(id);
    const delivery = new RecordingDelivery();
    const audits: AuditKind[] = [];
    return { member, delivery, audits, svc: make(clock, kv, delivery, audits, member) };
  });
  return { clock, kv, cluster, a: replicas[0]!, b: replicas[1]! };
}

describe('alerts across replicas', () => {
  it('raises an alert once cluster-wide: the owner posts and audits, the other replica stays silent', async () => {
    const { a, b } = pair();
    await a.svc.start();
    await b.svc.start();
    abnormalDrop(a.svc, T0);
    abnormalDrop(b.svc, T0);
    await a.svc.settled();
    await b.svc.settled();
    expect(a.delivery.posts).toHaveLength(1);
    expect(b.delivery.posts).toEqual([]);
    expect([...a.audits, ...b.audits]).toEqual(['alert_raised']);
    expect(b.svc.incidents().map((i) => i.id)).toEqual(a.svc.incidents().map((i) => i.id));
    await a.svc.stop();
    await b.svc.stop();
  });

  it('continues the escalation on the replica that takes over from a dead owner, posting nothing twice', async () => {
    const { clock, cluster, a, b } = pair();
    await a.svc.start();
    await b.svc.start();
    abnormalDrop(a.svc, T0);
    abnormalDrop(b.svc, T0);
    await a.svc.settled();
    cluster.kill(a.member);
    await a.svc.stop();
    await clock.advance(5 * 60_000);
    await b.svc.settled();
    expect(a.delivery.posts.map((p) => p.target)).toEqual([{ platform: 'slack', channel: 'COPS' }]);
    expect(b.delivery.posts.map((p) => p.target)).toEqual([{ platform: 'slack', user: 'UONCALL' }]);
    await b.svc.stop();
  });

  it('forwards an Ack pressed on a replica that does not own the incident: the owner edits and escalates no more', async () => {
    const { clock, a, b } = pair();
    await a.svc.start();
    await b.svc.start();
    abnormalDrop(a.svc, T0);
    abnormalDrop(b.svc, T0);
    await a.svc.settled();
    const id = b.svc.incidents()[0]?.id ?? '';
    expect(b.svc.ack(id, '@bob').outcome).toBe('done');
    await b.svc.settled();
    await clock.advance(1_000);
    await a.svc.settled();
    expect(a.svc.incident(id)?.status).toBe('acked');
    expect(a.delivery.edits.map((e) => e.view.text)).toEqual(['acked by @bob at 12:00 UTC.']);
    await clock.advance(10 * 60_000);
    expect([...a.delivery.posts, ...b.delivery.posts]).toHaveLength(1);
    await a.svc.stop();
    await b.svc.stop();
  });

  it('posts an alert raised while Redis was unreachable once it is back, and only once', async () => {
    const { clock, a, b } = pair();
    await a.svc.start();
    await b.svc.start();
    a.member.reachable = false;
    b.member.reachable = false;
    abnormalDrop(a.svc, T0);
    abnormalDrop(b.svc, T0);
    await a.svc.settled();
    expect([...a.delivery.posts, ...b.delivery.posts]).toEqual([]);
    a.member.reachable = true;
    b.member.reachable = true;
    await clock.advance(1_000);
    await a.svc.settled();
    await b.svc.settled();
    expect(a.delivery.posts).toHaveLength(1);
    expect(b.delivery.posts).toEqual([]);
    await a.svc.stop();
    await b.svc.stop();
  });

  it('hands the alerts to a replica that sees every PBX while the owner is cut off from one, and takes them back only when needed', async () => {
    const clock = new FakeClock(T0);
    const cluster = new FakeCluster();
    const a = cluster.member('a');
    const b = cluster.member('b');
    alertOwnership(a);
    alertOwnership(b);
    expect(cluster.holder(ALERTS_LEASE)).toBe(a);
    let aLinks = true;
    const stop = followLinks(a, { clock, linksUp: () => aLinks });
    aLinks = false;
    await clock.advance(1_000);
    expect(cluster.holder(ALERTS_LEASE)).toBe(b);
    await clock.advance(10_000);
    expect(cluster.holder(ALERTS_LEASE)).toBe(b);
    expect(a.wanted.has(ALERTS_LEASE)).toBe(true);
    stop();
  });

  it('takes the alerts back after the yield when no other replica took them', async () => {
    const clock = new FakeClock(T0);
    const cluster = new FakeCluster();
    const a = cluster.member('a');
    alertOwnership(a);
    const stop = followLinks(a, { clock, linksUp: () => false });
    await clock.advance(1_000);
    expect(cluster.holder(ALERTS_LEASE)).toBeUndefined();
    await clock.advance(5_000);
    expect(cluster.holder(ALERTS_LEASE)).toBe(a);
    stop();
  });
});
