import type { ActionNote } from '../../src/core/adapter.ts';

/**
 * Text helpers for Slack: mrkdwn escaping and length-bounded truncation. Slack counts limits in
 * characters of the final (escaped) string, so truncation measures after escaping.
 */

const SLACK_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>' };

/**
 * Undoes the HTML escaping Slack applies to slash-command text (`&` → `&amp;`, `<` → `&lt;`,
 * `>` → `&gt;`), in one pass so that a typed `&lt;` (sent as `&amp;lt;`) stays `&lt;`. Slack escapes
 * no other entity, so no other is decoded.
 * @see https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export function unescapeSlackText(escaped: string): string {
  return escaped.replace(/&(amp|lt|gt);/g, (_, name: string) => SLACK_ENTITIES[name] ?? '');
}

/**
 * Look-alikes for the characters mrkdwn reads as formatting. Slack has no escape for them (a
 * backslash is shown as is), so text that must be shown literally inside `*…*` or `_…_` gets
 * characters that look the same but format nothing. Line breaks become spaces: bold and italics end
 * at a line break, so one inside a name would leave the closing marker dangling.
 */
const FORMATTING_LOOKALIKES: Readonly<Record<string, string>> = {
  '*': '\u2217', // ∗ asterisk operator
  '_': '\uFF3F', // ＿ fullwidth low line
  '~': '\u223C', // ∼ tilde operator
  '`': '\u02CB', // ˋ modifier letter grave accent
  '\n': ' ',
  '\r': ' ',
};

const ELLIPSIS = '…';

/**
 * Escapes the three characters Slack's mrkdwn treats as control characters, so user-supplied names
 * can never form a mention (`<!channel>`) or a link.
 * @see https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export function escapeMrkdwn(raw: string): string {
  return raw.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Cuts `text` to at most `max` characters, ending in an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = max - ELLIPSIS.length;
  if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  return text.slice(0, Math.max(0, cut)) + ELLIPSIS;
}

/**
 * Escapes `raw` so it is shown exactly as typed: no mention, link or entity (see `escapeMrkdwn`) and
 * no bold, italic, strike or code span. For people- and PBX-supplied text (names, topics).
 */
export function literalMrkdwn(raw: string): string {
  return escapeMrkdwn(raw.replace(/[*_~`\r\n]/g, (ch) => FORMATTING_LOOKALIKES[ch] ?? ' '));
}

/**
 * Core-written text as mrkdwn: the core marks commands as `code`; everything else may hold PBX- or
 * people-supplied names and topics, so outside code spans it is made literal (no bold, italic,
 * strike, or lone backtick from a name), line breaks kept, and everywhere it is escaped (no
 * mention, link or entity).
 */
export function textMrkdwn(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? escapeMrkdwn(part) : escapeMrkdwn(part.replace(/[*_~`]/g, (ch) => FORMATTING_LOOKALIKES[ch] ?? ' '))))
    .join('');
}

/** Escapes `raw` (with `escape`) and truncates it so the escaped result has at most `max` characters. */
export function fitMrkdwn(raw: string, max: number, escape: (raw: string) => string = escapeMrkdwn): string {
  const escaped = escape(raw);
  if (escaped.length <= max) return escaped;
  if (max <= 0) return '';
  let out = '';
  for (const ch of raw) {
    const piece = escape(ch);
    if (out.length + piece.length + ELLIPSIS.length > max) break;
    out += piece;
  }
  return out + ELLIPSIS;
}

/**
 * A Slack date token: every reader sees the time in their own time zone; the fallback (UTC) is what
 * clients that cannot format dates show.
 * @see https://docs.slack.dev/messaging/formatting-message-text#date-formatting
 */
export function slackTime(epochMs: number): string {
  const sec = Math.floor(epochMs / 1000);
  const fallback = new Date(sec * 1000).toISOString().slice(11, 19) + ' UTC';
  return `<!date^${sec}^{time_secs}|${fallback}>`;
}

/** A Slack user id as it may appear inside a mention (`<@U0123ABC>`). */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * An audit line for a status message's thread. A Slack actor is mentioned by id, so the name shown
 * stays current and links to the profile; anyone else (the shell's user) is named.
 */
export function threadNoteText(text: string, note: ActionNote | undefined): string {
  if (note !== undefined && note.actor.platform === 'slack' && SLACK_USER_ID.test(note.actor.userId)) {
    return `<@${note.actor.userId}> ${escapeMrkdwn(truncate(note.action, 2900))}`;
  }
  return escapeMrkdwn(truncate(text, 3000));
}
