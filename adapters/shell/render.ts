import { pageLabel } from '../../src/core/paging.ts';
import type {
  AlertView, ButtonView, ParticipantRowView, ReplyView, StatusView, TableView, Tone, View,
} from '../../src/core/views.ts';
import { formatClock, formatDuration } from '../../src/core/views.ts';

/**
 * Pure: view → terminal text. Buttons are numbered so `press N` can name them: from 1 in reading
 * order, unless the caller hands out its own numbers (the shell keeps them stable across edits).
 * Every string that comes from outside (names, topics, room names, reply text) loses its control
 * characters first: a SIP display name can carry terminal escape sequences.
 */

export interface RenderOptions {
  /** ANSI colours for tones, names and buttons. */
  readonly color: boolean;
  /** The number shown for a button; default: 1, 2, 3... in reading order. */
  readonly numberOf?: (button: ButtonView) => number;
}

export interface Rendered {
  readonly text: string;
  /** The view's buttons in reading order, each with the number shown for it. */
  readonly buttons: readonly NumberedButtonView[];
}

export interface NumberedButtonView {
  readonly number: number;
  readonly button: ButtonView;
}

/** C0 and C1 controls, DEL, and the bidi overrides that can disguise what a line says. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** One line of outside text, safe to print: controls (line breaks included) become nothing or a space. */
export function safeLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(CONTROL, '');
}

/** Outside text that may span lines (reply text): only line breaks survive. */
export function safeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL_BUT_NEWLINE, '');
}

const ANSI = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', cyan: '\x1b[36m' } as const;

type Paint = (style: keyof typeof ANSI, text: string) => string;

function painter(color: boolean): Paint {
  return color ? (style, text) => `${ANSI[style]}${text}${ANSI.reset}` : (_style, text) => text;
}

const TONE_MARK: Readonly<Record<Tone, string>> = { info: '', success: '✓ ', warning: '! ', error: '✗ ' };
const TONE_STYLE: Readonly<Record<Tone, keyof typeof ANSI>> = { info: 'reset', success: 'green', warning: 'yellow', error: 'red' };

/**
 * East Asian Wide and Fullwidth blocks (Unicode's EastAsianWidth W/F, in broad ranges): two terminal
 * columns each. Emoji are told apart by their properties in graphemeWidth, not listed here.
 */
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK strokes, enclosed, compatibility
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo extended A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6], // fullwidth signs
  [0x1b000, 0x1b2ff], // kana supplement and extensions
  [0x20000, 0x3fffd], // CJK extensions B and beyond, planes 2 and 3
];

function isWide(codePoint: number): boolean {
  return WIDE_RANGES.some(([from, to]) => codePoint >= from && codePoint <= to);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** Marks and format characters (ZWJ, variation selectors, zero-width space) take no column of their own. */
const ZERO_WIDTH_START = /^[\p{M}\p{Cf}]/u;
/** Emoji shown as pictures: presentation by default, or asked for with VS16 (U+FE0F), or a flag pair. */
const EMOJI_PICTURE = /^(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}.*\uFE0F|\p{Regional_Indicator}{2})|^[#*0-9]\uFE0F?\u20E3/su;

/** Terminal columns of one grapheme cluster (a ZWJ family or a flag is one picture, two columns). */
function graphemeWidth(grapheme: string): number {
  if (ZERO_WIDTH_START.test(grapheme)) return 0;
  if (EMOJI_PICTURE.test(grapheme)) return 2;
  return isWide(grapheme.codePointAt(0) ?? 0) ? 2 : 1;
}

/**
 * How many terminal columns `text` takes: wide CJK characters and emoji count 2, combining marks
 * and ZWJ sequences count with the character they join. Text without controls (safeLine) only.
 */
export function displayWidth(text: string): number {
  // Plain ASCII, the usual case, is one column a character.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const { segment } of graphemes.segment(text)) width += graphemeWidth(segment);
  return width;
}

/** `text` followed by spaces up to `width` terminal columns. */
function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Columns padded to their widest cell, in terminal columns (emoji and CJK count 2); trailing spaces trimmed. */
export function alignColumns(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell)); });
  return rows.map((row) => `${indent}${row.map((cell, i) => padToWidth(cell, widths[i] ?? 0)).join('  ')}`.trimEnd());
}

function renderTable(table: TableView): string[] {
  return alignColumns([table.columns, ...table.rows].map((row) => row.map(safeLine)), '  ');
}

class ButtonNumbers {
  readonly buttons: NumberedButtonView[] = [];
  constructor(private readonly paint: Paint, private readonly numberOf: ((button: ButtonView) => number) | undefined) {}
  label(button: ButtonView): string {
    const number = this.numberOf?.(button) ?? this.buttons.length + 1;
    this.buttons.push({ number, button });
    const text = `[${number}] ${safeLine(button.label)}${button.confirm === undefined ? '' : '…'}`;
    return button.style === 'danger' ? this.paint('red', text) : this.paint('cyan', text);
  }
}

function rowState(row: ParticipantRowView): string {
  const marks: string[] = [];
  if (row.muted) marks.push(row.mutedBy === undefined ? 'muted' : `muted(${row.mutedBy})`);
  if (row.talking) marks.push('talking');
  if (row.admin) marks.push('admin');
  if (row.marked) marks.push('marked');
  if (row.line !== undefined) {
    const mos = row.line.mos === undefined ? '' : ` MOS ${row.line.mos.toFixed(1)}`;
    marks.push(`line ${row.line.mark}${mos}${row.line.lossPct === undefined ? '' : ` ${row.line.lossPct}%`}`);
  }
  return marks.join(',') || '-';
}

