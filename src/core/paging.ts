import { tryEncodeAction } from './actions.ts';
import type { ButtonView, StatusPageView, StatusView } from './views.ts';

/**
 * Paging of status messages, a view concern of the core: the rows of a room are split into pages of
 * at most the adapter's `maxRowsPerPage`, the view says which page it shows and how many there are,
 * and its Prev/Next buttons are core actions (`v1|p|pbx|room|n`, `n` zero-based) that the status
 * service answers by re-rendering the message on that page. Renderers only draw what they are given.
 */

/** How many pages `total` rows take at `perPage` a page; an empty room is one (empty) page. */
export function pageCountOf(total: number, perPage: number): number {
  return Math.max(1, Math.ceil(Math.max(0, total) / Math.max(1, Math.floor(perPage))));
}

/** `page` moved into the pages that exist: a room that shrank shows its last page instead of none. */
export function clampPage(page: number, total: number, perPage: number): number {
  const whole = Number.isFinite(page) ? Math.floor(page) : 0;
  return Math.min(Math.max(0, whole), pageCountOf(total, perPage) - 1);
}

/** Prev (unless on the first page) and Next (unless on the last); none when the ids cannot carry the names. */
export function pageButtons(pbx: string, room: string, page: number, pageCount: number): ButtonView[] {
  const buttons: ButtonView[] = [];
  const add = (to: number, label: string): void => {
    const id = tryEncodeAction({ kind: 'page', pbx, room, page: to });
    if (id !== undefined) buttons.push({ id, label, style: 'default', confirm: undefined });
  };
  if (page > 0) add(page - 1, '◀ Prev');
  if (page < pageCount - 1) add(page + 1, 'Next ▶');
  return buttons;
}

/** `Showing 41–80 of 100 · page 2 of 3`, numbers counted from 1 as people read them. */
export function pageLabel(page: StatusPageView): string {
  const last = page.first + page.shown - 1;
  return `Showing ${page.first}–${last} of ${page.total} · page ${page.page + 1} of ${page.pageCount}`;
}

/**
 * `view` cut to one page of `perPage` rows (the page clamped to those that exist). A view that fits
 * on one page, or an adapter that declares no budget (`perPage` undefined), is returned unchanged,
 * without `paging`.
 */
export function pagedStatusView(view: StatusView, page: number, perPage: number | undefined): StatusView {
  if (perPage === undefined || view.rows.length <= perPage) return view;
  const total = view.rows.length;
  const pageCount = pageCountOf(total, perPage);
  const shownPage = clampPage(page, total, perPage);
  const start = shownPage * Math.floor(perPage);
  const rows = view.rows.slice(start, start + Math.floor(perPage));
  // Page buttons need no PBX: turning a page of a message whose PBX is down still works.
  const buttons = view.ended === undefined ? pageButtons(view.pbx, view.room, shownPage, pageCount) : [];
  const paging: StatusPageView = { page: shownPage, pageCount, first: start + 1, shown: rows.length, total, buttons };
  return { ...view, rows, paging };
}

/** The zero-based page a view shows (0 when it is not paged). */
export function pageOf(view: StatusView): number {
  return view.paging?.page ?? 0;
}
