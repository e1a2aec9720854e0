import { createHash } from 'node:crypto';
import { z } from 'zod';
import { amiBool } from './events.ts';
import type { AmiMessage } from './message.ts';
import type { AmiFieldValue, AmiLink } from './types.ts';
import { AmiActionError, AmiBadResponseError, AmiUnsafeFieldError } from './errors.ts';

/**
 * Typed AMI actions. Each takes the link first, sends one action, and validates the answer with a
 * zod schema where it enters, so callers get typed values or a typed error, never raw AMI text.
 * Caller-id values such as `<unknown>` are kept raw here; the domain layer normalises them.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/
 */

// ---- schema helpers: records from AmiMessage.toRecord() have lower-cased keys ----

const text = z.string();
const textOr = (fallback: string) => z.string().optional().transform((v) => v ?? fallback);
const flag = z.string().optional().transform((v) => amiBool(v));
const count = z.string().regex(/^\s*\d+\s*$/).transform((v) => Number.parseInt(v, 10));
const optionalInt = z
  .string()
  .optional()
  .transform((v) => {
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number.parseInt(v, 10);
    return Number.isFinite(n) ? n : undefined;
  });

/** `HH:MM:SS` (CoreShowChannel Duration) or plain seconds (Status Seconds). */
function durationSeconds(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const parts = value.trim().split(':');
  if (parts.some((p) => !/^\d+$/.test(p))) return undefined;
  return parts.reduce((total, p) => total * 60 + Number.parseInt(p, 10), 0);
}

function validate<S extends z.ZodType>(action: string, schema: S, msg: AmiMessage): z.output<S> {
  const parsed = schema.safeParse(msg.toRecord());
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AmiBadResponseError(action, `${msg.event ?? msg.response ?? 'message'}: ${issues}`);
  }
  return parsed.data;
}

/** Items of an event list, minus anything that is not the expected item event. */
function itemsNamed(items: readonly AmiMessage[], event: string): AmiMessage[] {
  const wanted = event.toLowerCase();
  return items.filter((m) => m.event?.toLowerCase() === wanted);
}

/** A list action whose "nothing there" answer is an error; that answer becomes an empty list. */
async function listOrEmpty(link: AmiLink, action: string, fields: Record<string, AmiFieldValue | undefined>, empty: RegExp): Promise<AmiMessage[]> {
  try {
    return await link.listAction({ action, fields });
  } catch (err) {
    if (err instanceof AmiActionError && empty.test(err.amiMessage)) return [];
    throw err;
  }
}

async function simple(link: AmiLink, action: string, fields: Record<string, AmiFieldValue | undefined> = {}): Promise<AmiMessage> {
  return link.action({ action, fields });
}

// ---- session: the client calls these on its own socket, before it counts as connected ----

/** All the session actions need: one plain action at a time. */
export type ActionSender = Pick<AmiLink, 'action'>;

const challengeSchema = z.object({ challenge: z.string().min(1) });
/** A refusal is `Response: Error`, which the link already rejects with `AmiActionError`. */
const loginSchema = z.object({ response: z.string().regex(/^success$/i) });
const logoffSchema = z.object({ response: z.string().regex(/^goodbye$/i) });

/**
 * Asks for the MD5 login challenge.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Challenge/
 */
export async function challenge(link: ActionSender): Promise<string> {
  return validate('Challenge', challengeSchema, await link.action({ action: 'Challenge', fields: { AuthType: 'MD5' } })).challenge;
}

export interface LoginParams {
  readonly username: string;
  readonly secret: string;
  /** `md5` answers a Challenge with md5hex(challenge + secret), so the secret never crosses the wire. */
  readonly authType: 'plain' | 'md5';
  /** The session's `Events:` mask. */
  readonly events: string;
}

/**
 * Logs in, plain or by MD5 challenge. A refusal rejects with `AmiActionError` (`Response: Error`).
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Login/
 */
