import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed } from 'discord.js';
import { pageLabel } from '../../src/core/paging.ts';
import { formatClock, formatDuration, lineMarkText, type ButtonView, type ParticipantRowView, type StatusView } from '../../src/core/views.ts';
import { actionRow, buttonComponent } from './components.ts';
import { COMPONENTS, EMBED } from './limits.ts';
import { literal, truncate } from './text.ts';

/**
 * A status view as one embed plus components. Up to BUTTON_ROWS_PEOPLE participants get their own
 * buttons; a bigger room gets a select menu instead, which picks a participant and answers with
 * that participant's buttons privately. Rooms bigger than one select (25 options) come paged by the
 * core (`view.paging`, DISCORD_LIMITS.maxRowsPerPage): its Prev / Next are core actions drawn here.
 */

/** custom_id of the participant menu; the adapter answers it, the core never sees it. */
export const PICK_PARTICIPANT_ID = 'discord.pick';

/** Footer of the private participant panel: its Kick still asks first. */
const PANEL_FOOTER = 'Only you see these buttons.';

/** Participants whose buttons fit beside the room row: 4 rows of 2 participants (4 buttons). */
const PEOPLE_PER_BUTTON_ROW = 2;
const MAX_PEOPLE_WITH_BUTTONS = (COMPONENTS.rows - 1) * PEOPLE_PER_BUTTON_ROW;

/** Description budget kept below the limit, so the line that says how many are left out still fits. */
const DESCRIPTION_BUDGET = EMBED.description - 120;
const LINE_MAX = 300;
const SUMMARY_MAX = EMBED.fieldValue;

const COLOR = { live: 0x2ecc71, warning: 0xe67e22, ended: 0x95a5a6 } as const;

export interface RenderedStatus {
  readonly embeds: APIEmbed[];
  readonly components: APIActionRowComponent<APIComponentInMessageActionRow>[];
}

function flagsLine(view: StatusView): string {
  if (view.notStarted === true) return '';
  const parts = [`👥 ${view.count} ${view.count === 1 ? 'person' : 'people'}`];
  if (view.flags.locked) parts.push('🔒 locked');
  if (view.flags.recording) parts.push('🔴 recording');
  if (view.flags.muzak) parts.push('🎵 music on hold');
  if (view.flags.stream) parts.push('📡 streaming');
  parts.push(`running ${formatDuration(view.runningSec)}`);
  return parts.join(' · ');
}

const LINE_ICONS = { good: '🟢', fair: '🟡', poor: '🔴' } as const;

/** One participant: `🔇 **Tim** (701) · talking · 🔴 poor line, 12% loss · 3m 05s`, and the topic after a dash. */
export function participantLine(row: ParticipantRowView): string {
  const icon = row.muted ? '🔇' : row.talking ? '🗣️' : '🎙️';
  const parts = [`${icon} **${literal(truncate(row.name, 100))}**${row.number !== undefined && row.number !== row.name ? ` (${literal(truncate(row.number, 40))})` : ''}`];
  if (row.muted) parts.push(row.mutedBy === 'admin' ? 'muted by admin' : 'muted');
  if (row.talking) parts.push('talking');
  if (row.admin) parts.push('admin');
  if (row.line !== undefined) parts.push(`${LINE_ICONS[row.line.mark]} ${lineMarkText(row.line)}`);
  if (row.usernum !== undefined) parts.push(`#${row.usernum}`);
  parts.push(formatDuration(row.inRoomSec));
  const topic = row.topic !== undefined ? ` — _${literal(truncate(row.topic, 120))}_` : '';
  return truncate(`${parts.join(' · ')}${topic}`, LINE_MAX);
}

function liveDescription(view: StatusView, rows: readonly ParticipantRowView[]): string {
  const head = [view.banner !== undefined ? `⚠️ ${literal(view.banner)}` : '', flagsLine(view)].filter((l) => l !== '');
  let text = head.join('\n');
  let shown = 0;
  for (const row of rows) {
    const line = participantLine(row);
    if (text.length + line.length + 1 > DESCRIPTION_BUDGET) break;
    text += `${text === '' ? '' : '\n'}${line}`;
    shown += 1;
  }
  if (shown < rows.length) text += `\n… and ${rows.length - shown} more (pick them in the menu)`;
  return truncate(text, EMBED.description);
}

