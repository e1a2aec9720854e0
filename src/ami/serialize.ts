import type { AmiHeader } from './message.ts';
import type { AmiActionRequest, AmiFieldValue } from './types.ts';
import { AmiUnsafeFieldError } from './errors.ts';
import { END_COMMAND } from './follows.ts';

/**
 * Messages → AMI bytes, pure, with the control-character guard that keeps user input from injecting
 * a second action (or cutting one short).
 */

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const DEL = 0x7f;

/**
 * Index of the first control character in `text` that may not reach the wire, or -1: every C0
 * control (U+0000–U+001F) and DEL. CR and LF end Asterisk's line, so a value holding one could start
 * a second action; Asterisk keeps keys and values as C strings, so NUL would cut one short; the rest
 * have no meaning in AMI and, coming from user input, only hide what is really sent. Tab is the one
 * exception where `allowTab` says so (values and raw text): Asterisk itself writes tabs inside
 * values (CLI output in `Output:` lines, which the embedded PBX reproduces), and a tab ends neither a
 * line nor a C string. A key is a bare name, so it never allows one.
 */
function controlAt(text: string, allowTab: boolean): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < SPACE && !(allowTab && c === TAB)) || c === DEL) return i;
  }
  return -1;
}

/** Names the character for the log, never the text around it (it may be user input or a secret). */
function controlReason(text: string, at: number, where: string): string {
  const c = text.charCodeAt(at);
  const name = c === CR || c === LF ? 'line break' : 'control character';
  return `${name} U+${c.toString(16).toUpperCase().padStart(4, '0')} in ${where}`;
}

function checkKey(key: string): void {
  if (key.length === 0) throw new AmiUnsafeFieldError(key, 'empty key');
  const at = controlAt(key, false);
  if (at !== -1) throw new AmiUnsafeFieldError(key, controlReason(key, at, 'key'));
  if (key.includes(':')) throw new AmiUnsafeFieldError(key, 'colon in key');
}

function checkValue(key: string, value: string): void {
  const at = controlAt(value, true);
  if (at !== -1) throw new AmiUnsafeFieldError(key, controlReason(value, at, 'value'));
}

function fieldText(value: string | number | boolean): string {
  return typeof value === 'string' ? value : String(value);
}

function appendField(lines: string[], key: string, value: AmiFieldValue): void {
  if (typeof value === 'object') {
    for (const item of value) {
      checkValue(key, item);
      lines.push(`${key}: ${item}`);
    }
    return;
  }
  const text = fieldText(value);
  checkValue(key, text);
  lines.push(`${key}: ${text}`);
}

/**
 * Action → bytes: `Action`, then `ActionID`, then the fields in order (arrays repeat their key).
 * Throws `AmiUnsafeFieldError` before producing any byte if a key or value holds a control character
 * (see `controlAt`), or if a field tries to set `Action` or `ActionID` itself (that would hijack
 * answer matching).
 */
export function serializeAction(req: AmiActionRequest, actionId?: string): Buffer {
  if (req.action.length === 0) throw new AmiUnsafeFieldError('Action', 'empty action name');
  // An action name is a bare name, like a key: no tab either.
  const at = controlAt(req.action, false);
  if (at !== -1) throw new AmiUnsafeFieldError('Action', controlReason(req.action, at, 'action name'));
  const lines = [`Action: ${req.action}`];
  if (actionId !== undefined) {
    checkValue('ActionID', actionId);
    lines.push(`ActionID: ${actionId}`);
  }
  for (const [key, value] of Object.entries(req.fields ?? {})) {
    checkKey(key);
    const lower = key.toLowerCase();
    if (lower === 'action' || lower === 'actionid') throw new AmiUnsafeFieldError(key, 'reserved key');
    if (value !== undefined) appendField(lines, key, value);
  }
  lines.push('', '');
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/**
 * Generic message → bytes (responses and events, as the embedded PBX sends them). With `body`, the
 * legacy `Response: Follows` form: raw lines, then `--END COMMAND--` and the blank line. Keys, values
 * and body lines follow the same control-character rule as `serializeAction`.
 */
export function serializeMessage(headers: readonly AmiHeader[], body?: readonly string[]): Buffer {
  const parts: string[] = [];
  for (const [key, value] of headers) {
    checkKey(key);
    checkValue(key, value);
    parts.push(`${key}: ${value}\r\n`);
  }
  if (body !== undefined) {
    for (const line of body) {
      checkValue('body', line);
      if (line.endsWith(END_COMMAND)) throw new AmiUnsafeFieldError('body', 'line ends with the end-of-output marker');
      parts.push(`${line}\n`);
    }
    parts.push(`${END_COMMAND}\r\n`);
  }
  parts.push('\r\n');
  return Buffer.from(parts.join(''), 'utf8');
}
