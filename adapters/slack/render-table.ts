import type { TableView } from '../../src/core/views.ts';
import { splitSections } from './blocks.ts';
import { BLOCK_KIT } from './limits.ts';
import { escapeMrkdwn, literalMrkdwn, textMrkdwn, truncate } from './text.ts';

/**
 * A reply's table as section texts. Short cells make a fixed-width table in a code block, which
 * lines up on every client; once a cell is too wide for that (a help line, a long caller name),
 * the rows become a list instead, so no cell is ever cut. Cells hold PBX-supplied names: inside the
 * code block a backtick could end the fence, so backticks are swapped for a look-alike.
 */

/** Widest cell a fixed-width table takes: wider lines wrap on a phone and the columns fall apart. */
export const TABLE_CELL_MAX = 40;

const FENCE = '```';
const BACKTICK_LOOKALIKE = '\u02CB';

/** Text safe inside a code block or code span: no entity, mention, or backtick to close it. */
function codeText(raw: string): string {
  return escapeMrkdwn(raw.replace(/`/g, BACKTICK_LOOKALIKE).replace(/[\r\n]+/g, ' '));
}

function fixedWidthLines(table: TableView): string[] {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join('  ').trimEnd();
  return [line(table.columns), ...table.rows.map(line)].map(codeText);
}

/** Code-block sections of at most `max` characters each, fences included. */
function codeBlockSections(lines: readonly string[], max: number): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let size = FENCE.length * 2 + 2;
  for (const raw of lines) {
    const lineText = truncate(raw, max - FENCE.length * 2 - 2);
    if (current.length > 0 && size + lineText.length + 1 > max) {
      out.push(`${FENCE}\n${current.join('\n')}\n${FENCE}`);
      current = [];
      size = FENCE.length * 2 + 2;
    }
    current.push(lineText);
    size += lineText.length + 1;
  }
  if (current.length > 0) out.push(`${FENCE}\n${current.join('\n')}\n${FENCE}`);
  return out;
}

/**
 * One line per row: the first cell as code (a command, a ref, a room), the others as text (help
 * lines carry `code`, see textMrkdwn), labelled with their column when there are more than two.
 */
function listLines(table: TableView): string[] {
  const labelled = table.columns.length > 2;
  return table.rows.map((row) => {
    const [first = '', ...rest] = row;
    const others = rest
      .map((cell, i) => ({ cell, label: table.columns[i + 1] ?? '' }))
      .filter(({ cell }) => cell !== '')
      .map(({ cell, label }) => (labelled && label !== '' ? `${literalMrkdwn(label)}: ${textMrkdwn(cell)}` : textMrkdwn(cell)));
    const head = first !== '' ? `\`${codeText(first)}\`` : '';
    return `• ${[head, others.join(' · ')].filter((p) => p !== '').join(' — ')}`;
  });
}

export function tableSections(table: TableView, max: number = BLOCK_KIT.sectionText): string[] {
  const fits = [table.columns, ...table.rows].every((cells) => cells.every((cell) => cell.length <= TABLE_CELL_MAX && !/[\r\n]/.test(cell)));
  if (fits) return codeBlockSections(fixedWidthLines(table), max);
  return splitSections(listLines(table).join('\n'), max);
}
