import { z } from 'zod';
import type { AmiFieldValue, AmiLink } from './types.ts';
import { AmiBadResponseError, AmiUnsafeFieldError } from './errors.ts';
import { durationSeconds, itemsNamed, optionalInt, simple, text, textOr, validate } from './action-schema.ts';

/**
 * Typed actions on channels and the PBX itself: Ping, Command, Hangup, Originate, Redirect,
 * variables, and the channel lists.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/
 */

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
   * plus the action timeout: see `originateWaitMs` in originate-wait.ts.
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
