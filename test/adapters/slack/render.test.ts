import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDuration, type ParticipantRowView, type StatusView } from '../../../src/core/views.ts';
import { renderAlert, renderReply, renderStatus } from '../../../adapters/slack/render.ts';
import { SLACK_LIMITS } from '../../../adapters/slack/index.ts';
import { pagedStatusView } from '../../../src/core/paging.ts';
import { visibleText } from '../fake-slack/visible-text.ts';
import { buttonView, replyView, rowView, statusView } from '../views.ts';

/** As the core sends it: one page of Slack's row budget. */
const render = (view: StatusView, page = 0) => renderStatus(pagedStatusView(view, page, SLACK_LIMITS.maxRowsPerPage));

describe('Block Kit rendering of status messages', () => {
  it('draws a small room: header, context line, a section per participant with its buttons, room buttons', () => {
    const view = statusView('200', [
      rowView(1, { talking: true, admin: true }),
      rowView(2, { muted: true, mutedBy: 'admin', topic: 'Budget review' }),
    ], { flags: { locked: true, recording: true, muzak: false, stream: false } });
    expect(render(view)).toMatchSnapshot();
  });

  it('shows a line-quality mark, with the loss when it matters, only for rows that carry one', () => {
    const view = statusView('200', [
      rowView(1, { line: { mark: 'poor', mos: 2.7, lossPct: 12 } }),
      rowView(2, { line: { mark: 'good', lossPct: undefined } }),
      rowView(3),
    ]);
    const text = visibleText(render(view).blocks);
    expect(text).toContain(':red_circle: poor line, MOS 2.7, 12% loss');
    expect(text).toContain(':large_green_circle: good line');
    expect(text.match(/ line/g)).toHaveLength(2);
  });

  it('draws an ended room as its summary, without buttons', () => {
    const view = statusView('200', [], {
      buttons: [],
      ended: { durationSec: 3725, peakSize: 4, attendees: ['Tim', 'Ann'], actions: ['alice muted Tim (701)'] },
    });
    const out = render(view);
    expect(out).toMatchSnapshot();
    expect(JSON.stringify(out.blocks)).not.toContain('"actions"');
  });

  it('draws the core\'s pages of a big room with its page line and Prev/Next page actions', () => {
    const rows = Array.from({ length: 100 }, (_, i) => rowView(i + 1));
    const out = render(statusView('big', rows), 1);
    expect(out.page).toBe(1);
    expect(out.pageCount).toBe(3);
    const text = visibleText(out.blocks);
    expect(text).toContain('Showing 41–80 of 100 · page 2 of 3');
    expect(text).toContain('◀ Prev');
    expect(text).toContain('Next ▶');
    expect(JSON.stringify(out.blocks)).toContain('v1|p|pbx1|big|2');
    expect(out.blocks.filter((b) => b.type === 'section')).toHaveLength(40);
    expect(visibleText(render(statusView('big', rows), 0).blocks)).toContain('Showing 1–40 of 100 · page 1 of 3');
    const last = visibleText(render(statusView('big', rows), 2).blocks);
    expect(last).toContain('Showing 81–100 of 100 · page 3 of 3');
    expect(last).not.toContain('Next ▶');
  });

  it('cuts and counts the rows of a view the core did not page, rather than break Block Kit', () => {
    const rows = Array.from({ length: 300 }, (_, i) => rowView(i + 1));
    const out = renderStatus(statusView('big', rows));
    const shown = out.blocks.filter((b) => b.type === 'section').length;
    expect(shown).toBeGreaterThan(0);
    expect(visibleText(out.blocks)).toContain(`${300 - shown} more not shown`);
    expect(out.blocks.length).toBeLessThanOrEqual(50);
  });

  it('shows the last page for a page beyond it', () => {
    const rows = Array.from({ length: 100 }, (_, i) => rowView(i + 1));
    expect(render(statusView('big', rows), 99).page).toBe(2);
  });

  it('folds Mute and Kick into one menu per row in a room too big for a page of buttons, Kick asking first', () => {
    const rows = Array.from({ length: 30 }, (_, i) => rowView(i + 1));
    const out = render(statusView('200', rows));
    expect(out.pageCount).toBe(1);
    const sections = out.blocks.filter((b) => b.type === 'section');
    expect(sections).toHaveLength(30);
    const menus = sections.map((b) => (b.type === 'section' && b.accessory?.type === 'overflow' ? b.accessory.options : undefined));
    expect(menus.every((m) => m !== undefined)).toBe(true);
    expect(menus[2]?.map((o) => [o.text.text, o.value])).toEqual([['Mute', 'v1:mute:3'], ['Kick…', 'slack.ask:v1:kick:3']]);
    // Only the room buttons remain as an actions block.
    expect(out.blocks.filter((b) => b.type === 'actions')).toHaveLength(1);
  });

  it('keeps every row\'s buttons, Kick with its dialog, while a page of buttons fits', () => {
    const rows = Array.from({ length: 10 }, (_, i) => rowView(i + 1));
    const out = render(statusView('200', rows));
    expect(JSON.stringify(out.blocks)).not.toContain('"overflow"');
    expect(out.blocks.filter((b) => b.type === 'actions')).toHaveLength(11);
  });

  it('shows durations as the core formats them', () => {
    const out = render(statusView('200', [rowView(1, { inRoomSec: 185 })], { runningSec: 754 }));
    const text = visibleText(out.blocks);
    expect(formatDuration(185)).toBe('3m 05s');
    expect(text).toContain('running 12m 34s');
    expect(text).toContain('· 3m 05s');
  });

  it('carries ButtonView.confirm into a Block Kit confirm dialog on kick and mute-all', () => {
    const json = JSON.stringify(render(statusView('200')).blocks);
    expect(json).toContain('"confirm":{"title":{"type":"plain_text","text":"Kick?","emoji":true},"text":{"type":"plain_text","text":"Kick Caller 1 out of the room?","emoji":true},"confirm":{"type":"plain_text","text":"Kick","emoji":true},"deny":{"type":"plain_text","text":"Cancel","emoji":true},"style":"danger"}');
    expect(json).toContain('"text":"Mute everyone?"');
  });

  it('folds buttons without confirm into an overflow menu when a row no longer fits as buttons', () => {
    const plainButtons = [buttonView('v1:mute:x', 'Mute'), buttonView('v1:listen:x', 'Listen')];
    const rows = Array.from({ length: 30 }, (_, i) => rowView(i + 1, { buttons: plainButtons }));
    const out = render(statusView('200', rows));
    const overflows = out.blocks.filter((b) => b.type === 'section' && b.accessory?.type === 'overflow');
    expect(overflows.length).toBeGreaterThan(0);
    expect(out.pageCount).toBe(1);
  });

  it('gives a single button to its section as the accessory', () => {
    const out = render(statusView('200', [rowView(1, { buttons: [buttonView('v1:unmute:1', 'Unmute', { style: 'primary' })] })]));
    const row = out.blocks.find((b) => b.type === 'section' && b.accessory?.type === 'button');
    expect(row).toBeDefined();
  });

  it('escapes names so a caller cannot mention @channel or forge a link', () => {
    const out = render(statusView('200', [rowView(1, { name: '<!channel> & <https://evil|x>' })]));
    const text = visibleText(out.blocks);
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil|x&gt;');
    expect(out.text).not.toContain('<!channel>');
  });

  it('shows formatting characters in names and topics as look-alikes that format nothing', () => {
    const out = render(statusView('200', [rowView(1, { name: 'Tim *boss* _x_ ~y~ `z`', number: undefined, topic: 'Q&A *now*\nsecond line' })]));
    const [row] = out.blocks.filter((b) => b.type === 'section');
    const text = row?.type === 'section' ? row.text?.text : undefined;
    expect(text).toMatch(/^\*Tim ∗boss∗ ＿x＿ ∼y∼ ˋzˋ\* {2}/);
    expect(text).toMatch(/\n_Q&amp;A ∗now∗ second line_$/);
    expect(row?.type === 'section' ? row.text : undefined).toMatchObject({ verbatim: true });
  });

  it('numbers action ids uniquely even when the core repeats an id', () => {
    const dup = [buttonView('same', 'A'), buttonView('same', 'B')];
    const out = render(statusView('200', [rowView(1, { buttons: dup }), rowView(2, { buttons: dup })]));
    const ids = JSON.stringify(out.blocks).match(/"action_id":"[^"]+"/g) ?? [];
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('Block Kit rendering of replies and alerts', () => {
  it('draws a reply with title, table, link and correlation id', () => {
    const view = replyView('Two rooms are active.', {
      tone: 'success',
      title: 'Rooms',
      table: { columns: ['Room', 'People'], rows: [['200', '3'], ['<201>', '12']] },
      link: { url: 'https://bot.example.com/listen?t=a|b', label: 'Listen live' },
      correlationId: 'c0ffee',
    });
    expect(renderReply(view)).toMatchSnapshot();
  });

  it('draws an alert with severity, fields and the acknowledgement', () => {
    expect(renderAlert({
      kind: 'alert',
      severity: 'critical',
      title: 'Call dropped in room 200',
      text: 'Tim (701) hung up abnormally.',
      fields: [['Cause', '16 Normal Clearing'], ['PBX', 'pbx1']],
      buttons: [buttonView('v1:ack:9', 'Acknowledge', { style: 'primary' })],
      ackedBy: 'alice',
      at: 1_700_000_000_000,
    })).toMatchSnapshot();
  });
});

/**
 * Property: whatever callers are called and whatever topic they set, a status message never carries
 * a live mention or link from them, never an entity other than the three escapes, and every row
 * keeps its shape: `*name*  details`, then `_topic_` — no stray bold, italic, strike or code marker.
 */
describe('mrkdwn injection through names and topics', () => {
  const hostile = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: fc.constantFrom('<', '>', '&', '!', '|', '@', '*', '_', '~', '`', ' ', '\n', 'a', 'amp;', 'lt;', '#', ':'), maxLength: 120 }),
    fc.constantFrom('<!channel>', '<!here|here>', '<https://evil.example|click>', '<@U0ADMIN>', '*bold* _it_ ~s~ `c`', '&lt;!channel&gt;'),
  );
  const rowArb = fc.record({
    name: hostile,
    number: fc.option(hostile, { nil: undefined }),
    topic: fc.option(hostile, { nil: undefined }),
    tech: hostile,
  });
  // Emoji codes and the `#usernum` are the renderer's own; what is left must hold no marker.
  const OWN = /:[a-z_]+:/g;
  const entitiesOk = (text: string): boolean => !/&(?!amp;|lt;|gt;)/.test(text);

  it('never lets a name or topic mention, link, or break the row\'s formatting', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 60 }), (specs) => {
        const rows: ParticipantRowView[] = specs.map((spec, i) => rowView(i + 1, spec));
        const view = statusView('200', rows);
        for (let page = 0; page < 3; page++) {
          const out = render(view, page);
          expect(out.text).not.toMatch(/[<>]/);
          expect(entitiesOk(out.text)).toBe(true);
          for (const block of out.blocks) {
            if (block.type !== 'section' || block.text === undefined) continue;
            const text = block.text.text;
            expect(text).not.toMatch(/[<>]/);
            expect(entitiesOk(text)).toBe(true);
            const shape = /^(?:\*([^\n]+)\* {2})?([^\n]*)(?:\n_([^\n]+)_)?$/.exec(text);
            expect(shape, text).not.toBeNull();
            const [, name = '', details = '', topic = ''] = shape ?? [];
            expect(name).not.toMatch(/[*_~`]|^\s|\s$/);
            expect(topic).not.toMatch(/[*_~`]|^\s|\s$/);
            expect(details.replace(OWN, '')).not.toMatch(/[*_~`]/);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
