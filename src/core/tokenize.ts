/**
 * Splits command text into words. Double, single and typographic quotes (which Slack and macOS
 * substitute as people type) group words; a backslash escapes a quote inside double quotes.
 * Pure and total: it never throws, it answers with a reason instead.
 */

export const MAX_COMMAND_LENGTH = 500;
export const MAX_TOKENS = 24;

export type TokenizeResult =
  | { readonly ok: true; readonly tokens: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** C0 and C1 controls, DEL, and the Unicode line/paragraph separators: none belongs in a command. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/**
 * Characters that show nothing, so a name carrying one looks right yet matches nobody (and
 * renderers strip them from output, which hides why): the Unicode format characters (category Cf:
 * bidi overrides and isolates, zero-width spaces and joiners, the BOM, soft hyphens); the
 * default-ignorable code points outside Cf, which fonts draw as nothing (the Hangul fillers U+115F,
 * U+1160, U+3164 and U+FFA0, the combining grapheme joiner U+034F, variation selectors, U+180E);
 * and the braille blank U+2800, a visible-width space that is none of those.
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u;

const CLOSING_QUOTE: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '\u201c': '\u201d',
  '\u201d': '\u201d',
  '\u2018': '\u2019',
  '\u2019': '\u2019',
};

function describeControl(ch: string): string {
  if (ch === '\n') return 'a line break';
  if (ch === '\r') return 'a carriage return';
  if (ch === '\t') return 'a tab';
  return `a control character (${codePoint(ch)})`;
}

/** `U+202E`: how a character nobody can see is named to the person who typed it. */
function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `text` is refused for an invisible character it holds (naming the first one), or undefined.
 * Typed commands and button payloads give the same answer.
 */
export function invisibleCharacterIn(text: string): string | undefined {
  const found = INVISIBLE.exec(text);
  return found === null ? undefined : `That command contains an invisible character (${codePoint(found[0])}): retype it without it.`;
}

export function tokenize(text: string): TokenizeResult {
  if (text.length > MAX_COMMAND_LENGTH) {
    return { ok: false, reason: `That command is too long (at most ${MAX_COMMAND_LENGTH} characters).` };
  }
  const bad = CONTROL.exec(text);
  if (bad !== null) {
    return { ok: false, reason: `Commands must be one line: remove ${describeControl(bad[0])}.` };
  }
  const invisible = invisibleCharacterIn(text);
  if (invisible !== undefined) return { ok: false, reason: invisible };
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let closing: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (closing !== undefined) {
      if (ch === '\\' && closing === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
        current += text[i + 1];
        i++;
      } else if (ch === closing || (closing === '\u201d' && ch === '"')) {
        closing = undefined;
      } else {
        current += ch;
      }
      continue;
    }
    if (ch === ' ') {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
      continue;
    }
    const close = CLOSING_QUOTE[ch];
    if (close !== undefined) {
      closing = close;
      inToken = true;
      continue;
    }
    current += ch;
    inToken = true;
  }
  if (closing !== undefined) return { ok: false, reason: 'A quote is not closed.' };
  if (inToken) tokens.push(current);
  if (tokens.length > MAX_TOKENS) return { ok: false, reason: `Too many words (at most ${MAX_TOKENS}).` };
  return { ok: true, tokens };
}