export async function login(link: ActionSender, p: LoginParams): Promise<void> {
  const fields = p.authType === 'md5'
    ? { AuthType: 'MD5', Username: p.username, Key: createHash('md5').update((await challenge(link)) + p.secret).digest('hex'), Events: p.events }
    : { Username: p.username, Secret: p.secret, Events: p.events };
  validate('Login', loginSchema, await link.action({ action: 'Login', fields }));
}

/**
 * Ends the session; Asterisk answers `Response: Goodbye` and closes the socket.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Logoff/
 */
export async function logoff(link: ActionSender): Promise<void> {
  validate('Logoff', logoffSchema, await link.action({ action: 'Logoff' }));
}

// ---- plain actions ----

/**
 * Keepalive / liveness check.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Ping/
 */
export async function ping(link: AmiLink): Promise<void> {
  await simple(link, 'Ping');
}

const commandOutputSchema = z.array(z.string());

/**
 * Runs a CLI command; output lines in either wire format (Asterisk 14+ `Output:` headers, or the
 * legacy `Response: Follows` body).
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Command/
 */
export async function command(link: AmiLink, cmd: string): Promise<string[]> {
  const parsed = commandOutputSchema.safeParse(await link.command(cmd));
  if (!parsed.success) throw new AmiBadResponseError('Command', 'output is not a list of lines');
  return parsed.data;
}

/**
 * Hangs up a channel (also the way to kick a MeetMe participant).
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Hangup/
 */
export async function hangup(link: AmiLink, channel: string, cause?: number): Promise<void> {
  await simple(link, 'Hangup', { Channel: channel, Cause: cause });
}

export interface OriginateParams {
  readonly channel: string;
  readonly context?: string;
  readonly exten?: string;
  readonly priority?: number;
  readonly application?: string;
  readonly data?: string;
  readonly callerId?: string;
  /**
   * Dial timeout (AMI `Timeout`, ms; Asterisk's default is 30 s). The wait for the outcome is this
   * plus the action timeout: see `originateWaitMs` in client.ts.
   */
  readonly timeoutMs?: number;
  /** Channel variables, sent as one `Variable: name=value` header each. */
  readonly variables?: Readonly<Record<string, string>>;
  readonly account?: string;
}

export interface OriginateResult {
  readonly success: boolean;
  /** Asterisk's outcome code: 4 answered, 5 busy, 3 no answer, 8 congestion, 0/1 failed. */
  readonly reason: number;
  readonly reasonText: string;
  readonly channel: string;
  readonly uniqueid: string;
}

const REASON_TEXT: Readonly<Record<number, string>> = {
  0: 'failed',
  1: 'hung up',
  3: 'no answer',
  4: 'answered',
  5: 'busy',
  8: 'congestion',
};

function originateFields(o: OriginateParams): Record<string, AmiFieldValue | undefined> {
  const variables = Object.entries(o.variables ?? {}).map(([name, value]) => {
    // `=` splits name from value on the PBX side, so a name holding one would set another variable.
    if (name === '' || name.includes('=')) throw new AmiUnsafeFieldError('Variable', 'variable name empty or containing "="');
    return `${name}=${value}`;
  });
  return {
    Channel: o.channel,
    Context: o.context,
    Exten: o.exten,
    Priority: o.priority,
    Application: o.application,
    Data: o.data,
    CallerID: o.callerId,
    Timeout: o.timeoutMs,
    Account: o.account,
    Variable: variables.length > 0 ? variables : undefined,
  };
}

const originateResponseSchema = z.object({
  response: text,
  reason: optionalInt,
  channel: textOr(''),
  uniqueid: textOr(''),
});

/**
 * Async Originate: resolves with the outcome from the `OriginateResponse` event (a failed dial is a
 * result with `success: false`, not an exception).
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Originate/
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Events/OriginateResponse/
 */
export async function originateAsync(link: AmiLink, o: OriginateParams): Promise<OriginateResult> {
  const msg = await link.originateAsync({ action: 'Originate', fields: originateFields(o) });
  const r = validate('Originate', originateResponseSchema, msg);
  const reason = r.reason ?? 0;
  return {
    success: r.response.toLowerCase() === 'success',
    reason,
    reasonText: REASON_TEXT[reason] ?? `reason ${reason}`,
    channel: r.channel,
    uniqueid: r.uniqueid,
  };
}

