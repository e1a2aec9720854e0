import { describe, expect, it } from 'vitest';
import { encodeAction } from '../../../src/core/actions.ts';
import { adapterPageCodec, corePageCodec, PageMemory } from '../../../adapters/slack/paging.ts';
import { statusView } from '../views.ts';

describe('pager action ids', () => {
  it('uses the core page action for ordinary PBX and room names', () => {
    const id = corePageCodec.encode({ pbx: 'pbx1', room: '200', page: 3 });
    expect(id).toBe(encodeAction({ kind: 'page', pbx: 'pbx1', room: '200', page: 3 }));
    expect(corePageCodec.decode(id)).toEqual({ pbx: 'pbx1', room: '200', page: 3 });
  });

  it('falls back to its own ids for names the core ids cannot carry, and reads them back', () => {
    const target = { pbx: 'pbx one', room: 'Room/with|bars ✓', page: 2 };
    const id = corePageCodec.encode(target);
    expect(id.startsWith('slack.page:')).toBe(true);
    expect(corePageCodec.decode(id)).toEqual(target);
  });

  it('does not take other buttons for pager buttons', () => {
    expect(corePageCodec.decode(encodeAction({ kind: 'lock', pbx: 'pbx1', room: '200', on: true }))).toBeUndefined();
    expect(corePageCodec.decode('garbage')).toBeUndefined();
    expect(adapterPageCodec.decode('slack.page:x:y')).toBeUndefined();
  });
});

describe('PageMemory', () => {
  it('forgets the least recently drawn message past its size', () => {
    const memory = new PageMemory(2);
    const ref = (id: string) => ({ platform: 'slack', conversation: 'C1', id });
    memory.set(ref('1'), { view: statusView('a'), page: 1 });
    memory.set(ref('2'), { view: statusView('b'), page: 2 });
    memory.set(ref('1'), { view: statusView('a'), page: 3 });
    memory.set(ref('3'), { view: statusView('c'), page: 0 });
    expect(memory.get(ref('2'))).toBeUndefined();
    expect(memory.get(ref('1'))?.page).toBe(3);
  });
});
