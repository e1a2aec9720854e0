import { describe, expect, it } from 'vitest';
import { leadershipOf, soloCoordination } from '../../src/kernel/coordination.ts';
import { FakeCluster } from '../helpers/fake-coordination.ts';

describe('coordination helpers', () => {
  it('makes one replica the leader of a name and hands the lead on when it dies', () => {
    const cluster = new FakeCluster();
    const [a, b] = [cluster.member('a'), cluster.member('b')];
    const told: string[] = [];
    leadershipOf(a, 'discord-gateway').onChange((leader) => told.push(`a:${leader}`));
    leadershipOf(b, 'discord-gateway').onChange((leader) => told.push(`b:${leader}`));
    expect(told).toEqual(['a:true']);
    cluster.kill(a);
    expect(told).toEqual(['a:true', 'b:true']);
  });

  it('lets a single process own everything and claim a key once until it expires', async () => {
    let now = 0;
    const solo = soloCoordination(() => now);
    expect(solo.fence('status:x')).toBeDefined();
    expect(await solo.claimOnce('k', 1000)).toBe(true);
    expect(await solo.claimOnce('k', 1000)).toBe(false);
    now = 1000;
    expect(await solo.claimOnce('k', 1000)).toBe(true);
  });
});
