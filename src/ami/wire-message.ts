import { isAscii, isUtf8 } from 'node:buffer';
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

/** V8's SlicedString::kMinLength: shorter substrings are copied rather than cut as views. */
const DETACHED_MIN_LENGTH = 13;
const SPACE = 0x20;
const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;

function asciiRange(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

function foldAscii(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/**
 * Indexes the frame at `start` (whose first line is not blank): appends to `lines` where each line
 * starts and then where the blank line that ends the frame starts, so line i's LF is at
 * `lines[i + 1] - 1`. Returns the index just after the blank line, or -1 when `buf` ends first (the
 * last entry appended is then where the unfinished line starts).
 *
 * One native LF search per line both finds the frame end and leaves the index that look-ups reuse,
 * so the bytes are scanned once; a search for the two-line terminator would stop at every line
 * end anyway, because every line ends in the terminator's first byte.
 */
export function scanFrame(buf: Buffer, start: number, lines: number[]): number {
  const len = buf.length;
  lines.push(start);
  let p = start;
  for (;;) {
    const nl = buf.indexOf(LF, p);
    if (nl === -1) return -1;
    p = nl + 1;
    lines.push(p);
    if (p === len) return -1;
    const next = buf[p];
    if (next === LF) return p + 1;
    if (next === CR) {
      if (p + 1 === len) return -1;
      if (buf[p + 1] === LF) return p + 2;
    }
  }
}

/**
 * Consecutive frames of one pushed buffer, within `FRAME_BLOCK_BYTES`: their line index (see
 * `scanFrame`; each message knows where its own lines are in it) and their text. A native decode call has a fixed cost well above that of cutting a string,
 * so one per block rather than one per message or per value saves most of it; and as values are
 * cut from that text, a value kept long-term holds on to at most its block, not to the whole
 * socket read it arrived in. One non-ASCII caller name sends only its own values through the slower
 * decoding: the other values of its block and buffer are still cut from the text.
 *
 * The parser decodes the text first, as a window of `FRAME_BLOCK_BYTES` on the pushed buffer, and
 * scans it for frames (`AmiParser#scanText`); the block takes the frames that end within the window,
 * so its text may run on past `end` into the next frame. A frame longer than the window gets a block of its
 * own whose text is exactly that frame.
 */
export class FrameBlock {
  /**
   * The parser indexes lines into an array of its own while it scans, and sets this to an exact copy
   * once the block is complete, before `push` returns.
   */
  lines: number[] = [];
  /** Where the block starts and, as frames join it, ends in the pushed buffer. */
  readonly start: number;
  end: number;
  /**
   * Every byte of the block is below 0x80: given by the parser when the whole pushed buffer is, and
   * otherwise found out when a message's headers are all decoded (the block is complete by then);
   * until then each value read checks its own bytes.
   */
  ascii: boolean | undefined;
  /**
   * The block as Latin-1 text: set by the parser (see above), or decoded on the first read. Keys are
   * always cut from it (they are read as Latin-1); values only where their bytes are pure ASCII, for
   * which Latin-1 and UTF-8 agree.
   */
  text: string | undefined = undefined;

  constructor(start: number, ascii?: boolean) {
    this.start = start;
    this.end = start;
    this.ascii = ascii;
  }
}

/** Bytes of the pushed buffer that a parser's `FrameBlock` text covers: its window (see there). */
export const FRAME_BLOCK_BYTES = 4096;

/** Block of one standalone frame, for a message built without the parser. */
function blockOf(frame: Buffer): FrameBlock {
  const block = new FrameBlock(0);
  const lines = block.lines;
  block.end = frame.length;
  if (scanFrame(frame, 0, lines) !== -1) return block;
  // No blank line: the unfinished last line, unless empty or a lone CR, ends where the bytes end.
  const last = lines[lines.length - 1]!;
  if (last < frame.length && !(last === frame.length - 1 && frame[last] === CR)) lines.push(frame.length + 1);
  return block;
}

/**
 * A parsed message that keeps its frame's bytes and line index and decodes only what is read: key
 * look-ups compare bytes in place, and values are cut from its block's text (see `FrameBlock`).
 *
 * Memory: as long as a message is reachable, it keeps alive
 * - the whole buffer the parser was pushed, not just its own frame: a socket read (up to 64 KiB), or,
 *   for a frame that straddled two reads, the copy the parser joined from the carried bytes and the
 *   new read, with the ArrayBuffer behind either (a Buffer that is a view into a larger pool keeps
 *   all of it);
 * - its `FrameBlock`: the line index of every frame in the block (consecutive frames of that buffer,
 *   within `FRAME_BLOCK_BYTES`) and the block's Latin-1 text (for a message built without the
 *   parser, once a value or the headers were read);
 * - once `headers` or `toRecord()` was read, the decoded header array.
 * A key or value string it returned does not keep the message or the buffer alive, but V8 may make a
 * cut of 13 or more characters a view on the block's text, so a kept string can keep that text (a
 * few KiB).
 * Holding a message for long (a pending list, a cache) therefore holds its socket read: keep the
 * values or `toRecord()` instead. `Response: Follows` answers are plain `AmiMessage`s of decoded
 * strings and keep no buffer.
 */
export class WireAmiMessage {
  readonly body: readonly string[] | undefined = undefined;
  readonly #bytes: Buffer;
  readonly #block: FrameBlock;
  /** This frame's lines are `#block.lines[#first]` … `[#first + #count - 1]`, then its blank line. */
  readonly #first: number;
  readonly #count: number;
  #headers: AmiHeader[] | undefined;

  /**
   * `bytes`: one frame, blank line included. The parser passes the pushed buffer instead, with the
   * block that indexes the frame and where in it.
   */
  constructor(bytes: Buffer, block: FrameBlock = blockOf(bytes), first = 0, count = block.lines.length - 1) {
    this.#bytes = bytes;
    this.#block = block;
    this.#first = first;
    this.#count = count;
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

  get(key: string): string | undefined {
    const line = this.#find(key, this.#first);
    return line === -1 ? undefined : this.#value(line, this.#block.lines[line]! + key.length);
  }

  getAll(key: string): string[] {
    const out: string[] = [];
    for (let line = this.#find(key, this.#first); line !== -1; line = this.#find(key, line + 1)) {
      out.push(this.#value(line, this.#block.lines[line]! + key.length));
    }
    return out;
  }

  has(key: string): boolean {
    return this.#find(key, this.#first) !== -1;
  }

  /** End of line `line`'s content: before its LF, and before a CR just ahead of that LF. */
  #contentEnd(line: number): number {
    const lines = this.#block.lines;
    const start = lines[line]!;
    const nl = lines[line + 1]! - 1;
    return nl > start && this.#bytes[nl - 1] === CR ? nl - 1 : nl;
  }

  /**
   * Index in the block's lines of the first line at or after `from` whose key (the text before its first
   * colon, or the whole line) equals `key` ignoring ASCII case, or -1. The byte where the key would
   * end must be a colon or a line end: one load that rejects most lines before anything else.
   */
  #find(key: string, from: number): number {
    const bytes = this.#bytes;
    const lines = this.#block.lines;
    const wanted = key.length;
    const stop = this.#first + this.#count;
    for (let line = from; line < stop; line++) {
      const start = lines[line]!;
      const keyEnd = start + wanted;
      const after = bytes[keyEnd];
      // `undefined`: a standalone frame may end without its line end.
      if (after !== COLON && after !== CR && after !== LF && after !== undefined) continue;
      // That byte may lie on a later line; it counts only at or before this line's content end.
      const end = this.#contentEnd(line);
      if (keyEnd > end || (keyEnd < end && after !== COLON)) continue;
      let j = 0;
      for (; j < wanted; j++) {
        const b = bytes[start + j]!;
        const k = key.charCodeAt(j);
        // Equal bytes are the usual case and need no folding; a colon here would end the line's key
        // early, so `key` then holds a colon and cannot match.
        if (b === k ? b === COLON : foldAscii(b) !== foldAscii(k)) break;
      }
      if (j === wanted) return line;
    }
    return -1;
  }

  /** Value of line `line`, whose key ends at `keyEnd` (its colon, or the line end: no value). */
  #value(line: number, keyEnd: number): string {
    const end = this.#contentEnd(line);
    let start = keyEnd + 1;
    // Exactly one space follows the colon; more is part of the value (indented CLI output lines).
    if (start < end && this.#bytes[start] === SPACE) start++;
    if (start >= end) return '';
    const block = this.#block;
    // Unknown whether the block is ASCII (its pushed buffer is not): a short byte loop over just this
    // value, rather than a native check of the whole block, which costs more than a few values'
    // loops when only one or two values of the block are read. Most values are ASCII and are cut
    // from the text; the rare others pay a native UTF-8 decode.
    if (block.ascii !== true && !asciiRange(this.#bytes, start, end)) return decodeText(this.#bytes, start, end, false);
    // V8 cuts a slice of 13 characters or more as a view that keeps the whole window text alive:
    // a uniqueid kept in a room's attendee list would hold its 4 KiB window for hours. Such values
    // get their own copy; shorter slices are copies already.
    if (end - start >= DETACHED_MIN_LENGTH) return this.#bytes.toString('latin1', start, end);
    return this.#text().slice(start - block.start, end - block.start);
  }

  #text(): string {
    const block = this.#block;
    block.text ??= this.#bytes.toString('latin1', block.start, block.end);
    return block.text;
  }

  #materialize(): AmiHeader[] {
    if (this.#headers !== undefined) return this.#headers;
    const bytes = this.#bytes;
    const lines = this.#block.lines;
    const text = this.#text();
    const offset = this.#block.start;
    const headers: AmiHeader[] = [];
    // Every value is read: one native check of the block then beats a byte loop per value.
    this.#block.ascii ??= isAscii(bytes.subarray(offset, this.#block.end));
    for (let line = this.#first; line < this.#first + this.#count; line++) {
      const start = lines[line]!;
      const end = this.#contentEnd(line);
      let keyEnd = start;
      while (keyEnd < end && bytes[keyEnd] !== COLON) keyEnd++;
      // A line without a colon is kept whole as a key with an empty value rather than dropped.
      headers.push([text.slice(start - offset, keyEnd - offset), this.#value(line, keyEnd)]);
    }
    this.#headers = headers;
    return headers;
  }
}

// Keeps `instanceof AmiMessage` true for parsed messages; every member is defined above.
Object.setPrototypeOf(WireAmiMessage.prototype, AmiMessage.prototype);
