import { describe, expect, it } from 'vitest';
import { commandTable } from '../../../src/core/commands.ts';
import { renderReply } from '../../../adapters/slack/render.ts';
import { TABLE_CELL_MAX } from '../../../adapters/slack/render-table.ts';
import { replyView } from '../views.ts';

/** Replies: tables that cut nothing, and text from the PBX that cannot reformat the message. */

function sectionTexts(view: Parameters<typeof renderReply>[0]): { text: string; verbatim: boolean | undefined }[] {
  return renderReply(view).blocks.flatMap((b) => (b.type === 'section' && b.text !== undefined
    ? [{ text: b.text.text, verbatim: b.text.type === 'mrkdwn' ? b.text.verbatim : undefined }]
    : []));
}

/** What a reader sees of escaped mrkdwn: the three entities undone. */
const shown = (mrkdwn: string): string => mrkdwn.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('Slack reply tables', () => {
  it('shows every help line whole, usage and description, with nothing cut', () => {
    const rows = commandTable().map(([usage, summary]) => [usage, summary]);
    expect(rows.some(([, summary]) => (summary ?? '').length > TABLE_CELL_MAX)).toBe(true);
    const text = shown(sectionTexts(replyView('Commands.', { table: { columns: ['Command', 'What it does'], rows } })).map((s) => s.text).join('\n'));
    for (const [usage = '', summary = ''] of rows) {
      expect(text).toContain(`\`${usage}\``);
      expect(text).toContain(summary);
    }
    expect(text).not.toContain('…');
  });

  it('keeps a short table as a fixed-width code block', () => {
    const [, table] = sectionTexts(replyView('Queue.', { table: { columns: ['#', 'Caller', 'Waiting'], rows: [['1', 'Tim', '0:12']] } }));
    expect(table?.text).toBe('```\n#  Caller  Waiting\n1  Tim     0:12\n```');
  });

  it('does not cut a caller name longer than a table column: the rows become a labelled list', () => {
    const name = 'Bartholomew Fitzgerald-Montgomery of Accounts';
    const [, table] = sectionTexts(replyView('Queue.', { table: { columns: ['#', 'Caller', 'Waiting'], rows: [['1', name, '0:12']] } }));
    expect(table?.text).toBe(`• \`1\` — Caller: ${name} · Waiting: 0:12`);
  });

  it('does not let a name with three backticks close the code fence', () => {
    const [, table] = sectionTexts(replyView('Queue.', { table: { columns: ['#', 'Caller'], rows: [['1', 'Tim```*pwned*'], ['2', 'Ann']] } }));
    const fences = (table?.text ?? '').match(/```/g) ?? [];
    expect(fences).toHaveLength(2);
    expect(table?.text.startsWith('```\n')).toBe(true);
    expect(table?.text.endsWith('\n```')).toBe(true);
  });

  it('does not let a lone backtick or a star in a listed name format the line', () => {
    const name = `${'x'.repeat(TABLE_CELL_MAX)} \`*bold*`;
    const [, table] = sectionTexts(replyView('Calls.', { table: { columns: ['Ref', 'Caller'], rows: [['7', name]] } }));
    expect(table?.text.replace('`7`', '')).not.toMatch(/[`*]/);
  });
});

describe('Slack reply text', () => {
  it('marks every reply section verbatim, so Slack links nothing in a caller name', () => {
    const sections = sectionTexts(replyView('Muted #sales https://x.example (701).', { table: { columns: ['Room'], rows: [['200']] } }));
    expect(sections.length).toBeGreaterThanOrEqual(2);
    for (const s of sections) expect(s.verbatim).toBe(true);
  });

  it('escapes a caller name in the text: no mention, no bold or italics, no entity', () => {
    const [body] = sectionTexts(replyView('Muted <!channel> *Tim* _x_ ~y~ &amp; (701) in 200.', { title: '*Room* <@U1>' }));
    expect(body?.text).toBe(':information_source: *∗Room∗ &lt;@U1&gt;*\nMuted &lt;!channel&gt; ∗Tim∗ ＿x＿ ∼y∼ &amp;amp; (701) in 200.');
  });

  it('keeps the core\'s `code` spans and line breaks', () => {
    const [body] = sectionTexts(replyView('2 calls.\nUse `listen call <ref> [sensor]`.'));
    expect(body?.text).toBe(':information_source: 2 calls.\nUse `listen call &lt;ref&gt; [sensor]`.');
  });
});
