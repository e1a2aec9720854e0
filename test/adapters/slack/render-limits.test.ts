import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertView, ButtonView, ParticipantRowView, ReplyView, StatusView } from '../../../src/core/views.ts';
import { renderAlert, renderReply, renderStatus } from '../../../adapters/slack/render.ts';
import { SLACK_LIMITS } from '../../../adapters/slack/index.ts';
import { pageCountOf, pagedStatusView } from '../../../src/core/paging.ts';
import { slackLimitViolations } from './limits-check.ts';

/** Property: whatever the room size and however long the names, no rendered view breaks a Slack limit. */

const nasty = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.string({ unit: fc.constantFrom('<', '>', '&', '*', '😀', 'é', ' ', '\n', 'a'), maxLength: 600 }),
);

const confirm = fc.option(
  fc.record({ title: nasty, text: nasty, confirm: nasty, deny: nasty }),
  { nil: undefined },
);

const buttonArb: fc.Arbitrary<ButtonView> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 100 }),
  label: nasty,
  style: fc.constantFrom('primary', 'danger', 'default'),
  confirm,
});

const rowArb: fc.Arbitrary<ParticipantRowView> = fc.record({
  key: fc.string({ minLength: 1, maxLength: 20 }),
  name: nasty,
  number: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  usernum: fc.option(fc.nat(999), { nil: undefined }),
  tech: fc.string({ maxLength: 60 }),
  muted: fc.boolean(),
  mutedBy: fc.constantFrom('self', 'admin', undefined),
  talking: fc.boolean(),
  admin: fc.boolean(),
  marked: fc.boolean(),
  topic: fc.option(nasty, { nil: undefined }),
  inRoomSec: fc.nat(1_000_000),
  buttons: fc.array(buttonArb, { maxLength: 7 }),
});

const statusArb: fc.Arbitrary<StatusView> = fc.record({
  kind: fc.constant('status' as const),
  pbx: fc.string({ minLength: 1, maxLength: 80 }),
  room: fc.string({ minLength: 1, maxLength: 200 }),
  count: fc.nat(1000),
  flags: fc.record({ locked: fc.boolean(), recording: fc.boolean(), muzak: fc.boolean(), stream: fc.boolean() }),
  runningSec: fc.nat(1_000_000),
  rows: fc.array(rowArb, { maxLength: 250 }),
  buttons: fc.array(buttonArb, { maxLength: 14 }),
  banner: fc.option(nasty, { nil: undefined }),
  ended: fc.option(
    fc.record({
      durationSec: fc.nat(1_000_000),
      peakSize: fc.nat(1000),
      attendees: fc.array(nasty, { maxLength: 300 }),
      actions: fc.array(nasty, { maxLength: 100 }),
    }),
    { nil: undefined },
  ),
  updatedAt: fc.nat(2_000_000_000_000),
});

const PER_PAGE = SLACK_LIMITS.maxRowsPerPage ?? 40;
/** As the core sends it: one page of Slack's row budget. */
const paged = (view: StatusView, page: number): StatusView => pagedStatusView(view, page, PER_PAGE);

describe('Slack rendering stays within Block Kit limits', () => {
  it('holds for any status view on any page', () => {
    fc.assert(
      fc.property(statusArb, fc.nat(30), (view, page) => {
        const out = renderStatus(paged(view, page));
        expect(slackLimitViolations(out.blocks, out.text)).toEqual([]);
        expect(out.page).toBeLessThan(out.pageCount);
        // Unpaged (a view that bypassed the core's paging): the safety net still keeps it valid.
        const raw = renderStatus(view);
        expect(slackLimitViolations(raw.blocks, raw.text)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('shows every participant on exactly one of the core\'s pages, or counts those Block Kit could not hold', () => {
    fc.assert(
      fc.property(statusArb.filter((v) => v.ended === undefined), (view) => {
        const first = renderStatus(paged(view, 0));
        expect(first.pageCount).toBe(pageCountOf(view.rows.length, PER_PAGE));
        let shown = 0;
        for (let p = 0; p < first.pageCount; p++) {
          const page = paged(view, p);
          const out = renderStatus(page);
          const cut = Number(/(\d+) more not shown/.exec(JSON.stringify(out.blocks))?.[1] ?? 0);
          const bannerSections = view.banner === undefined ? 0 : 1;
          expect(out.blocks.filter((b) => b.type === 'section').length - bannerSections + cut).toBe(page.rows.length);
          const pager = JSON.stringify(out.blocks).match(/Showing (\d+)–(\d+) of (\d+)/);
          if (first.pageCount === 1) {
            expect(pager).toBeNull();
            shown = view.rows.length;
          } else {
            expect(Number(pager?.[1])).toBe(shown + 1);
            shown = Number(pager?.[2]);
            expect(Number(pager?.[3])).toBe(view.rows.length);
          }
        }
        expect(shown).toBe(view.rows.length);
      }),
      { numRuns: 60 },
    );
  });

  it('holds for any reply view', () => {
    const reply: fc.Arbitrary<ReplyView> = fc.record({
      kind: fc.constant('reply' as const),
      tone: fc.constantFrom('info', 'success', 'warning', 'error'),
      title: fc.option(nasty, { nil: undefined }),
      text: fc.oneof(nasty, fc.string({ minLength: 3000, maxLength: 8000 })),
      table: fc.option(
        fc.record({
          columns: fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 6 }),
          rows: fc.array(fc.array(fc.string({ maxLength: 60 }), { maxLength: 6 }), { maxLength: 300 }),
        }),
        { nil: undefined },
      ),
      link: fc.option(fc.record({ url: fc.webUrl(), label: nasty }), { nil: undefined }),
      buttons: fc.array(buttonArb, { maxLength: 60 }),
      correlationId: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(reply, (view) => {
        const out = renderReply(view);
        expect(slackLimitViolations(out.blocks, out.text)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('holds for any alert view', () => {
    const alert: fc.Arbitrary<AlertView> = fc.record({
      kind: fc.constant('alert' as const),
      severity: fc.constantFrom('info', 'warning', 'critical'),
      title: nasty,
      text: fc.oneof(nasty, fc.string({ minLength: 3000, maxLength: 15_000 })),
      fields: fc.array(fc.tuple(nasty, nasty), { maxLength: 40 }),
      buttons: fc.array(buttonArb, { maxLength: 30 }),
      ackedBy: fc.option(nasty, { nil: undefined }),
      at: fc.nat(2_000_000_000_000),
    });
    fc.assert(
      fc.property(alert, (view) => {
        const out = renderAlert(view);
        expect(slackLimitViolations(out.blocks, out.text)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
