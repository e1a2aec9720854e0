import { describe, expect, it } from 'vitest';
import { renderReply, renderView, type MessageBody } from '../../../adapters/discord/render.ts';
import { PICK_PARTICIPANT_ID } from '../../../adapters/discord/render-status.ts';
import { buttonView, replyView, rowView, statusView } from '../views.ts';

/** Every rendered body must stay inside Discord's embed and component limits. */

interface EmbedShape {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
  footer?: { text: string };
}

interface ComponentShape {
  type: number;
  label?: string;
  custom_id?: string;
  options?: { label: string; value: string; description?: string }[];
}

function limitProblems(body: MessageBody): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  check(body.content.length <= 2000, 'content > 2000');
  check(body.embeds.length <= 10, 'more than 10 embeds');
  let total = 0;
  for (const e of body.embeds as EmbedShape[]) {
    check((e.title ?? '').length <= 256, 'title > 256');
    check((e.description ?? '').length <= 4096, 'description > 4096');
    check((e.fields ?? []).length <= 25, 'more than 25 fields');
    for (const f of e.fields ?? []) {
      check(f.name.length <= 256, 'field name > 256');
      check(f.value.length <= 1024 && f.value.length > 0, 'field value empty or > 1024');
      total += f.name.length + f.value.length;
    }
    check((e.footer?.text ?? '').length <= 2048, 'footer > 2048');
    total += (e.title ?? '').length + (e.description ?? '').length + (e.footer?.text ?? '').length;
  }
  check(total <= 6000, `embeds total ${total} > 6000`);
  check(body.components.length <= 5, 'more than 5 action rows');
  const ids = new Set<string>();
  for (const row of body.components) {
    const parts = row.components as ComponentShape[];
    const selects = parts.filter((c) => c.type === 3);
    check(parts.length <= 5 && (selects.length === 0 || parts.length === 1), 'row over capacity');
    for (const c of parts) {
      check((c.label ?? '').length <= 80, 'button label > 80');
      if (c.custom_id !== undefined) {
        check(c.custom_id.length <= 100, 'custom_id > 100');
        check(!ids.has(c.custom_id), `duplicate custom_id ${c.custom_id}`);
        ids.add(c.custom_id);
      }
      check((c.options ?? []).length <= 25, 'more than 25 options');
      for (const o of c.options ?? []) check(o.label.length <= 100 && o.value.length <= 100 && (o.description ?? '').length <= 100, 'option text > 100');
    }
  }
  return problems;
}

const LONG_UNICODE = 'Zoë Ångström-Þórsdóttir 🎧📞 Łódź Müller-Šćepanović 東京本社会議室 ';

function longRow(i: number): ReturnType<typeof rowView> {
  return rowView(i, {
    key: `1700000000.${i}`,
    name: `${LONG_UNICODE.repeat(3)}#${i}`,
    number: `+4930${String(1_000_000 + i)}`,
    topic: `${LONG_UNICODE.repeat(4)} topic ${i}`,
    talking: i % 3 === 0,
    muted: i % 2 === 0,
  });
}

const pageAction = (page: number): string => `v1|p|pbx1|200|${page}`;