function endedEmbed(view: StatusView): APIEmbed {
  const ended = view.ended;
  const fields = ended === undefined ? [] : [
    { name: 'Attended', value: truncate(ended.attendees.length === 0 ? 'nobody' : ended.attendees.map(literal).join(', '), SUMMARY_MAX) },
    ...(ended.actions.length > 0 ? [{ name: 'Actions', value: truncate(ended.actions.map(literal).join('\n'), SUMMARY_MAX) }] : []),
    ...(ended.quality !== undefined ? [{ name: 'Line quality', value: truncate(literal(ended.quality), SUMMARY_MAX) }] : []),
  ];
  const summary = ended === undefined ? '' : `ran ${formatDuration(ended.durationSec)} · peak ${ended.peakSize}`;
  return {
    title: truncate(`Room ${view.room} ended · ${view.pbx}`, EMBED.title),
    description: truncate([view.banner !== undefined ? `⚠️ ${literal(view.banner)}` : '', summary].filter((l) => l !== '').join('\n'), EMBED.description),
    fields,
    color: COLOR.ended,
    footer: { text: `updated ${formatClock(view.updatedAt)} UTC` },
  };
}

/** A participant's own buttons, labelled with whom they act on when several people share a row. */
function labelled(button: ButtonView, row: ParticipantRowView): ButtonView {
  return { ...button, label: truncate(`${button.label} ${row.name}`, COMPONENTS.buttonLabel) };
}

function peopleRows(rows: readonly ParticipantRowView[]): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const out: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  for (let i = 0; i < rows.length; i += PEOPLE_PER_BUTTON_ROW) {
    const buttons = rows.slice(i, i + PEOPLE_PER_BUTTON_ROW).flatMap((row) => row.buttons.map((b) => labelled(b, row)));
    if (buttons.length > 0) out.push(actionRow(buttons.slice(0, COMPONENTS.buttonsPerRow).map(buttonComponent)));
  }
  return out;
}

function optionDescription(row: ParticipantRowView): string {
  const parts = [row.muted ? 'muted' : 'unmuted', formatDuration(row.inRoomSec)];
  if (row.number !== undefined && row.number !== row.name) parts.unshift(row.number);
  return truncate(parts.join(' · '), COMPONENTS.optionDescription);
}

function pickerRow(view: StatusView): APIActionRowComponent<APIComponentInMessageActionRow> {
  const rows = view.rows;
  const placeholder = view.paging !== undefined ? `Pick a participant (page ${view.paging.page + 1} of ${view.paging.pageCount})` : 'Pick a participant to mute, unmute or kick';
  return {
    type: 1,
    components: [{
      type: 3,
      custom_id: PICK_PARTICIPANT_ID,
      placeholder,
      min_values: 1,
      max_values: 1,
      options: rows.slice(0, COMPONENTS.selectOptions).map((row) => ({
        label: truncate(row.name, COMPONENTS.optionLabel),
        value: row.key.slice(0, COMPONENTS.optionValue),
        description: optionDescription(row),
      })),
    }],
  };
}

/** The room's buttons, then the core's Prev / Next (at most two), within one row of five. */
function roomRow(view: StatusView): APIActionRowComponent<APIComponentInMessageActionRow> | undefined {
  const turns = view.paging?.buttons ?? [];
  const buttons = [...view.buttons.slice(0, COMPONENTS.buttonsPerRow - turns.length), ...turns].map(buttonComponent);
  return buttons.length === 0 ? undefined : actionRow(buttons);
}

/** `view` is one page already (core/paging.ts): every row it carries is drawn. */
export function renderStatus(view: StatusView): RenderedStatus {
  if (view.ended !== undefined) return { embeds: [endedEmbed(view)], components: [] };
  const rows = view.rows;
  const footer = `updated ${formatClock(view.updatedAt)} UTC${view.paging !== undefined ? ` · ${pageLabel(view.paging)}` : ''}`;
  const embed: APIEmbed = {
    title: truncate(`Room ${view.room} · ${view.pbx}`, EMBED.title),
    description: liveDescription(view, rows) || 'Nobody is in the room.',
    color: view.banner !== undefined ? COLOR.warning : COLOR.live,
    footer: { text: footer },
  };
  const components: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  const room = roomRow(view);
  if (room !== undefined) components.push(room);
  const withButtons = rows.some((r) => r.buttons.length > 0);
  if (withButtons && view.rows.length <= MAX_PEOPLE_WITH_BUTTONS && rows.every((r) => r.buttons.length <= PEOPLE_PER_BUTTON_ROW)) {
    components.push(...peopleRows(rows));
  } else if (withButtons) {
    components.push(pickerRow(view));
  }
  return { embeds: [embed], components: components.slice(0, COMPONENTS.rows) };
}

/** The buttons of one participant, for the private answer to a pick from the menu. */
export function participantPanel(row: ParticipantRowView): { embeds: APIEmbed[]; components: APIActionRowComponent<APIComponentInMessageActionRow>[] } {
  return {
    embeds: [{ description: participantLine(row), color: COLOR.live, footer: { text: PANEL_FOOTER } }],
    components: row.buttons.length === 0 ? [] : [actionRow(row.buttons.slice(0, COMPONENTS.buttonsPerRow).map(buttonComponent))],
  };
}
