import { pageLabel } from '../../src/core/paging.ts';
import { formatDuration, lineMarkText, type ParticipantRowView, type StatusPageView, type StatusView } from '../../src/core/views.ts';
import {
  actionBlocks, assignActionIds, button, context, fitMrkdwn, fitsOverflow, header, overflow, section, visibleChars,
  type Block,
} from './blocks.ts';
import { BLOCK_KIT, STATUS_CAPS } from './limits.ts';
import { literalMrkdwn, slackTime, truncate } from './text.ts';

/**
 * Status message renderer: a header, a context line (flags, size, last update), one section per
 * participant with its buttons, the core's page line and Prev/Next (core/paging.ts) and the room
 * buttons. A page too big for a row of buttons each folds them into an overflow menu per row; rows
 * that would still break Block Kit's block or character budget are cut and counted.
 */

export interface RenderedStatus {
  readonly blocks: Block[];
  readonly text: string;
  /** The core's page (zero-based) and page count, from `view.paging`. */
  readonly page: number;
  readonly pageCount: number;
}

const FLAG_LABELS: readonly (readonly [keyof StatusView['flags'], string])[] = [
  ['locked', ':lock: locked'],
  ['recording', ':red_circle: recording'],
  ['muzak', ':musical_note: music on hold'],
  ['stream', ':satellite_antenna: streaming'],
];

function headerText(view: StatusView): string {
  return view.ended !== undefined ? `Room ${view.room} ended · ${view.pbx}` : `Room ${view.room} · ${view.pbx}`;
}

function contextLine(view: StatusView): string[] {
  if (view.ended !== undefined) {
    return [`ran ${formatDuration(view.ended.durationSec)} · peak ${view.ended.peakSize} · updated ${slackTime(view.updatedAt)}`];
  }
  if (view.notStarted === true) return [`updated ${slackTime(view.updatedAt)}`];
  const flags = FLAG_LABELS.filter(([key]) => view.flags[key]).map(([, label]) => label);
  const people = `:busts_in_silhouette: ${view.count} ${view.count === 1 ? 'person' : 'people'}`;
  return [[people, ...flags, `running ${formatDuration(view.runningSec)}`, `updated ${slackTime(view.updatedAt)}`].join(' · ')];
}

function summaryBlocks(view: StatusView): Block[] {
  const ended = view.ended;
  if (ended === undefined) return [];
  const attendees = ended.attendees.length > 0 ? fitMrkdwn(ended.attendees.join(', '), STATUS_CAPS.summaryListChars, literalMrkdwn) : 'nobody';
  const blocks: Block[] = [section(`*Attended:* ${attendees}`, undefined, { verbatim: true })];
  if (ended.actions.length > 0) {
    // One action per line: each line is made literal on its own so the line breaks stay.
    const actions = fitMrkdwn(ended.actions.join('\n'), STATUS_CAPS.summaryListChars, (raw) => raw.split('\n').map(literalMrkdwn).join('\n'));
    blocks.push(section(`*Actions:*\n${actions}`, undefined, { verbatim: true }));
  }
  if (ended.quality !== undefined) blocks.push(section(`*Line quality:* ${fitMrkdwn(ended.quality, STATUS_CAPS.summaryListChars, literalMrkdwn)}`, undefined, { verbatim: true }));
  return blocks;
}

const LINE_ICONS = { good: ':large_green_circle:', fair: ':large_yellow_circle:', poor: ':red_circle:' } as const;

function rowDetails(row: ParticipantRowView): string {
  const parts: string[] = [];
  if (row.talking) parts.push(':speaking_head_in_silhouette: talking');
  if (row.muted) parts.push(row.mutedBy === 'admin' ? ':mute: muted by admin' : ':mute: muted');
  if (row.admin) parts.push(':star: admin');
  if (row.marked) parts.push(':pushpin: marked');
  if (row.line !== undefined) parts.push(`${LINE_ICONS[row.line.mark]} ${lineMarkText(row.line)}`);
  parts.push(literalMrkdwn(truncate(row.tech, 40)));
  if (row.usernum !== undefined) parts.push(`#${row.usernum}`);
  parts.push(formatDuration(row.inRoomSec));
  return parts.join(' · ');
}

/**
 * Section text for one participant, at most `max` characters: `*name (number)*  details` and the
 * topic in italics on a second line. Name and topic are made literal (`literalMrkdwn`), so whatever
 * a caller is called can neither mention, link, nor end the bold or italics early; they are trimmed
 * because `*` or `_` next to a space does not format in Slack.
 */
function rowText(row: ParticipantRowView, max: number): string {
  const details = rowDetails(row);
  const topicRaw = row.topic !== undefined ? row.topic.trim() : '';
  const number = row.number !== undefined && row.number !== row.name ? ` (${row.number})` : '';
  const label = (row.name + number).trim();
  // Name and topic share what is left after the fixed details; the name gets priority.
  const room = Math.max(0, max - details.length - 8);
  const nameMax = Math.min(room, Math.max(200, room - Math.min(topicRaw.length, 500)));
  const name = fitMrkdwn(label, nameMax, literalMrkdwn);
  const topicMax = room - name.length;
  const topic = topicRaw !== '' && topicMax > 4 ? `\n_${fitMrkdwn(topicRaw, topicMax - 3, literalMrkdwn)}_` : '';
  const head = name !== '' ? `*${name}*  ` : '';
  return truncate(`${head}${details}${topic}`, max);
}

type RowLayout = 'full' | 'overflow' | 'bare';

