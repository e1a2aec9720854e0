import { z } from 'zod';
import type { AmiLink } from './types.ts';
import { count, flag, itemsNamed, listOrEmpty, optionalInt, simple, text, textOr, validate } from './action-schema.ts';

/** Typed ConfBridge actions; "nothing there" answers become empty lists. */

export interface ConfbridgeRoomItem {
  readonly conference: string;
  readonly parties: number;
  readonly marked: number;
  readonly locked: boolean;
  readonly muted: boolean;
}

const confbridgeRoomSchema = z
  .object({ conference: text, parties: count, marked: count.optional(), locked: flag, muted: flag })
  .transform((r): ConfbridgeRoomItem => ({ conference: r.conference, parties: r.parties, marked: r.marked ?? 0, locked: r.locked, muted: r.muted }));

/** ConfBridge says there is nothing to list with an error answer. */
const CONFBRIDGE_EMPTY = /no active conferences|no conference by that name/i;

/**
 * Active ConfBridge rooms; no active conference is an empty list.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/ConfbridgeListRooms/
 */
export async function confbridgeListRooms(link: AmiLink): Promise<ConfbridgeRoomItem[]> {
  const items = itemsNamed(await listOrEmpty(link, 'ConfbridgeListRooms', {}, CONFBRIDGE_EMPTY), 'ConfbridgeListRooms');
  return items.map((m) => validate('ConfbridgeListRooms', confbridgeRoomSchema, m));
}

export interface ConfbridgeListItem {
  readonly conference: string;
  readonly channel: string;
  readonly uniqueid: string;
  readonly callerIdNum: string;
  readonly callerIdName: string;
  readonly admin: boolean;
  readonly marked: boolean;
  readonly waitMarked: boolean;
  readonly endMarked: boolean;
  readonly waiting: boolean;
  readonly muted: boolean;
  readonly talking: boolean;
  readonly answeredTimeSec: number | undefined;
}

const confbridgeListSchema = z
  .object({
    conference: text,
    channel: text,
    uniqueid: text,
    calleridnum: textOr(''),
    calleridname: textOr(''),
    admin: flag,
    markeduser: flag,
    waitmarked: flag,
    endmarked: flag,
    waiting: flag,
    muted: flag,
    talking: flag,
    answeredtime: optionalInt,
  })
  .transform((r): ConfbridgeListItem => ({
    conference: r.conference,
    channel: r.channel,
    uniqueid: r.uniqueid,
    callerIdNum: r.calleridnum,
    callerIdName: r.calleridname,
    admin: r.admin,
    marked: r.markeduser,
    waitMarked: r.waitmarked,
    endMarked: r.endmarked,
    waiting: r.waiting,
    muted: r.muted,
    talking: r.talking,
    answeredTimeSec: r.answeredtime,
  }));

/**
 * Participants of one ConfBridge room; a missing conference is an empty list.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/ConfbridgeList/
 */
export async function confbridgeList(link: AmiLink, conference: string): Promise<ConfbridgeListItem[]> {
  const items = itemsNamed(await listOrEmpty(link, 'ConfbridgeList', { Conference: conference }, CONFBRIDGE_EMPTY), 'ConfbridgeList');
  return items.map((m) => validate('ConfbridgeList', confbridgeListSchema, m));
}

/**
 * Mutes a participant (`channel` may be a channel name, a prefix of one, `all` or `participants`).
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/ConfbridgeMute/
 */
export async function confbridgeMute(link: AmiLink, conference: string, channel: string): Promise<void> {
  await simple(link, 'ConfbridgeMute', { Conference: conference, Channel: channel });
}

/** @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/ConfbridgeUnmute/ */
export async function confbridgeUnmute(link: AmiLink, conference: string, channel: string): Promise<void> {
  await simple(link, 'ConfbridgeUnmute', { Conference: conference, Channel: channel });
}

/** @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/ConfbridgeKick/ */
export async function confbridgeKick(link: AmiLink, conference: string, channel: string): Promise<void> {
  await simple(link, 'ConfbridgeKick', { Conference: conference, Channel: channel });
}

/**
 * Locks a room (Asterisk 22 emits no event for it: see `Locked` in ConfbridgeListRooms).
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/ConfbridgeLock/
 */
export async function confbridgeLock(link: AmiLink, conference: string): Promise<void> {
  await simple(link, 'ConfbridgeLock', { Conference: conference });
}

/** @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/ConfbridgeUnlock/ */
export async function confbridgeUnlock(link: AmiLink, conference: string): Promise<void> {
  await simple(link, 'ConfbridgeUnlock', { Conference: conference });
}

/**
 * Starts recording a room. Asterisk writes `RecordFile=X.wav` as `X-<epoch>.wav`.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/ConfbridgeStartRecord/
 */
export async function confbridgeStartRecord(link: AmiLink, conference: string, recordFile?: string): Promise<void> {
  await simple(link, 'ConfbridgeStartRecord', { Conference: conference, RecordFile: recordFile });
}

/** @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/ConfbridgeStopRecord/ */
export async function confbridgeStopRecord(link: AmiLink, conference: string): Promise<void> {
  await simple(link, 'ConfbridgeStopRecord', { Conference: conference });
}
