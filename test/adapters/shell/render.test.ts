import { describe, expect, it } from 'vitest';
import { alignColumns, displayWidth, renderView } from '../../../adapters/shell/render.ts';
import { buildStatusView, replyView, type AlertView } from '../../../src/core/views.ts';
import { pagedStatusView } from '../../../src/core/paging.ts';
import { participant, room, T0 } from '../../core/fakes.ts';

const input = {
  pbx: 'pbx1', roomName: '200', available: true, since: T0, now: T0,
  room: room('200', [
    participant('200', 1, { callerName: 'Tim', callerNum: '701', muted: true, mutedBy: 'admin', topic: 'budget' }),
    participant('200', 12, { callerName: 'Alexandra Long-Name', callerNum: '712', talking: true, admin: true }),
  ], { locked: true, recording: true }),
};
const status = buildStatusView(input);

describe('shell renderer', () => {
  it('renders a status view with aligned participant columns and numbered buttons', () => {
    const { text, buttons } = renderView(status);
    expect(text).toMatchInlineSnapshot(`
      "Room 200 (pbx1): 2 people, running 10m 00s, locked, recording
        #   Name                 Number  Tech   State          Topic   In room  Buttons
        1   Tim                  701     PJSIP  muted(admin)   budget  1m 00s   [1] Unmute [2] Kick…
        12  Alexandra Long-Name  712     PJSIP  talking,admin          12m 00s  [3] Mute [4] Kick…
        [5] Unlock  [6] Mute all…
        updated 12:00 UTC"
    `);
    expect(buttons.map((b) => [b.number, b.button.label])).toEqual([[1, 'Unmute'], [2, 'Kick'], [3, 'Mute'], [4, 'Kick'], [5, 'Unlock'], [6, 'Mute all']]);
  });

  it('shows a line-quality mark in the State column for participants whose call a sensor sees', () => {
    const withLines = buildStatusView({ ...input, lines: new Map([['1700000000.1', { mark: 'poor' as const, mos: 2.7, lossPct: 12 }]]) });
    const { text } = renderView(withLines);
    expect(text).toMatch(/Tim .*muted\(admin\),line poor MOS 2\.7 12%/);
    expect(text).not.toMatch(/Alexandra.*line/);
  });

  it('renders the ended summary without buttons', () => {
    const ended = buildStatusView({
      pbx: 'pbx1', roomName: '200', available: true, since: T0, now: T0, room: room('200', [], { endedAt: T0 - 540_000, peakSize: 2 }),
      history: { attendees: ['Tim (701)'], actions: ['alice muted Tim (701)'] },
    });
    const { text, buttons } = renderView(ended);
    expect(text).toContain('Room 200 (pbx1) ended after 1m 00s, peak 2');
    expect(text).toContain('Attendees: Tim (701)');
    expect(text).toContain('- alice muted Tim (701)');
    expect(buttons).toEqual([]);
  });

  it('renders replies with tone, table, link, buttons and correlation id', () => {
    const view = replyView('2 waiting.', {
      tone: 'warning', title: 'Queue', table: { columns: ['#', 'Caller'], rows: [['1', 'Wendy'], ['10', 'Al']] },
      link: { url: 'http://127.0.0.1:8088/l/abc', label: 'Listen live' },
      buttons: [{ id: 'v1|ka|pbx1|200', label: 'Kick all', style: 'danger', confirm: undefined }], correlationId: 'c0ffee',
    });
    expect(renderView(view).text).toBe([
      'Queue', '! 2 waiting.', '  #   Caller', '  1   Wendy', '  10  Al', '  Listen live: http://127.0.0.1:8088/l/abc', '  [1] Kick all', '  (ref c0ffee)',
    ].join('\n'));
  });

  it('renders alerts with fields', () => {
    const alert: AlertView = { kind: 'alert', severity: 'critical', title: 'Call dropped', text: 'Tim left 200', fields: [['Cause', '34'], ['Room', '200']], buttons: [], ackedBy: 'bob', at: T0 };
    expect(renderView(alert).text).toBe('[critical] Call dropped\nTim left 200\n  Cause:  34\n  Room:   200\n  acknowledged by bob\n  at 12:00 UTC');
  });

  it('says a room watched ahead of its start has not started yet', () => {
    const waiting = buildStatusView({ pbx: 'pbx1', roomName: '900', available: true, since: T0, now: T0, room: undefined });
    const { text } = renderView(waiting);
    expect(text).toContain('! Room 900 has not started yet');
    expect(text).not.toContain('ended');
  });

  it('shows no head count or running time for a room that has not started', () => {
    const waiting = buildStatusView({ pbx: 'pbx1', roomName: '900', available: true, since: T0, now: T0, room: undefined });
    const header = renderView(waiting).text.split('\n')[0];
    expect(header).toBe('Room 900 (pbx1)');
  });

  it('shows the numbers the caller hands out', () => {
    const { text, buttons } = renderView(status, { color: false, numberOf: (b) => (b.label === 'Kick' ? 40 : 7) });
    expect(text).toContain('[7] Unmute [40] Kick…');
    expect(buttons.map((b) => b.number)).toEqual([7, 40, 7, 40, 7, 7]);
  });

  it('strips control characters (terminal escapes, bidi overrides) from names, topics and any outside text', () => {
    const evil = '\x1b]0;pwned\x07\x1b[2J\x1b[31mMallory\u202e\r\nfake line';
    const view = buildStatusView({
      pbx: 'pbx1', roomName: '200', available: true, since: T0, now: T0,
      room: room('200', [participant('200', 1, { callerName: evil, callerNum: '701', topic: `topic${evil}` })]),
    });
    const out = [
      renderView(view).text,
      renderView(replyView(`Muted ${evil}.`, { title: evil, table: { columns: ['Caller'], rows: [[evil]] }, link: { url: `http://x/${evil}`, label: evil } })).text,
      renderView({ kind: 'alert', severity: 'info', title: evil, text: evil, fields: [[evil, evil]], buttons: [], ackedBy: evil, at: T0 }).text,
      renderView(buildStatusView({ pbx: 'pbx1', roomName: '200', available: true, since: T0, now: T0, room: room('200', [], { endedAt: T0 }), history: { attendees: [evil], actions: [evil] } })).text,
    ].join('\n');
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    // One-line fields keep to one line, so a name cannot forge a line of its own.
    expect(renderView(view).text).toContain('Mallory fake line');
    expect(renderView(view).text).not.toMatch(/\nfake line/);
  });

  it('colours only when asked', () => {
    expect(renderView(replyView('x', { tone: 'error' }), { color: true }).text).toContain('\x1b[31m');
    expect(renderView(replyView('x', { tone: 'error' })).text).not.toContain('\x1b[');
  });
});

