import { isUtf8 } from 'node:buffer';
import { AmiMessage, type AmiHeader } from './message.ts';

/**
 * Decodes a value. Modern Asterisk writes UTF-8, but older PBXs pass caller names through in
 * whatever the phone sent, usually Latin-1. Valid UTF-8 decodes as UTF-8; anything else decodes as
 * Latin-1, which maps every byte to one character, so a name is shown roughly right and no byte is
 * lost (replacement characters would destroy it).
 */
export function decodeText(buf: Buffer, start: number, end: number, ascii: boolean): string {
  if (ascii) return buf.toString('latin1', start, end);
  const text = buf.toString('utf8', start, end);
  if (text.indexOf('\uFFFD') === -1) return text;
  return isUtf8(buf.subarray(start, end)) ? text : buf.toString('latin1', start, end);
}

const SPACE = 0x20;
const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;

function foldAscii(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

export class WireAmiMessage {
  readonly body: readonly string[] | undefined = undefined;
  readonly #bytes: Buffer;
  readonly #ascii: boolean;
  /** Per scanned line: key start, colon (-1 when the line has none), line end (CR/LF excluded). */
  readonly #lines: number[] = [];
  /** Where scanning resumes; -1 once the blank line is reached. Lines are scanned only as far as a look-up needs. */
  #scanFrom = 0;
  readonly #values: (string | undefined)[] = [];
  #headers: AmiHeader[] | undefined;

  /** `bytes`: one frame, blank line included. `ascii`: every byte is below 0x80. */
  constructor(bytes: Buffer, ascii: boolean) {
    this.#bytes = bytes;
    this.#ascii = ascii;
  }

  /** Every header in wire order, decoded on first read and then kept. */
  get headers(): readonly AmiHeader[] {
    return this.#materialize();
  }

  get event(): string | undefined {
    return this.get('Event');
  }

  get response(): string | undefined {
    return this.get('Response');
  }

  get actionId(): string | undefined {
    return this.get('ActionID');
  }

  toRecord(): Record<string, string | string[]> {
    return AmiMessage.prototype.toRecord.call(this);
  }

  /** Scans one more line into `#lines`. Returns false at the blank line that ends the frame. */
  #scanLine(): boolean {
    const p = this.#scanFrom;
    if (p === -1) return false;
    const bytes = this.#bytes;
    let nl = bytes.indexOf(LF, p);
    if (nl === -1) nl = bytes.length;
    const end = nl > p && bytes[nl - 1] === CR ? nl - 1 : nl;
    if (end === p) {
      this.#scanFrom = -1;
      return false;
    }
    let colon = p;
    while (colon < end && bytes[colon] !== COLON) colon++;
    this.#lines.push(p, colon === end ? -1 : colon, end);
    this.#scanFrom = nl + 1 < bytes.length ? nl + 1 : -1;
    return true;
  }

  #scanAll(): number[] {
    while (this.#scanLine());
    return this.#lines;
  }

  get(key: string): string | undefined {
    const i = this.#find(key, 0);
    return i === -1 ? undefined : this.#value(i);
  }

  getAll(key: string): string[] {
    const out: string[] = [];
    for (let i = this.#find(key, 0); i !== -1; i = this.#find(key, i + 1)) out.push(this.#value(i));
    return out;
  }

  has(key: string): boolean {
    return this.#find(key, 0) !== -1;
  }

  /** Index of the first line at or after `from` whose key equals `key` ignoring ASCII case, or -1. */
  #find(key: string, from: number): number {
    const bytes = this.#bytes;
    const lines = this.#lines;
    const wanted = key.length;
    for (let i = from * 3; i < lines.length || this.#scanLine(); i += 3) {
      const start = lines[i]!;
      const colon = lines[i + 1]!;
      const keyEnd = colon === -1 ? lines[i + 2]! : colon;
      if (keyEnd - start !== wanted) continue;
      let j = 0;
      while (j < wanted && foldAscii(bytes[start + j]!) === foldAscii(key.charCodeAt(j))) j++;
      if (j === wanted) return i / 3;
    }
    return -1;
  }

  #value(index: number): string {
    const lines = this.#lines;
    const values = this.#values;
    const cached = values[index];
    if (cached !== undefined) return cached;
    const colon = lines[index * 3 + 1]!;
    const end = lines[index * 3 + 2]!;
    let value = '';
    if (colon !== -1) {
      let start = colon + 1;
      // Exactly one space follows the colon; more is part of the value (indented CLI output lines).
      if (start < end && this.#bytes[start] === SPACE) start++;
      if (start < end) value = decodeText(this.#bytes, start, end, this.#ascii);
    }
    values[index] = value;
    return value;
  }

  #materialize(): AmiHeader[] {
    if (this.#headers !== undefined) return this.#headers;
    const lines = this.#scanAll();
    const headers: AmiHeader[] = [];
    for (let i = 0; i < lines.length; i += 3) {
      const start = lines[i]!;
      const colon = lines[i + 1]!;
      // A line without a colon is kept whole as a key with an empty value rather than dropped.
      const key = this.#bytes.toString('latin1', start, colon === -1 ? lines[i + 2]! : colon);
      headers.push([key, this.#value(i / 3)]);
    }
    this.#headers = headers;
    return headers;
  }
}

// Keeps `instanceof AmiMessage` true for parsed messages; every member is defined above.
Object.setPrototypeOf(WireAmiMessage.prototype, AmiMessage.prototype);
