import { escapeMarkdown } from 'discord.js';

/** Text helpers for Discord markdown: names from the PBX are shown literally and never mention anyone. */

/** Cuts `text` to at most `max` UTF-16 units without splitting a surrogate pair, marking the cut with `…`. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * A caller name or topic, shown as typed: markdown is escaped, and `@`, `<` and `[` are escaped so
 * `@everyone`, `<@123>` or a masked link `[text](url)` read as text (allowed_mentions is empty too,
 * so nothing could ping anyway).
 * Line breaks would let a name forge extra lines, so they become spaces.
 */
export function literal(text: string): string {
  return escapeMarkdown(text.replace(/[\r\n\u2028\u2029]+/g, ' ')).replace(/[@<[]/g, '\\$&');
}

/** Text inside a code block: a run of backticks would end it early. */
export function inCodeBlock(text: string): string {
  return text.replace(/```/g, "'''");
}

/**
 * Core-written text (replies, alerts) keeps its markdown (`code`, **bold**), but a name inside it
 * cannot form a mention or a channel link: `@` and `<` outside code spans are escaped.
 */
export function withoutMentions(text: string): string {
  return text.split(/(`[^`\n]*`)/).map((part, i) => (i % 2 === 1 ? part : part.replace(/[@<]/g, '\\$&'))).join('');
}
