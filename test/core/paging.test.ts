import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAction, encodeAction } from '../../src/core/actions.ts';
import { clampPage, pageButtons, pageCountOf, pagedStatusView, pageLabel } from '../../src/core/paging.ts';
import type { StatusView } from '../../src/core/views.ts';
import { participant, room } from './fakes.ts';
import { fakeRender } from './status-fakes.ts';

function viewOf(n: number): StatusView {
  const people = Array.from({ length: n }, (_, i) => participant('200', i + 1));
  return fakeRender({ pbx: 'pbx1', roomName: '200', room: room('200', people), available: true, since: 0, now: 0 });
}

describe('page split', () => {
  it('counts pages of a row budget, an empty room being one page', () => {
    expect(pageCountOf(0, 40)).toBe(1);
    expect(pageCountOf(40, 40)).toBe(1);
    expect(pageCountOf(41, 40)).toBe(2);
    expect(pageCountOf(300, 40)).toBe(8);
  });

  it('puts every row on exactly one page, in order, no page over budget', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 50 }), (n, perPage) => {
        const view = viewOf(n);
        const count = pageCountOf(n, perPage);
        const seen = [];
        for (let p = 0; p < count; p++) {
          const page = pagedStatusView(view, p, perPage);
          expect(page.rows.length).toBeLessThanOrEqual(perPage);
          expect(page.count).toBe(n);
          seen.push(...page.rows.map((r) => r.key));
        }
        expect(seen).toEqual(view.rows.map((r) => r.key));
      }),
    );
  });

  it('leaves a view that fits, or an adapter without a budget, unpaged', () => {
    const view = viewOf(5);
    expect(pagedStatusView(view, 3, 5)).toBe(view);
    expect(pagedStatusView(viewOf(500), 3, undefined).rows).toHaveLength(500);
  });

  it('says which rows of how many and which page of how many', () => {
    const page = pagedStatusView(viewOf(100), 1, 40);
    expect(page.paging).toMatchObject({ page: 1, pageCount: 3, first: 41, shown: 40, total: 100 });
    expect(pageLabel(page.paging ?? fail())).toBe('Showing 41–80 of 100 · page 2 of 3');
    expect(pageLabel(pagedStatusView(viewOf(100), 2, 40).paging ?? fail())).toBe('Showing 81–100 of 100 · page 3 of 3');
  });
});

function fail(): never {
  throw new Error('expected a paged view');
}

describe('page clamp', () => {
  it('shows the last page for a page beyond it, the first for a negative or broken one', () => {
    expect(clampPage(5, 100, 40)).toBe(2);
    expect(clampPage(-1, 100, 40)).toBe(0);
    expect(clampPage(Number.NaN, 100, 40)).toBe(0);
    expect(clampPage(1.7, 100, 40)).toBe(1);
    expect(pagedStatusView(viewOf(50), 9, 40).paging).toMatchObject({ page: 1, first: 41, shown: 10 });
  });
});

describe('page buttons', () => {
  const id = (page: number) => encodeAction({ kind: 'page', pbx: 'pbx1', room: '200', page });

  it('offers Next on the first page, Prev and Next in the middle, Prev on the last', () => {
    expect(pageButtons('pbx1', '200', 0, 3).map((b) => [b.label, b.id])).toEqual([['Next ▶', id(1)]]);
    expect(pageButtons('pbx1', '200', 1, 3).map((b) => b.id)).toEqual([id(0), id(2)]);
    expect(pageButtons('pbx1', '200', 2, 3).map((b) => b.label)).toEqual(['◀ Prev']);
    expect(pageButtons('pbx1', '200', 0, 1)).toEqual([]);
  });

  it('are core page actions v1|p|pbx|room|n that ask for no confirmation', () => {
    const [next] = pageButtons('pbx1', '200', 0, 2);
    expect(next?.id).toBe('v1|p|pbx1|200|1');
    expect(next?.confirm).toBeUndefined();
    expect(decodeAction(next?.id ?? '')).toEqual({ kind: 'page', pbx: 'pbx1', room: '200', page: 1 });
  });

  it('are left out when the ids cannot carry the names, the page line still shown', () => {
    expect(pageButtons('pbx one', '200', 0, 3)).toEqual([]);
    expect(pageButtons('pbx1', 'x'.repeat(90), 0, 3)).toEqual([]);
  });
});
