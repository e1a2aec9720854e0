import { isAscii } from 'node:buffer';
import type { AmiMessage } from './message.ts';
import { AmiProtocolError } from './errors.ts';
import { contentEnd, readFollowsFrame, startsWithFollows } from './follows.ts';
import { FRAME_BLOCK_BYTES, FrameBlock, scanFrame, WireAmiMessage } from './wire-message.ts';

/**
 * AMI bytes → messages, pure: a streaming parser that accepts any chunk boundary.
 * @see https://docs.asterisk.org/Configuration/Interfaces/Asterisk-Manager-Interface-AMI/
 */

export interface AmiParserOptions {
  /** Bytes one message may take before the parser gives up on it (default 1 MiB). The banner is not a message: see `MAX_BANNER_BYTES`. */
  maxMessageBytes?: number;
  /** Default true: the stream's very first line may be the `Asterisk Call Manager/…` banner (server to client only). */
  expectBanner?: boolean;
}

export type AmiParserOutput =
  | { kind: 'banner'; version: string; line: string }
  | { kind: 'message'; message: AmiMessage }
  | { kind: 'error'; error: AmiProtocolError };

export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const BANNER_PREFIX = 'Asterisk Call Manager';
/**
 * Longest first line still read as the banner: the prefix, `/` and a version such as `11.0.0`, with
 * room to spare. The banner has its own bound because it is not a message, so a small
 * `maxMessageBytes` must not turn a banner that arrives in pieces into an oversized message.
 */
const MAX_BANNER_BYTES = 128;

function tooBig(max: number): AmiProtocolError {
  return new AmiProtocolError(`AMI message exceeds ${max} bytes; skipped to the next blank line`);
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Streaming parser. Works on bytes: one pass of native LF searches finds each frame's end and
 * indexes its lines, and each message keeps the pushed buffer and that index, comparing keys in
 * place and decoding only what is read (see `WireAmiMessage` and `FrameBlock`). Messages therefore
 * share the pushed chunk's memory: do not overwrite a chunk after pushing it (socket reads never
 * are), and a kept message keeps its whole chunk alive (what exactly: see `WireAmiMessage`). The
 * parser itself keeps only the incomplete frame between pushes, as a view on the last chunk.
 */
export class AmiParser {
  private readonly maxMessageBytes: number;
  private expectBanner: boolean;
  /** The unfinished item from the previous push: a view, as the next push copies it anyway. */
  private carry: Buffer | undefined;
  /** Dropping an oversized message: skip lines up to the next blank one. */
  private discarding = false;
  /** While discarding, a non-blank partial line was dropped, so the next line end is not a blank line. */
  private droppedPartialLine = false;
  /** Line index of the block being parsed (see `scanText`); only ever grows, so stores stay in place. */
  private readonly lines: number[] = [];
  /** Entries of `lines` in use after the last `scanText`. */
  private scanned = 0;

  constructor(opts: AmiParserOptions = {}) {
    this.maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.expectBanner = opts.expectBanner ?? true;
  }

  push(chunk: Uint8Array): AmiParserOutput[] {
    const out: AmiParserOutput[] = [];
    let buf = toBuffer(chunk);
    let pos = 0;
    const carry = this.carry;
    if (carry !== undefined) {
      this.carry = undefined;
      // Copy only what completes the carried frame, up to the first blank line of the new bytes,
      // rather than the whole chunk: the frames after it are then read in place.
      const cut = scanFrame(buf, 0, []);
      if (cut === -1) {
        buf = Buffer.concat([carry, buf]);
      } else {
        const joined = Buffer.concat([carry, buf.subarray(0, cut)]);
        const stop = this.parse(joined, 0, out);
        // Still unfinished (a Follows body may hold blank lines): join the rest as well.
        if (stop < joined.length) buf = Buffer.concat([joined.subarray(stop), buf.subarray(cut)]);
        else pos = cut;
      }
    }
    pos = this.parse(buf, pos, out);
    if (pos < buf.length) this.keepRest(buf, pos, out);
    return out;
  }

