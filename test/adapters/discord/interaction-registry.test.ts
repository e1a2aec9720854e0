import { describe, expect, it } from 'vitest';
import { INTERACTION_TTL_MS, InteractionRegistry } from '../../../adapters/discord/memory.ts';

describe('InteractionRegistry', () => {
  it('forgets interactions whose 15-minute token has expired as new ones arrive', () => {
    let now = 1_000;
    const registry = new InteractionRegistry(() => now);
    const first = registry.add('t1', 'command', () => Promise.resolve());
    registry.add('t2', 'component', () => Promise.resolve());
    expect(registry.size).toBe(2);
    now += INTERACTION_TTL_MS + 1;
    const third = registry.add('t3', 'component', () => Promise.resolve());
    expect(registry.size).toBe(1);
    expect(registry.get(first.id)).toBeUndefined();
    expect(registry.get(third.id)?.token).toBe('t3');
  });

  it('does not answer for an interaction past its token life even before it is dropped', () => {
    let now = 0;
    const registry = new InteractionRegistry(() => now);
    const item = registry.add('t1', 'command', () => Promise.resolve());
    now = INTERACTION_TTL_MS + 1;
    expect(registry.get(item.id)).toBeUndefined();
  });

  it('defers once, with the visibility of the first call, however often it is asked', async () => {
    const calls: boolean[] = [];
    const registry = new InteractionRegistry(() => 0);
    const item = registry.add('t1', 'command', (ephemeral) => {
      calls.push(ephemeral);
      return Promise.resolve();
    });
    await Promise.all([item.defer(false), item.defer(true)]);
    await item.defer(true);
    expect(calls).toEqual([false]);
    expect(item.ephemeral()).toBe(false);
  });
});