function rowBlocks(row: ParticipantRowView, layout: RowLayout, textMax: number): Block[] {
  const buttons = row.buttons.slice(0, STATUS_CAPS.rowButtons);
  const text = rowText(row, textMax);
  const verbatim = { verbatim: true };
  if (layout === 'bare' || buttons.length === 0) return [section(text, undefined, verbatim)];
  if (layout === 'overflow') return [section(text, overflow(buttons), verbatim)];
  const [only] = buttons;
  if (buttons.length === 1 && only !== undefined) return [section(text, button(only), verbatim)];
  return [section(text, undefined, verbatim), ...actionBlocks(buttons)];
}

interface Budget {
  blocks: number;
  chars: number;
}

/**
 * The first layout of `row` that fits `left`, or undefined. `compact` prefers an overflow menu
 * (one block) to a row of buttons (two blocks) wherever the buttons allow it.
 */
function fitRow(row: ParticipantRowView, left: Budget, emptyPage: boolean, compact: boolean): Block[] | undefined {
  const buttons = row.buttons.slice(0, STATUS_CAPS.rowButtons);
  const layouts: RowLayout[] = ['full'];
  if (fitsOverflow(buttons)) layouts.splice(compact ? 0 : 1, 0, 'overflow');
  // A row alone on a page must always be shown, if need be without its buttons.
  if (emptyPage) layouts.push('bare');
  for (const layout of layouts) {
    const blocks = rowBlocks(row, layout, BLOCK_KIT.sectionText);
    if (blocks.length <= left.blocks && visibleChars(blocks) <= left.chars) return blocks;
  }
  if (!emptyPage) return undefined;
  return rowBlocks(row, 'bare', Math.max(1, Math.min(BLOCK_KIT.sectionText, left.chars)));
}

/**
 * The row blocks that fit `budget`, in order: the core pages rooms by SLACK_LIMITS.maxRowsPerPage,
 * so this only cuts rows when long names or topics exceed Block Kit's budgets (a safety net).
 */
function fitRows(rows: readonly ParticipantRowView[], budget: Budget, compact: boolean): { blocks: Block[]; shown: number } {
  const blocks: Block[] = [];
  const left: Budget = { ...budget };
  let shown = 0;
  for (const row of rows) {
    const fitted = fitRow(row, left, shown === 0, compact);
    if (fitted === undefined) break;
    blocks.push(...fitted);
    left.blocks -= fitted.length;
    left.chars -= visibleChars(fitted);
    shown += 1;
  }
  return { blocks, shown };
}

/** "Showing 41–80 of 100 · page 2 of 3" and Prev/Next (core page actions); rows cut by Slack's budgets are counted. */
function pagerBlocks(paging: StatusPageView | undefined, cut: number): Block[] {
  const line = [paging === undefined ? undefined : pageLabel(paging), cut > 0 ? `${cut} more not shown (Slack's size limit)` : undefined]
    .filter((part): part is string => part !== undefined);
  if (line.length === 0) return [];
  return [context([line.join(' · ')]), ...actionBlocks(paging?.buttons ?? [])];
}

function fallbackText(view: StatusView, names: readonly string[]): string {
  if (view.ended !== undefined) return fitMrkdwn(`Room ${view.room} (${view.pbx}) ended`, BLOCK_KIT.messageChars);
  const flags = FLAG_LABELS.filter(([key]) => view.flags[key]).map(([key]) => key);
  const who = names.length > 0 ? `: ${names.join(', ')}` : '';
  const line = `Room ${view.room} (${view.pbx}): ${view.count} in the room${flags.length > 0 ? ` (${flags.join(', ')})` : ''}${who}`;
  return fitMrkdwn(line, BLOCK_KIT.sectionText);
}

export function renderStatus(view: StatusView): RenderedStatus {
  const top: Block[] = [header(headerText(view)), context(contextLine(view))];
  if (view.banner !== undefined) top.push(section(`:warning: ${fitMrkdwn(view.banner, STATUS_CAPS.bannerChars)}`));
  top.push(...summaryBlocks(view));
  const bottom: Block[] = actionBlocks(view.buttons.slice(0, STATUS_CAPS.roomButtons));
  const fixed = [...top, ...bottom];
  const budget: Budget = {
    blocks: BLOCK_KIT.blocksPerMessage - fixed.length,
    chars: BLOCK_KIT.messageChars - visibleChars(fixed),
  };

  const rows = view.rows;
  // Reserved even when nothing is cut, so a cut never finds the pager without room.
  const pager = pagerBlocks(view.paging ?? { page: 0, pageCount: 2, first: rows.length, shown: 1, total: rows.length, buttons: [] }, rows.length);
  const rowBudget: Budget = { blocks: budget.blocks - pager.length, chars: budget.chars - visibleChars(pager) };
  // A page too big for a row of buttons each folds every row's buttons into a menu (one block per
  // row instead of two; Kick stays behind its confirmation, see `overflow`).
  let fitted = fitRows(rows, rowBudget, false);
  if (fitted.shown < rows.length) fitted = fitRows(rows, rowBudget, true);
  const onPage = rows.slice(0, fitted.shown);
  const blocks: Block[] = [...top, ...fitted.blocks, ...pagerBlocks(view.paging, rows.length - fitted.shown), ...bottom];
  return {
    blocks: assignActionIds(blocks),
    text: fallbackText(view, onPage.map((r) => r.name)),
    page: view.paging?.page ?? 0,
    pageCount: view.paging?.pageCount ?? 1,
  };
}