describe('Discord status rendering', () => {
  for (const size of [1, 10, 60, 300]) {
    it(`stays inside every Discord limit with ${size} participants with long Unicode names`, () => {
      const view = statusView('200', Array.from({ length: size }, (_, i) => longRow(i + 1)), { banner: 'PBX unreachable since 12:03, reconnecting' });
      const pages = Math.ceil(size / 25);
      for (let page = 0; page < pages; page++) {
        const { body } = renderView(view, { page, pageAction });
        expect(limitProblems(body)).toEqual([]);
      }
    });
  }

  it('shows a line-quality mark, with the loss when it matters, only for rows that carry one', () => {
    const { body } = renderView(statusView('200', [rowView(1, { line: { mark: 'fair', lossPct: 4 } }), rowView(2)]), { page: 0, pageAction });
    const text = JSON.stringify(body.embeds);
    expect(text).toContain('🟡 fair line, 4% loss');
    expect(text.match(/ line/g)).toHaveLength(1);
  });

  it('gives each participant buttons in a small room', () => {
    const { body } = renderView(statusView('200', [rowView(1), rowView(2)]), { page: 0, pageAction });
    const ids = body.components.flatMap((r) => (r.components as ComponentShape[]).map((c) => c.custom_id));
    expect(ids).toEqual(['v1:lock', 'v1:muteall', 'v1:mute:1', 'v1:kick:1', 'v1:mute:2', 'v1:kick:2']);
  });

  it('offers a participant menu instead of buttons when they do not fit, and pages past 25', () => {
    const view = statusView('200', Array.from({ length: 60 }, (_, i) => rowView(i + 1)));
    const { body, page } = renderView(view, { page: 2, pageAction });
    const parts = body.components.flatMap((r) => r.components as ComponentShape[]);
    const select = parts.find((c) => c.custom_id === PICK_PARTICIPANT_ID);
    expect(page).toBe(2);
    expect(select?.options?.map((o) => o.value)).toEqual(Array.from({ length: 10 }, (_, i) => `1700000000.${51 + i}`));
    expect(parts.filter((c) => c.label === '◀ Prev' || c.label === 'Next ▶').map((c) => c.custom_id)).toEqual([pageAction(1), pageAction(2)]);
    expect((body.embeds[0] as EmbedShape).footer?.text).toContain('page 3 of 3');
  });

  it('escapes markdown and mentions in names and topics', () => {
    const row = rowView(1, { name: '@everyone **boss** <@123> `x`', topic: '@here _hi_ [click](https://evil.example)' });
    const { body } = renderView(statusView('200', [row]), { page: 0, pageAction });
    const description = (body.embeds[0] as EmbedShape).description ?? '';
    expect(description).toContain('\\@everyone \\*\\*boss\\*\\* \\<\\@123> \\`x\\`');
    expect(description).toContain('\\@here \\_hi\\_ \\[click](https://evil.example)');
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it('shows an ended room as a summary without buttons', () => {
    const view = statusView('200', [], {
      ended: { durationSec: 3600, peakSize: 300, attendees: Array.from({ length: 300 }, (_, i) => `${LONG_UNICODE}${i}`), actions: Array.from({ length: 200 }, (_, i) => `alice muted caller ${i}`) },
      buttons: [],
    });
    const { body } = renderView(view, { page: 0, pageAction });
    expect(body.components).toEqual([]);
    expect(limitProblems(body)).toEqual([]);
    expect((body.embeds[0] as EmbedShape).title).toBe('Room 200 ended · pbx1');
  });
});

describe('Discord reply rendering', () => {
  it('keeps the core\'s markdown but lets no name form a mention', () => {
    const body = renderReply(replyView('Kicked @everyone <@123> from `200`. Try `@here`.'));
    expect((body.embeds[0] as EmbedShape).description).toBe('Kicked \\@everyone \\<\\@123> from `200`. Try `@here`.');
  });

  it('keeps a long table and many buttons inside the limits, with a link button first', () => {
    const table = { columns: ['room', 'people'], rows: Array.from({ length: 500 }, (_, i) => [`${LONG_UNICODE}${i}`, String(i)]) };
    const buttons = Array.from({ length: 40 }, (_, i) => buttonView(`v1|x|${i}`, `Button ${i}`));
    const body = renderReply(replyView('x'.repeat(5000), { table, buttons, link: { url: 'https://bot.example/listen/abc', label: 'Listen' }, correlationId: 'c-1' }));
    expect(limitProblems(body)).toEqual([]);
    expect((body.components[0]?.components[0] as { url?: string }).url).toBe('https://bot.example/listen/abc');
    expect((body.embeds[0] as EmbedShape).footer?.text).toBe('ref c-1');
  });
});