  /** Reads frames from `pos` on. Returns where it stopped: `buf.length`, or an unfinished item. */
  private parse(buf: Buffer, from: number, out: AmiParserOutput[]): number {
    let block: FrameBlock | undefined;
    // `block`'s lines are being indexed into `this.lines` (the first `count` entries, so far), rather
    // than the block having an array of its own (a frame longer than the window).
    let pooled = false;
    let count = 0;
    // One native check per buffer: when it is pure ASCII (the usual case), so is every block, and
    // values decode without validation; otherwise each value read checks its own bytes.
    const ascii = isAscii(buf);
    const len = buf.length;
    let pos = from;
    while (pos < len) {
      if (this.discarding) {
        pos = this.skipDiscarded(buf, pos);
        if (this.discarding) break;
        continue;
      }
      if (this.expectBanner) {
        const next = this.banner(buf, pos, out);
        if (next === -1) break;
        pos = next;
        continue;
      }
      const lead = buf[pos]!;
      if (lead === LF) {
        pos++;
        continue;
      }
      if (lead === CR) {
        if (pos + 1 === len) break;
        if (buf[pos + 1] === LF) {
          pos += 2;
          continue;
        }
      }
      // `r`/`R` first: most frames start with `Event:`, and are told apart on one byte.
      if ((lead | 0x20) === 0x72 && startsWithFollows(buf, pos)) {
        const next = this.followsFrame(buf, pos, ascii, out);
        if (next === -1) break;
        pos = next;
        continue;
      }
      let first = count;
      let end = -1;
      if (block !== undefined && pooled) end = this.scanText(block, pos, count);
      if (block === undefined || !pooled || (end === -1 && block.start + block.text!.length < len)) {
        // The frame runs past the block's window (or there is no block yet): a fresh window at the
        // frame, and for a frame longer than that, a block of exactly the frame, found on the bytes.
        if (block !== undefined && pooled) block.lines = this.lines.slice(0, count);
        first = 0;
        count = 0;
        block = openBlock(buf, pos, ascii);
        pooled = true;
        end = this.scanText(block, pos, 0);
        if (end === -1 && block.start + block.text!.length < len) {
          block = new FrameBlock(pos, ascii ? true : undefined);
          pooled = false;
          end = scanFrame(buf, pos, block.lines);
          if (end !== -1) block.text = buf.toString('latin1', pos, end);
        }
      }
      const next = this.frame(buf, pos, end, block, first, pooled ? this.scanned : block.lines.length, out);
      if (next === -1) break;
      // Only an emitted message keeps its lines; a block of its own (not pooled) is dropped with it.
      if (pooled && next === end && end - pos <= this.maxMessageBytes) count = this.scanned;
      pos = next;
    }
    if (block !== undefined && pooled) block.lines = this.lines.slice(0, count);
    return pos;
  }

  /**
   * The banner can only be the stream's very first line, so this runs once per stream and decides as
   * early as the bytes allow: as soon as the first line stops matching `Asterisk Call Manager`, or
   * runs past `MAX_BANNER_BYTES`, it is read as a message line and no later line is ever taken for a
   * banner. Returns where parsing goes on, or -1 to wait for more of a line that may still be one.
   */
  private banner(buf: Buffer, pos: number, out: AmiParserOutput[]): number {
    const avail = buf.length - pos;
    const known = Math.min(avail, BANNER_PREFIX.length);
    for (let i = 0; i < known; i++) {
      if (buf[pos + i] !== BANNER_PREFIX.charCodeAt(i)) {
        this.expectBanner = false;
        return pos;
      }
    }
    if (known < BANNER_PREFIX.length) return -1;
    const nl = buf.indexOf(LF, pos + BANNER_PREFIX.length);
    if ((nl === -1 ? avail : nl - pos) > MAX_BANNER_BYTES) {
      this.expectBanner = false;
      return pos;
    }
    if (nl === -1) return -1;
    this.expectBanner = false;
    const line = buf.toString('latin1', pos, contentEnd(buf, pos, nl));
    const slash = line.lastIndexOf('/');
    out.push({ kind: 'banner', version: slash === -1 ? '' : line.slice(slash + 1), line });
    return nl + 1;
  }

  /**
   * Emits the frame at `start`, which the caller indexed as lines `first` … `stop - 2` of `block`,
   * then its blank line, ending at `end`, or -1 when the buffer ends first. Returns the index after
   * it, or -1 to wait for more.
   */
  private frame(buf: Buffer, start: number, end: number, block: FrameBlock, first: number, stop: number, out: AmiParserOutput[]): number {
    if (end === -1) return this.incomplete(buf, start, start, out);
    if (end - start > this.maxMessageBytes) {
      // The whole oversized frame is here already: skipping it is the resynchronisation.
      out.push({ kind: 'error', error: tooBig(this.maxMessageBytes) });
      return end;
    }
    block.end = end;
    out.push({ kind: 'message', message: new WireAmiMessage(buf, block, first, stop - first - 1) });
    return end;
  }