describe('shell renderer: terminal column widths', () => {
  it.each([
    ['ASCII', 'Tim', 3],
    ['an accented letter written with a combining mark', 'Rene\u0301', 4],
    ['CJK ideographs', '山田太郎', 8],
    ['Hangul syllables', '김민준', 6],
    ['fullwidth letters', 'ＡＢ', 4],
    ['an emoji', '🎉', 2],
    ['an emoji with a skin tone', '👍🏽', 2],
    ['a ZWJ family', '👨\u200d👩\u200d👧', 2],
    ['a flag', '🇯🇵', 2],
    ['a text symbol asked to show as emoji', '❤\ufe0f', 2],
    ['a text symbol left as text', '©', 1],
    ['a keycap', '1\ufe0f\u20e3', 2],
  ])('counts %s as it shows in a terminal', (_what, text, columns) => {
    expect(displayWidth(text)).toBe(columns);
  });

  it('aligns columns after names with emoji, combining marks and East Asian characters', () => {
    const lines = alignColumns([['Name', 'Topic', 'Tech'], ['山田太郎', '予算 🎉', 'PJSIP'], ['Rene\u0301', '👨\u200d👩\u200d👧 plan', 'SIP']]);
    const techColumn = lines.map((line) => displayWidth(line.slice(0, line.lastIndexOf('  ') + 2)));
    expect(new Set(techColumn).size).toBe(1);
    expect(lines).toEqual([
      'Name      Topic    Tech',
      '山田太郎  予算 🎉  PJSIP',
      'Rene\u0301      👨\u200d👩\u200d👧 plan  SIP',
    ]);
  });

  it('lines up the buttons of a participant whose name and topic are wide', () => {
    const wide = buildStatusView({
      pbx: 'pbx1', roomName: '200', available: true, since: T0, now: T0,
      room: room('200', [
        participant('200', 1, { callerName: '山田 🎧', callerNum: '701', topic: '予算' }),
        participant('200', 2, { callerName: 'Bob', callerNum: '702' }),
      ]),
    });
    const lines = renderView(wide).text.split('\n');
    const starts = lines.filter((l) => l.includes('[') && l.includes('Kick')).map((l) => displayWidth(l.slice(0, l.indexOf('['))));
    const header = lines.find((l) => l.includes('Buttons')) ?? '';
    expect(starts).toEqual([displayWidth(header) - 'Buttons'.length, displayWidth(header) - 'Buttons'.length]);
  });
});

describe('shell renderer: pages', () => {
  it('shows the core\'s page line with its Prev/Next buttons numbered like any other', () => {
    const people = Array.from({ length: 5 }, (_, i) => participant('200', i + 1));
    const big = buildStatusView({ pbx: 'pbx1', roomName: '200', available: true, since: T0, now: T0, room: room('200', people) });
    const { text, buttons } = renderView(pagedStatusView(big, 1, 2));
    expect(text).toContain('Showing 3–4 of 5 · page 2 of 3');
    const turns = buttons.filter((b) => b.button.id.startsWith('v1|p|'));
    expect(turns.map((b) => [b.button.label, b.button.id])).toEqual([['◀ Prev', 'v1|p|pbx1|200|0'], ['Next ▶', 'v1|p|pbx1|200|2']]);
    expect(text).toContain(`[${turns[0]?.number}]`);
  });
});