/**
 * Transfers a channel (and optionally a second one) elsewhere in the dialplan.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Redirect/
 */
export async function redirect(link: AmiLink, r: { channel: string; context: string; exten: string; priority?: number; extraChannel?: string }): Promise<void> {
  await simple(link, 'Redirect', {
    Channel: r.channel,
    ExtraChannel: r.extraChannel,
    Context: r.context,
    Exten: r.exten,
    Priority: r.priority ?? 1,
  });
}

/**
 * Sets a channel variable, or a global one when `channel` is left out.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Setvar/
 */
export async function setVar(link: AmiLink, v: { channel?: string; variable: string; value: string }): Promise<void> {
  await simple(link, 'SetVar', { Channel: v.channel, Variable: v.variable, Value: v.value });
}

const getVarSchema = z.object({ value: z.string().optional() });

/**
 * Reads a channel variable, or a global one when `channel` is left out. An empty or missing value
 * is `undefined`.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Getvar/
 */
export async function getVar(link: AmiLink, v: { channel?: string; variable: string }): Promise<string | undefined> {
  const msg = await simple(link, 'GetVar', { Channel: v.channel, Variable: v.variable });
  const value = validate('GetVar', getVarSchema, msg).value;
  return value === undefined || value === '' ? undefined : value;
}

// ---- channel lists ----

export interface ChannelStatusItem {
  readonly channel: string;
  readonly uniqueid: string;
  readonly linkedid: string;
  readonly callerIdNum: string;
  readonly callerIdName: string;
  readonly connectedLineNum: string;
  readonly connectedLineName: string;
  readonly context: string;
  readonly exten: string;
  readonly application: string;
  readonly applicationData: string;
  /** `ChannelStateDesc`: Up, Ring, Ringing, Down, ... */
  readonly state: string;
  readonly durationSec: number | undefined;
}

const channelStatusSchema = z
  .object({
    channel: text,
    uniqueid: text,
    linkedid: z.string().optional(),
    calleridnum: textOr(''),
    calleridname: textOr(''),
    connectedlinenum: textOr(''),
    connectedlinename: textOr(''),
    context: textOr(''),
    exten: textOr(''),
    application: textOr(''),
    applicationdata: z.string().optional(),
    data: z.string().optional(),
    channelstatedesc: z.string().optional(),
    state: z.string().optional(),
    duration: z.string().optional(),
    seconds: z.string().optional(),
  })
  .transform((r): ChannelStatusItem => ({
    channel: r.channel,
    uniqueid: r.uniqueid,
    linkedid: r.linkedid ?? r.uniqueid,
    callerIdNum: r.calleridnum,
    callerIdName: r.calleridname,
    connectedLineNum: r.connectedlinenum,
    connectedLineName: r.connectedlinename,
    context: r.context,
    exten: r.exten,
    application: r.application,
    applicationData: r.applicationdata ?? r.data ?? '',
    state: r.channelstatedesc ?? r.state ?? '',
    durationSec: durationSeconds(r.duration ?? r.seconds),
  }));

/**
 * Every channel's status (event list of `Status` events, ended by `StatusComplete`).
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/Status/
 */
export async function status(link: AmiLink): Promise<ChannelStatusItem[]> {
  const items = itemsNamed(await link.listAction({ action: 'Status' }), 'Status');
  return items.map((m) => validate('Status', channelStatusSchema, m));
}

/**
 * Channels up right now (event list of `CoreShowChannel` events).
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/CoreShowChannels/
 */
export async function coreShowChannels(link: AmiLink): Promise<ChannelStatusItem[]> {
  const items = itemsNamed(await link.listAction({ action: 'CoreShowChannels' }), 'CoreShowChannel');
  return items.map((m) => validate('CoreShowChannels', channelStatusSchema, m));
}

// ---- ConfBridge ----

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

// ---- MeetMe ----

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