  /**
   * `scanFrame` over `block.text` (the Latin-1 text of the pushed buffer from `block.start` on, one
   * character per byte), writing buffer positions into `this.lines` from index `from` on and leaving
   * the count in `this.scanned`. Returns the buffer index just after the blank line, or -1 when the
   * text ends first, which is not the end of the frame when the text is only a window on the buffer.
   * A string search is a builtin call from optimized code, cheaper than `Buffer#indexOf`'s way into
   * C++ through argument checks, and a frame has a dozen lines or more. The line positions go into
   * one array the parser keeps, written by index, and each block gets an exact copy once complete:
   * pushing into a fresh array per block would grow it (and copy it) several times over.
   */
  private scanText(block: FrameBlock, start: number, from: number): number {
    const text = block.text!;
    const offset = block.start;
    const lines = this.lines;
    const len = text.length;
    let n = from;
    lines[n++] = start;
    let p = start - offset;
    let end = -1;
    for (;;) {
      const nl = text.indexOf('\n', p);
      if (nl === -1) break;
      p = nl + 1;
      lines[n++] = p + offset;
      if (p === len) break;
      const next = text.charCodeAt(p);
      if (next === LF) {
        end = p + 1 + offset;
        break;
      }
      if (next === CR) {
        if (p + 1 === len) break;
        if (text.charCodeAt(p + 1) === LF) {
          end = p + 2 + offset;
          break;
        }
      }
    }
    this.scanned = n;
    return end;
  }

  /** The legacy Command answer (see `readFollowsFrame`). Returns the index after it, or -1 to wait for more. */
  private followsFrame(buf: Buffer, start: number, ascii: boolean, out: AmiParserOutput[]): number {
    const frame = readFollowsFrame(buf, start, ascii, this.maxMessageBytes);
    if ('incompleteAt' in frame) return this.incomplete(buf, start, frame.incompleteAt, out);
    out.push({ kind: 'message', message: frame.message });
    return frame.next;
  }

  /**
   * No blank line yet. Within the size bound: wait for more bytes (-1). Past it: report, and skip
   * from the current line to the next blank line instead of buffering more.
   */
  private incomplete(buf: Buffer, start: number, lineStart: number, out: AmiParserOutput[]): number {
    if (buf.length - start <= this.maxMessageBytes) return -1;
    out.push({ kind: 'error', error: tooBig(this.maxMessageBytes) });
    this.discarding = true;
    // The lines before `lineStart` were not blank, so discarding restarts cleanly at a line start.
    this.droppedPartialLine = false;
    return lineStart;
  }

  /** While discarding: skips whole lines; stops after a blank one. Returns where parsing resumes. */
  private skipDiscarded(buf: Buffer, pos: number): number {
    let p = pos;
    while (p < buf.length) {
      const nl = buf.indexOf(LF, p);
      if (nl === -1) {
        // A lone CR may be the first half of the blank line that ends the discarded message.
        if (buf.length - p === 1 && buf[p] === CR && !this.droppedPartialLine) return p;
        this.droppedPartialLine = true;
        return buf.length;
      }
      const blank = contentEnd(buf, p, nl) === p && !this.droppedPartialLine;
      this.droppedPartialLine = false;
      p = nl + 1;
      if (blank) {
        this.discarding = false;
        return p;
      }
    }
    return p;
  }

  /**
   * Keeps the unparsed tail for the next push: within the size bound, as `frame` ensured, or a
   * possible banner, which `banner` bounds by `MAX_BANNER_BYTES` instead.
   */
  private keepRest(buf: Buffer, pos: number, out: AmiParserOutput[]): void {
    if (!this.discarding && !this.expectBanner && buf.length - pos > this.maxMessageBytes) {
      this.incomplete(buf, pos, pos, out);
      const resume = this.skipDiscarded(buf, pos);
      if (resume < buf.length) this.carry = buf.subarray(resume);
      return;
    }
    this.carry = buf.subarray(pos);
  }
}

/**
 * A block whose text is the next `FRAME_BLOCK_BYTES` of `buf` from `start` (fewer at its end):
 * decoded before the scan, which then searches a string (see `scanText`).
 */
function openBlock(buf: Buffer, start: number, ascii: boolean): FrameBlock {
  const block = new FrameBlock(start, ascii ? true : undefined);
  block.text = buf.toString('latin1', start, Math.min(buf.length, start + FRAME_BLOCK_BYTES));
  return block;
}

/** One-shot parse of a complete byte string. A trailing message without its blank line is not returned. */
export function parseAmiMessages(bytes: Uint8Array, opts?: AmiParserOptions): AmiParserOutput[] {
  return new AmiParser(opts).push(bytes);
}
