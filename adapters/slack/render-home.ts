import type { HomeView } from '../../src/core/home.ts';
import { context, header, section, splitSections, type Block } from './blocks.ts';
import { escapeMrkdwn, literalMrkdwn, textMrkdwn } from './text.ts';

/**
 * The App Home tab: role, rooms with head counts, help. Room names and the role's reason come from
 * the PBX and the config, so they are literal and the sections verbatim.
 * @see https://docs.slack.dev/surfaces/app-home
 */

/** Slack's limit for a Home tab view. */
const HOME_BLOCKS = 100;

const VERBATIM = { verbatim: true } as const;

function roomLine(view: HomeView, room: HomeView['rooms'][number]): string {
  const name = view.multiPbx ? `${room.pbx}/${room.room}` : room.room;
  const people = `${room.people} ${room.people === 1 ? 'person' : 'people'}`;
  return `• \`${literalMrkdwn(name).replace(/`/g, '\u02CB')}\` — ${people}${room.locked ? ', locked' : ''}`;
}

function roomsText(view: HomeView): string {
  const lines = view.rooms.map((room) => roomLine(view, room));
  if (lines.length === 0) lines.push('No active rooms you can see.');
  if (view.unreachable.length > 0) lines.push(`:warning: Not reachable now: ${view.unreachable.map(literalMrkdwn).join(', ')}.`);
  return lines.join('\n');
}

export function renderHome(view: HomeView): { type: 'home'; blocks: Block[] } {
  const role = view.role === undefined ? '*no role*: you can use help and whoami' : `*${view.role}*`;
  const blocks: Block[] = [
    header('MeetMe Bot'),
    section(`Your role: ${role} (${literalMrkdwn(view.roleReason)})`, undefined, VERBATIM),
    header('Active rooms you can see'),
    ...splitSections(roomsText(view)).map((chunk) => section(chunk, undefined, VERBATIM)),
    header('Commands'),
    ...splitSections(view.commands.map(([usage, summary]) => `• \`${escapeMrkdwn(`${view.slashCommand} ${usage}`.replace(/`/g, '\u02CB'))}\` — ${textMrkdwn(summary)}`).join('\n'))
      .map((chunk) => section(chunk, undefined, VERBATIM)),
    context([`Write a room as \`pbx/room\` when several PBXs are configured. This page shows the rooms when you open it.`]),
  ];
  if (blocks.length <= HOME_BLOCKS) return { type: 'home', blocks };
  return { type: 'home', blocks: [...blocks.slice(0, HOME_BLOCKS - 1), context(['… (more not shown)'])] };
}
