import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed } from 'discord.js';
import { formatClock, type AlertView, type ReplyView, type TableView, type Tone, type View } from '../../src/core/views.ts';
import { buttonComponent, buttonRows, linkButton } from './components.ts';
import { CONTENT_MAX, EMBED } from './limits.ts';
import { renderStatus } from './render-status.ts';
import { inCodeBlock, literal, truncate, withoutMentions } from './text.ts';

/**
 * Views → Discord message bodies (REST JSON). Every body says `allowed_mentions: { parse: [] }`:
 * nothing the bot writes pings anyone, whatever a caller name or topic contains.
 */

export interface MessageBody {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
  allowed_mentions: { parse: []; roles?: string[] };
}

const TONE_COLOR: Readonly<Record<Tone, number>> = { info: 0x3498db, success: 0x2ecc71, warning: 0xe67e22, error: 0xe74c3c };
const SEVERITY_COLOR: Readonly<Record<AlertView['severity'], number>> = { info: 0x3498db, warning: 0xe67e22, critical: 0xe74c3c };

export const NO_MENTIONS = { parse: [] } as { parse: [] };

function body(embeds: APIEmbed[], components: MessageBody['components']): MessageBody {
  return { content: '', embeds, components, allowed_mentions: NO_MENTIONS };
}

/** A table as aligned monospace text; the description budget decides how many rows fit. */
function tableText(table: TableView, budget: number): string {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(Math.min(widths[i] ?? 0, 40))).join('  ').trimEnd();
  const lines = [line(table.columns)];
  let used = lines[0]?.length ?? 0;
  let shown = 0;
  for (const row of table.rows) {
    const l = line(row.map((c) => truncate(c, 40)));
    if (used + l.length + 1 > budget - 40) break;
    lines.push(l);
    used += l.length + 1;
    shown += 1;
  }
  if (shown < table.rows.length) lines.push(`… ${table.rows.length - shown} more`);
  return `\`\`\`\n${inCodeBlock(lines.join('\n'))}\n\`\`\``;
}

export function renderReply(view: ReplyView): MessageBody {
  const text = truncate(withoutMentions(view.text), EMBED.description - 200);
  const table = view.table === undefined ? '' : `\n${tableText(view.table, EMBED.description - text.length - 10)}`;
  const embed: APIEmbed = {
    ...(view.title !== undefined ? { title: truncate(view.title, EMBED.title) } : {}),
    description: truncate(`${text}${table}`, EMBED.description),
    color: TONE_COLOR[view.tone],
    ...(view.correlationId !== undefined ? { footer: { text: `ref ${view.correlationId}` } } : {}),
  };
  const buttons = view.buttons.map(buttonComponent);
  if (view.link !== undefined) buttons.unshift(linkButton(view.link.url, view.link.label));
  return body([embed], buttonRows(buttons));
}

export function renderAlert(view: AlertView): MessageBody {
  const embed: APIEmbed = {
    title: truncate(view.title, EMBED.title),
    description: truncate(withoutMentions(view.text), EMBED.description - 1500),
    color: SEVERITY_COLOR[view.severity],
    fields: view.fields.slice(0, 20).map(([name, value]) => ({ name: truncate(name, 200), value: truncate(value === '' ? '—' : withoutMentions(value), 200), inline: true })),
    footer: { text: truncate(`${formatClock(view.at)} UTC${view.ackedBy !== undefined ? ` · acknowledged by ${view.ackedBy}` : ''}`, 200) },
  };
  const rendered = body([embed], buttonRows(view.buttons.map(buttonComponent)));
  // The one mention the bot makes: the role an alert rule names, and only that role.
  if (view.mention === undefined || !/^\d{17,20}$/.test(view.mention)) return rendered;
  return { ...rendered, content: `<@&${view.mention}>`, allowed_mentions: { parse: [], roles: [view.mention] } };
}

export function renderView(view: View): MessageBody {
  if (view.kind === 'status') {
    const rendered = renderStatus(view);
    return body(rendered.embeds, rendered.components);
  }
  return view.kind === 'reply' ? renderReply(view) : renderAlert(view);
}

/** A short line of text (action notes), literal and within a message's content limit (escaping at most doubles it). */
export function noteBody(text: string): MessageBody {
  return { content: literal(truncate(text, CONTENT_MAX / 2)), embeds: [], components: [], allowed_mentions: NO_MENTIONS };
}
