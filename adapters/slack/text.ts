/**
 * Text helpers for Slack: mrkdwn escaping and length-bounded truncation. Slack counts limits in
 * characters of the final (escaped) string, so truncation measures after escaping.
 */

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

/** Escapes `raw` for mrkdwn and truncates it so the escaped result has at most `max` characters. */
export function fitMrkdwn(raw: string, max: number): string {
  const escaped = escapeMrkdwn(raw);
  if (escaped.length <= max) return escaped;
  if (max <= 0) return '';
  let out = '';
  for (const ch of raw) {
    const piece = escapeMrkdwn(ch);
    if (out.length + piece.length + ELLIPSIS.length > max) break;
    out += piece;
  }
  return out + ELLIPSIS;
}

/** Formats a duration in seconds as `45s`, `12m`, `1h 05m`. */
export function formatDuration(totalSec: number): string {
  const sec = Math.max(0, Math.floor(totalSec));
  if (sec < 60) return `${sec}s`;
  const minutes = Math.floor(sec / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
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
