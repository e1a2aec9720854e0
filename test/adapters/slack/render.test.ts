import { describe, expect, it } from 'vitest';
import type { StatusView } from '../../../src/core/views.ts';
import { renderAlert, renderReply, renderStatus } from '../../../adapters/slack/render.ts';
import { corePageCodec } from '../../../adapters/slack/paging.ts';
import { visibleText } from '../fake-slack/visible-text.ts';
import { buttonView, replyView, rowView, statusView } from '../views.ts';

const pageAction = (view: StatusView) => (page: number): string => corePageCodec.encode({ pbx: view.pbx, room: view.room, page });
const render = (view: StatusView, page = 0) => renderStatus(view, { page, pageAction: pageAction(view) });

describe('Block Kit rendering of status messages', () => {
  it('draws a small room: header, context line, a section per participant with its buttons, room buttons', () => {
    const view = statusView('200', [
      rowView(1, { talking: true, admin: true }),
      rowView(2, { muted: true, mutedBy: 'admin', topic: 'Budget review' }),
    ], { flags: { locked: true, recording: true, muzak: false, stream: false } });
    expect(render(view)).toMatchSnapshot();
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

  it('draws page 2 of a big room with Prev/Next buttons and the +N more line', () => {
    const rows = Array.from({ length: 40 }, (_, i) => rowView(i + 1));
    const out = render(statusView('big', rows), 1);
    expect(out.page).toBe(1);
    expect(out.pageCount).toBe(2);
    const text = visibleText(out.blocks);
    expect(text).toContain('Showing 23–40 of 40 · page 2/2');
    expect(text).toContain('◀ Prev');
    expect(text).not.toContain('Next ▶');
    expect(visibleText(render(statusView('big', rows), 0).blocks)).toContain('Showing 1–22 of 40 · +18 more · page 1/2');
  });

  it('clamps a page beyond the last to the last page', () => {
    const rows = Array.from({ length: 40 }, (_, i) => rowView(i + 1));
    expect(render(statusView('big', rows), 99).page).toBe(1);
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