function renderStatus(view: StatusView, paint: Paint, numbers: ButtonNumbers): string[] {
  const lines: string[] = [];
  const flags = [view.flags.locked && 'locked', view.flags.recording && 'recording', view.flags.muzak && 'music', view.flags.stream && 'streaming'].filter(Boolean);
  const room = safeLine(view.room);
  const pbx = safeLine(view.pbx);
  const banner = view.banner === undefined ? undefined : safeLine(view.banner);
  if (view.ended !== undefined) {
    lines.push(paint('bold', `Room ${room} (${pbx}) ended after ${formatDuration(view.ended.durationSec)}, peak ${view.ended.peakSize}`));
    if (banner !== undefined) lines.push(paint('yellow', `! ${banner}`));
    lines.push(`  Attendees: ${view.ended.attendees.length === 0 ? '-' : view.ended.attendees.map(safeLine).join(', ')}`);
    for (const action of view.ended.actions) lines.push(`  - ${safeLine(action)}`);
    if (view.ended.quality !== undefined) lines.push(`  ${safeLine(view.ended.quality)}`);
    lines.push(paint('dim', `  updated ${formatClock(view.updatedAt)} UTC`));
    return lines;
  }
  const people = `${view.count} ${view.count === 1 ? 'person' : 'people'}`;
  // A room the PBX does not hold has no head count or running time to show, only its banner.
  const size = view.notStarted === true ? '' : `: ${people}, running ${formatDuration(view.runningSec)}`;
  lines.push(paint('bold', `Room ${room} (${pbx})${size}${flags.length > 0 ? `, ${flags.join(', ')}` : ''}`));
  if (banner !== undefined) lines.push(paint('yellow', `! ${banner}`));
  if (view.rows.length > 0) {
    const table = [['#', 'Name', 'Number', 'Tech', 'State', 'Topic', 'In room', 'Buttons']];
    for (const row of view.rows) {
      table.push([
        row.usernum === undefined ? '' : String(row.usernum), row.name, row.number ?? '', row.tech, rowState(row), row.topic ?? '',
        formatDuration(row.inRoomSec), '',
      ].map(safeLine));
    }
    // Button labels carry ANSI codes when coloured, so they go after the aligned columns.
    const aligned = alignColumns(table, '  ');
    const header = aligned[0] as string;
    const buttonColumn = displayWidth(header) - 'Buttons'.length;
    lines.push(header);
    view.rows.forEach((row, i) => {
      const buttons = row.buttons.map((b) => numbers.label(b)).join(' ');
      lines.push(`${padToWidth(aligned[i + 1] as string, buttonColumn)}${buttons}`.trimEnd());
    });
  }
  if (view.paging !== undefined) {
    // The core's page line and Prev/Next, numbered and pressed like any other button.
    const turns = view.paging.buttons.map((b) => numbers.label(b)).join('  ');
    lines.push(`  ${pageLabel(view.paging)}${turns === '' ? '' : `  ${turns}`}`);
  }
  if (view.buttons.length > 0) lines.push(`  ${view.buttons.map((b) => numbers.label(b)).join('  ')}`);
  lines.push(paint('dim', `  updated ${formatClock(view.updatedAt)} UTC`));
  return lines;
}

function renderReply(view: ReplyView, paint: Paint, numbers: ButtonNumbers): string[] {
  const lines: string[] = [];
  if (view.title !== undefined) lines.push(paint('bold', safeLine(view.title)));
  lines.push(paint(TONE_STYLE[view.tone], `${TONE_MARK[view.tone]}${safeText(view.text)}`));
  if (view.table !== undefined) lines.push(...renderTable(view.table));
  if (view.link !== undefined) lines.push(`  ${safeLine(view.link.label)}: ${safeLine(view.link.url)}`);
  if (view.buttons.length > 0) lines.push(`  ${view.buttons.map((b) => numbers.label(b)).join('  ')}`);
  if (view.correlationId !== undefined) lines.push(paint('dim', `  (ref ${safeLine(view.correlationId)})`));
  return lines;
}

function renderAlert(view: AlertView, paint: Paint, numbers: ButtonNumbers): string[] {
  const style = view.severity === 'critical' ? 'red' : view.severity === 'warning' ? 'yellow' : 'reset';
  const lines = [paint(style, `[${view.severity}] ${view.mention === undefined ? '' : `@${safeLine(view.mention)} `}${safeLine(view.title)}`), safeText(view.text)];
  lines.push(...alignColumns(view.fields.map(([label, value]) => [`${safeLine(label)}:`, safeLine(value)]), '  '));
  if (view.buttons.length > 0) lines.push(`  ${view.buttons.map((b) => numbers.label(b)).join('  ')}`);
  if (view.ackedBy !== undefined) lines.push(`  acknowledged by ${safeLine(view.ackedBy)}`);
  lines.push(paint('dim', `  at ${formatClock(view.at)} UTC`));
  return lines;
}

export function renderView(view: View, options: RenderOptions = { color: false }): Rendered {
  const paint = painter(options.color);
  const numbers = new ButtonNumbers(paint, options.numberOf);
  const lines = view.kind === 'status'
    ? renderStatus(view, paint, numbers)
    : view.kind === 'reply'
      ? renderReply(view, paint, numbers)
      : renderAlert(view, paint, numbers);
  return { text: lines.join('\n'), buttons: numbers.buttons };
}
