import { afterEach, describe, expect, it } from 'vitest';
import { PlatformRateLimitedError, type RateLimitScope } from '../../src/core/adapter-errors.ts';
import type { Actor, Conversation } from '../../src/core/adapter.ts';
import { RateLimitScopes } from '../../src/core/rate-limit-scopes.ts';
import { StatusService } from '../../src/core/status.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { FakeAdapter, FakeClock, FakeDirectory, fakeRender, participant } from './status-fakes.ts';

/** A 429 holds back the messages in its scope only: a busy channel or route bucket does not stall the others. */

const alice: Actor = { platform: 'slack', userId: 'U1', displayName: 'alice', groups: [] };
const c1: Conversation = { platform: 'slack', id: 'C1', workspace: 'T1' };
const c2: Conversation = { platform: 'slack', id: 'C2', workspace: 'T1' };
const c3: Conversation = { platform: 'slack', id: 'C3', workspace: 'T2' };

const running: StatusService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

/** Three rooms watched in C1, C2 (same workspace) and C3 (another), each past its post interval. */
async function threeMessages(): Promise<{ clock: FakeClock; directory: FakeDirectory; adapter: FakeAdapter; ids: string[] }> {
  const clock = new FakeClock();
  const directory = new FakeDirectory(clock);
  const adapter = new FakeAdapter(clock);
  const service = new StatusService({
    directory, adapters: new Map([['slack', adapter]]), store: new MemoryStore(), render: fakeRender, clock, random: () => 0.5,
  });
  await service.start();
  running.push(service);
  const rooms = ['200', '201', '202'];
  for (const room of rooms) directory.join(room, participant(room, 1));
  for (const [i, c] of [c1, c2, c3].entries()) await service.watch('pbx1', rooms[i] ?? '', c, alice);
  await clock.advance(5000);
  return { clock, directory, adapter, ids: adapter.posts.map((p) => p.ref.id) };
}

/** Answers the edit of room 200 (in C1) with a 4 s 429 in `scope`, then changes all three rooms; edit times by message, from the 429. */
async function after429(scope: RateLimitScope): Promise<number[][]> {
  const { clock, directory, adapter, ids } = await threeMessages();
  adapter.failNext(new PlatformRateLimitedError('slack', 4000, scope));
  directory.join('200', participant('200', 2));
  const blockedAt = clock.now();
  await clock.advance(0);
  directory.join('201', participant('201', 2));
  directory.join('202', participant('202', 2));
  await clock.advance(6000);
  return ids.map((id) => adapter.editsOf(id).map((e) => e.at - blockedAt));
}

describe('status edits back off per rate-limit scope', () => {
  it("holds back every message in the answered message's workspace, and no other (Slack)", async () => {
    expect(await after429({ kind: 'workspace', key: 'chat.update' })).toEqual([[4000], [4000], [0]]);
  });

  it("holds back only the answered message's channel", async () => {
    expect(await after429({ kind: 'channel', key: 'messages' })).toEqual([[4000], [0], [0]]);
  });

  it('holds back only messages answered with the same route bucket', async () => {
    expect(await after429({ kind: 'route', key: 'bucket-a:C1' })).toEqual([[4000], [0], [0]]);
  });
});

describe('RateLimitScopes', () => {
  it('puts a message in a route bucket once it has been answered with it', async () => {
    const clock = new FakeClock();
    const scopes = new RateLimitScopes(clock);
    const a = scopes.forMessage('discord', c1);
    const b = scopes.forMessage('discord', c2);
    const bucket: RateLimitScope = { kind: 'route', key: 'patch-message' };
    a.extend(bucket, clock.now() + 1000);
    expect(b.until).toBe(0);
    b.extend(bucket, clock.now() + 500);
    expect(b.until).toBe(clock.now() + 1000);
    a.extend(bucket, clock.now() + 3000);
    expect(b.until).toBe(clock.now() + 3000);
    expect(scopes.forMessage('discord', c3).until).toBe(0);
  });

  it('keeps platforms and workspaces apart, and a workspace block covers its channels', () => {
    const clock = new FakeClock();
    const scopes = new RateLimitScopes(clock);
    scopes.forMessage('slack', c1).extend({ kind: 'workspace', key: 'chat.update' }, clock.now() + 2000);
    expect(scopes.forMessage('slack', c2).until).toBe(clock.now() + 2000);
    expect(scopes.forMessage('slack', c3).until).toBe(0);
    expect(scopes.forMessage('discord', c2).until).toBe(0);
  });

  it('drops blocks that have ended', async () => {
    const clock = new FakeClock();
    const scopes = new RateLimitScopes(clock);
    const a = scopes.forMessage('slack', c1);
    a.extend({ kind: 'channel', key: 'x' }, clock.now() + 1000);
    await clock.advance(2000);
    a.extend({ kind: 'route', key: 'y' }, clock.now() + 1000);
    expect(scopes.size).toBe(1);
  });
});
