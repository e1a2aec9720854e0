import { AmiMessage, type AmiHeader } from './message.ts';
import { decodeText } from './wire-message.ts';

/**
 * The legacy (Asterisk ≤13) answer to `Command`: `Response: Follows`, a few headers, raw CLI text and
 * `--END COMMAND--`. Rare, so it is decoded eagerly, line by line, apart from the parser's fast path.
 */

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

/** Ends the CLI text of a Follows answer. */
export const END_COMMAND = '--END COMMAND--';
/**
 * Headers Asterisk ≤13 writes after `Response: Follows` and before the raw text: `Privilege: Command`
 * and, when the action had one, `ActionID` (manager.c, action_command). Each comes at most once.
 */
const FOLLOWS_HEADER_KEYS: ReadonlySet<string> = new Set(['privilege', 'actionid']);
const FOLLOWS_FIRST_LINE = 'response: follows';

/** End of the line content whose LF is at `nl`, a trailing CR excluded. */
export function contentEnd(buf: Buffer, lineStart: number, nl: number): number {
  return nl > lineStart && buf[nl - 1] === CR ? nl - 1 : nl;
}

/** Whether the frame at `start` begins with the line `Response: Follows` (any case). */
export function startsWithFollows(buf: Buffer, start: number): boolean {
  if (buf.length - start < FOLLOWS_FIRST_LINE.length) return false;
  for (let i = 0; i < FOLLOWS_FIRST_LINE.length; i++) {
    const b = buf[start + i]!;
    if ((b >= 65 && b <= 90 ? b + 32 : b) !== FOLLOWS_FIRST_LINE.charCodeAt(i)) return false;
  }
  const after = buf[start + FOLLOWS_FIRST_LINE.length];
  return after === CR || after === LF;
}

/** A whole Follows frame and the index after its blank line, or where the bytes ran out (or past `maxBytes`) in line `incompleteAt`. */
export type FollowsFrame = { readonly message: AmiMessage; readonly next: number } | { readonly incompleteAt: number };

/**
 * Reads the Follows frame at `start`: its few headers, raw CLI text (which may hold blank lines and
 * `Key: value`-looking lines) up to `--END COMMAND--`, then the blank line.
 *
 * Where the headers end: Asterisk writes each header once and ends it in CRLF, while CLI text ends
 * its lines in LF. So a line after `Response: Follows` is a header only while it ends the way that
 * first line ended, holds a colon, and names a key of `FOLLOWS_HEADER_KEYS` not seen yet; the first
 * line that fails any of these starts the body. CLI text whose first line reads `ActionID: …` or
 * `Privilege: …` therefore stays in the body. Only a first body line that ends in CRLF and names a
 * header the answer lacks (an `ActionID` line when the action sent none) still reads as a header:
 * no rule can tell that one apart, and CLI output does not end its lines in CRLF.
 */
export function readFollowsFrame(buf: Buffer, start: number, ascii: boolean, maxBytes: number): FollowsFrame {
  const headers: AmiHeader[] = [];
  const body: string[] = [];
  const seen = new Set<string>();
  let headerCrlf = false;
  let stage: 'head' | 'body' | 'end' = 'head';
  let p = start;
  for (;;) {
    const nl = buf.indexOf(LF, p);
    if (nl === -1 || nl - start >= maxBytes) return { incompleteAt: p };
    const end = contentEnd(buf, p, nl);
    if (stage === 'body') {
      const text = decodeText(buf, p, end, ascii);
      if (text.endsWith(END_COMMAND)) {
        // Asterisk glues the marker to the last output line when that line has no newline.
        if (text.length > END_COMMAND.length) body.push(text.slice(0, -END_COMMAND.length));
        stage = 'end';
      } else {
        body.push(text);
      }
      p = nl + 1;
      continue;
    }
    if (end === p && stage === 'end') return { message: new AmiMessage(headers, body), next: nl + 1 };
    let colon = p;
    while (colon < end && buf[colon] !== COLON) colon++;
    const key = buf.toString('latin1', p, colon);
    if (stage === 'head') {
      const crlf = end < nl;
      const lower = key.toLowerCase();
      if (p === start) {
        headerCrlf = crlf;
      } else if (crlf !== headerCrlf || colon === end || !FOLLOWS_HEADER_KEYS.has(lower) || seen.has(lower)) {
        stage = 'body';
        continue;
      }
      seen.add(lower);
    }
    let valueStart = colon + 1;
    if (valueStart < end && buf[valueStart] === SPACE) valueStart++;
    headers.push([key, valueStart < end ? decodeText(buf, valueStart, end, ascii) : '']);
    p = nl + 1;
  }
}
