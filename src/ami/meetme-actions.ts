import { z } from 'zod';
import { amiBool } from './events.ts';
import type { AmiLink } from './types.ts';
import { count, flag, itemsNamed, listOrEmpty, simple, text, textOr, validate } from './action-schema.ts';

/** Typed MeetMe actions; "nothing there" answers become empty lists. */

export interface MeetmeRoomItem {
  readonly conference: string;
  readonly parties: number;
  readonly marked: number;
  /** How long the room has been active, as Asterisk shows it (`01:37:22`). */
  readonly activity: string;
  /** `Static` or `Dynamic`. */
  readonly creation: string;
  readonly locked: boolean;
}

/** app_meetme writes `Marked: N/A` when no marked user is in the room (`%.4d` otherwise). */
const meetmeMarked = z.union([z.string().regex(/^\s*N\/A\s*$/i).transform(() => 0), count]).optional();

const meetmeRoomSchema = z
  .object({ conference: text, parties: count, marked: meetmeMarked, activity: textOr(''), creation: textOr(''), locked: flag })
  .transform((r): MeetmeRoomItem => ({
    conference: r.conference,
    parties: r.parties,
    marked: r.marked ?? 0,
    activity: r.activity,
    creation: r.creation,
    locked: r.locked,
  }));

const MEETME_EMPTY = /no active conferences|no such conference/i;

/**
 * Active MeetMe rooms; none is an empty list.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/MeetmeListRooms/
 */
export async function meetmeListRooms(link: AmiLink): Promise<MeetmeRoomItem[]> {
  const items = itemsNamed(await listOrEmpty(link, 'MeetmeListRooms', {}, MEETME_EMPTY), 'MeetmeListRooms');
  return items.map((m) => validate('MeetmeListRooms', meetmeRoomSchema, m));
}

export interface MeetmeListItem {
  readonly conference: string;
  /** Reused after a participant leaves: pair it with `uniqueid` or `channel`. */
  readonly usernum: number;
  readonly channel: string;
  /** Older Asterisk versions leave it out of MeetmeList. */
  readonly uniqueid: string | undefined;
  readonly callerIdNum: string;
  readonly callerIdName: string;
  readonly admin: boolean;
  readonly marked: boolean;
  readonly muted: boolean;
  /** `Muted: By admin` / `By self`; undefined when not muted or when the PBX does not say. */
  readonly mutedBy: 'admin' | 'self' | undefined;
  readonly talking: boolean;
  /** `Talk and listen`, `Listen only`, `Talk only`. */
  readonly role: string;
}

/** MeetMe says `Muted: By admin` / `By self` / `No`, and `Talking: Yes` / `No` / `Not monitored`. */
const meetmeMuted = z.string().optional().transform((v): { muted: boolean; by: 'admin' | 'self' | undefined } => {
  const s = (v ?? '').trim().toLowerCase();
  if (s === 'by admin') return { muted: true, by: 'admin' };
  if (s === 'by self') return { muted: true, by: 'self' };
  return { muted: s.startsWith('by ') || amiBool(s), by: undefined };
});

const meetmeListSchema = z
  .object({
    conference: text,
    usernumber: count,
    channel: text,
    uniqueid: z.string().optional(),
    calleridnum: textOr(''),
    calleridname: textOr(''),
    admin: flag,
    markeduser: flag,
    muted: meetmeMuted,
    talking: flag,
    role: textOr(''),
  })
  .transform((r): MeetmeListItem => ({
    conference: r.conference,
    usernum: r.usernumber,
    channel: r.channel,
    uniqueid: r.uniqueid === undefined || r.uniqueid === '' ? undefined : r.uniqueid,
    callerIdNum: r.calleridnum,
    callerIdName: r.calleridname,
    admin: r.admin,
    marked: r.markeduser,
    muted: r.muted.muted,
    mutedBy: r.muted.by,
    talking: r.talking,
    role: r.role,
  }));

/**
 * Participants of one MeetMe room, or of all rooms; none (or a missing room) is an empty list.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/MeetmeList/
 */
export async function meetmeList(link: AmiLink, conference?: string): Promise<MeetmeListItem[]> {
  const items = itemsNamed(await listOrEmpty(link, 'MeetmeList', { Conference: conference }, MEETME_EMPTY), 'MeetmeList');
  return items.map((m) => validate('MeetmeList', meetmeListSchema, m));
}

/** @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/MeetmeMute/ */
export async function meetmeMute(link: AmiLink, meetme: string, usernum: number): Promise<void> {
  await simple(link, 'MeetmeMute', { Meetme: meetme, Usernum: usernum });
}

/** @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/MeetmeUnmute/ */
export async function meetmeUnmute(link: AmiLink, meetme: string, usernum: number): Promise<void> {
  await simple(link, 'MeetmeUnmute', { Meetme: meetme, Usernum: usernum });
}
