import type { RoomSnapshot } from '../../src/sim/pbx/index.ts';

/**
 * Reading a status message like a person would, on each platform, and the truth from the PBX in
 * the same shape: who is in the room and whether they are muted (talking flickers too fast to
 * compare after a settle and is left out).
 */

export interface ShownStatus {
  readonly room: string;
  readonly ended: boolean;
  /** `Name (num)` plus ` muted` when muted, sorted. */
  readonly people: readonly string[];
}

const row = (who: string, muted: boolean): string => (muted ? `${who} muted` : who);

export function truePeople(snapshot: RoomSnapshot | undefined): string[] {
  return (snapshot?.participants ?? []).map((p) => row(`${p.callerName} (${p.callerNum})`, p.muted)).sort();
}

interface SlackBlock { readonly type?: unknown; readonly text?: { readonly text?: unknown } }

/** A Slack status message: header `Room R · pbx` (or `Room R ended · pbx`), one section per person. */
export function readSlackStatus(blocks: readonly unknown[]): ShownStatus | undefined {
  let header: string | undefined;
  const people: string[] = [];
  for (const block of blocks as SlackBlock[]) {
    const text = typeof block.text?.text === 'string' ? block.text.text : undefined;
    if (text === undefined) continue;
    if (block.type === 'header' && header === undefined) header = text;
    if (block.type !== 'section') continue;
    const person = /^\*([^*]+)\* {2}(.*)$/s.exec(text);
    if (person !== null) people.push(row(person[1] ?? '', (person[2] ?? '').includes(':mute: muted')));
  }
  const title = header === undefined ? undefined : /^Room (\S+)( ended)? · /.exec(header);
  if (title === undefined || title === null) return undefined;
  return { room: title[1] ?? '', ended: title[2] !== undefined, people: people.sort() };
}

interface DiscordEmbed { readonly title?: string; readonly description?: string }

/** A Discord status message: embed title `Room R · pbx`, description lines `🔇 **Name** (num) · …`. */
export function readDiscordStatus(embeds: readonly unknown[]): ShownStatus | undefined {
  const embed = embeds[0] as DiscordEmbed | undefined;
  const title = /^Room (\S+)( ended)? · /.exec(embed?.title ?? '');
  if (title === null) return undefined;
  const people: string[] = [];
  for (const line of (embed?.description ?? '').split('\n')) {
    const person = /^(\S+) \*\*(.+?)\*\*(?: \((.+?)\))?/u.exec(line);
    if (person === null) continue;
    const who = person[3] === undefined ? person[2] ?? '' : `${person[2] ?? ''} (${person[3]})`;
    people.push(row(who, person[1] === '🔇'));
  }
  return { room: title[1] ?? '', ended: title[2] !== undefined, people: people.sort() };
}
