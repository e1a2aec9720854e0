import { describe, expect, it } from 'vitest';
import { DrawnStatusViews } from '../../../adapters/slack/drawn-views.ts';
import { statusView } from '../views.ts';

describe('DrawnStatusViews', () => {
  it('forgets the least recently drawn message past its size', () => {
    const memory = new DrawnStatusViews(2);
    const ref = (id: string) => ({ platform: 'slack', conversation: 'C1', id });
    memory.set(ref('1'), statusView('a'));
    memory.set(ref('2'), statusView('b'));
    memory.set(ref('1'), statusView('a2'));
    memory.set(ref('3'), statusView('c'));
    expect(memory.get(ref('2'))).toBeUndefined();
    expect(memory.get(ref('1'))?.room).toBe('a2');
  });
});
