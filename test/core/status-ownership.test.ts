import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, Conversation } from '../../src/core/adapter.ts';
import { StatusService } from '../../src/core/status.ts';
import { StatusOwnership } from '../../src/core/status-ownership.ts';
import { UNWATCHED_BANNER } from '../../src/core/status-watch.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/types.ts';
import { FakeCluster, type FakeMember } from '../helpers/fake-coordination.ts';
import { FakeAdapter, FakeClock, FakeDirectory, fakeRender, participant } from './status-fakes.ts';

const conv: Conversation = { platform: 'slack', id: 'C1' };
const alice: Actor = { platform: 'slack', userId: 'U1', displayName: 'alice', groups: [] };

/** One replica: its own chat connection, status service and lease member; the store is shared (Redis). */
interface Replica {
  readonly adapter: FakeAdapter;
  readonly service: StatusService;
  readonly ownership: StatusOwnership;
  readonly member: FakeMember;
  /** This replica's own AMI link to pbx1 (the directory is shared; the link is each replica's). */
  link: boolean;
}

describe('status messages across replicas', () => {
  let clock: FakeClock;
  let directory: FakeDirectory;
  let store: Store;
  let cluster: FakeCluster;
  const replicas: Replica[] = [];

  beforeEach(() => {
    clock = new FakeClock();
    directory = new FakeDirectory(clock);
    store = new MemoryStore();
    cluster = new FakeCluster();
  });
  afterEach(async () => {
    for (const r of replicas.splice(0)) {
      r.ownership.stop();
      await r.service.stop();
    }
  });

  async function replica(id: string): Promise<Replica> {
    const adapter = new FakeAdapter(clock);
    const member = cluster.member(id);
    const link = { up: true };
    const ownership = new StatusOwnership({ coordination: member, store, clock, pollMs: 500, yieldMs: 5000, linkUp: () => link.up });
    const service = new StatusService({ directory, adapters: new Map([['slack', adapter]]), store, render: fakeRender, clock, ownership });
    await service.start();
    ownership.start({ resume: (records) => service.resume(records), unwatch: (r) => service.unwatch(r.pbx, r.room, r.conversation) });
    const r: Replica = {
      adapter, service, ownership, member,
      get link() { return link.up; },
      set link(up: boolean) { link.up = up; },
    };
    replicas.push(r);
    return r;
  }

  /** Time passes: due edits go out, each replica polls the store and the leases. */
  async function settled(): Promise<void> {
    for (let i = 0; i < 4; i++) {
      await clock.advance(600);
      for (const r of replicas) await r.ownership.poll();
    }
  }

  it('edits each message from its owner only; the other replica picks the watch up and stays silent', async () => {
    const a = await replica('a');
    const b = await replica('b');
    directory.join('200', participant('200', 1));
    await a.service.watch('pbx1', '200', conv, alice);
    await settled();
    directory.join('200', participant('200', 2));
    await clock.advance(2000);
    await settled();
    expect(a.adapter.edits.length).toBeGreaterThan(0);
    expect(b.adapter.attempts).toEqual([]);
    expect(b.adapter.posts).toEqual([]);
  });

  it('hands the message to another replica when its owner dies: the same message is edited, nothing is posted again', async () => {
    const a = await replica('a');
    const b = await replica('b');
    directory.join('200', participant('200', 1));
    await a.service.watch('pbx1', '200', conv, alice);
    await settled();
    const ref = a.adapter.posts[0]?.ref;
    cluster.kill(a.member);
    directory.join('200', participant('200', 2));
    await clock.advance(2000);
    await settled();
    expect(b.adapter.posts).toEqual([]);
    expect(b.adapter.edits.map((e) => e.ref)).toContainEqual(ref);
    const last = b.adapter.edits.at(-1)?.view;
    expect(last?.kind === 'status' ? last.rows.map((r) => r.key) : []).toEqual([participant('200', 1).uniqueid, participant('200', 2).uniqueid]);
  });

  it('refuses the edit of an owner whose fence was superseded while it stalled', async () => {
    const a = await replica('a');
    const b = await replica('b');
    directory.join('200', participant('200', 1));
    await a.service.watch('pbx1', '200', conv, alice);
    await settled();
    const name = [...a.member.wanted][0] ?? '';
    cluster.steal(name, b.member);
    directory.join('200', participant('200', 2));
    await clock.advance(2000);
    await settled();
    const editsOfA = a.adapter.attempts.length;
    directory.join('200', participant('200', 3));
    await clock.advance(2000);
    await settled();
    expect(a.adapter.attempts.length).toBe(editsOfA);
    expect(b.adapter.edits.length).toBeGreaterThan(0);
  });

  it('stops editing while the lease store is unreachable and catches up once it is back', async () => {
    const a = await replica('a');
    directory.join('200', participant('200', 1));
    await a.service.watch('pbx1', '200', conv, alice);
    await settled();
    a.member.reachable = false;
    const before = a.adapter.attempts.length;
    directory.join('200', participant('200', 2));
    await clock.advance(2000);
    await settled();
    expect(a.adapter.attempts.length).toBe(before);
    a.member.reachable = true;
    await settled();
    const last = a.adapter.edits.at(-1)?.view;
    expect(last?.kind === 'status' ? last.rows.length : 0).toBe(2);
  });

  it('retires the message from its owner when another replica is told to unwatch it', async () => {
    const a = await replica('a');
    const b = await replica('b');
    directory.join('200', participant('200', 1));
    await a.service.watch('pbx1', '200', conv, alice);
    await settled();
    expect(await b.service.unwatch('pbx1', '200', conv)).toBe(true);
    await settled();
    await settled();
    const last = a.adapter.edits.at(-1)?.view;
    expect(last?.kind === 'status' ? last.banner : undefined).toBe(UNWATCHED_BANNER);
    expect(b.adapter.attempts).toEqual([]);
  });

  it('stores a message posted while the store was unreachable once it can, and then edits it', async () => {
    const a = await replica('a');
    const put = store.watches.put.bind(store.watches);
    let failPuts = 1;
    store.watches.put = async (record) => {
      if (failPuts > 0) {
        failPuts -= 1;
        throw new Error('store unreachable');
      }
      return put(record);
    };
    directory.join('200', participant('200', 1));
    await a.service.watch('pbx1', '200', conv, alice);
    directory.join('200', participant('200', 2));
    await clock.advance(2000);
    await settled();
    expect(await store.watches.list()).toHaveLength(1);
    const last = a.adapter.edits.at(-1)?.view;
    expect(last?.kind === 'status' ? last.rows.length : 0).toBe(2);
  });

  it('leaves the message to a replica that still reaches the PBX while its own AMI link is down, and takes it back only when needed', async () => {
    const a = await replica('a');
    const b = await replica('b');
    directory.join('200', participant('200', 1));
    await a.service.watch('pbx1', '200', conv, alice);
    await settled();
    const ref = a.adapter.posts[0]?.ref;
    const name = [...a.member.wanted][0] ?? '';
    a.link = false;
    await settled();
    expect(cluster.holder(name)).toBe(b.member);
    const before = a.adapter.attempts.length;
    directory.join('200', participant('200', 2));
    await clock.advance(2000);
    await settled();
    expect(a.adapter.attempts.length).toBe(before);
    expect(b.adapter.posts).toEqual([]);
    expect(b.adapter.edits.map((e) => e.ref)).toContainEqual(ref);
    // Long after the yield, a's link still down: b keeps the message, a only waits in line.
    await clock.advance(10_000);
    await settled();
    expect(cluster.holder(name)).toBe(b.member);
    a.link = true;
    await settled();
    expect(a.member.wanted.has(name)).toBe(true);
  });

  it('takes a given-up message back after the yield when no replica reaches the PBX, so it still gets a banner', async () => {
    const a = await replica('a');
    directory.join('200', participant('200', 1));
    await a.service.watch('pbx1', '200', conv, alice);
    await settled();
    const name = [...a.member.wanted][0] ?? '';
    a.link = false;
    await settled();
    expect(cluster.holder(name)).toBeUndefined();
    await clock.advance(5000);
    await settled();
    expect(cluster.holder(name)).toBe(a.member);
  });
});
