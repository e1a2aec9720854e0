import type { AmiMessage } from './message.ts';

/**
 * Typed AMI events. Each known event is validated where it enters (`parseAmiEvent`): required fields
 * present, flags turned into booleans. Unknown events, and known ones missing a required field, come
 * back as `UntypedAmiEvent` so nothing is lost and nothing half-parsed leaks into state.
 * Hand-written checks rather than zod here: this runs for every event on the hot path.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Events/
 */

/** The standard channel snapshot fields Asterisk adds to channel events. */
export interface ChannelSnapshot {
  readonly channel: string;
  readonly uniqueid: string;
  readonly callerIdNum: string;
  readonly callerIdName: string;
  readonly connectedLineNum: string;
  readonly connectedLineName: string;
  readonly linkedid: string;
}

interface Base<E extends string> {
  readonly event: E;
  readonly typed: true;
  readonly raw: AmiMessage;
}

export interface ConfbridgeStartEvent extends Base<'ConfbridgeStart'> { readonly conference: string }
export interface ConfbridgeEndEvent extends Base<'ConfbridgeEnd'> { readonly conference: string }
export interface ConfbridgeJoinEvent extends Base<'ConfbridgeJoin'>, ChannelSnapshot {
  readonly conference: string;
  readonly admin: boolean;
  readonly muted: boolean;
}
export interface ConfbridgeLeaveEvent extends Base<'ConfbridgeLeave'>, ChannelSnapshot {
  readonly conference: string;
  readonly admin: boolean;
}
export interface ConfbridgeMuteEvent extends Base<'ConfbridgeMute'>, ChannelSnapshot { readonly conference: string }
export interface ConfbridgeUnmuteEvent extends Base<'ConfbridgeUnmute'>, ChannelSnapshot { readonly conference: string }
export interface ConfbridgeTalkingEvent extends Base<'ConfbridgeTalking'>, ChannelSnapshot {
  readonly conference: string;
  readonly talking: boolean;
}
export interface ConfbridgeRecordEvent extends Base<'ConfbridgeRecord'> { readonly conference: string; readonly recordFile: string }
export interface ConfbridgeStopRecordEvent extends Base<'ConfbridgeStopRecord'> { readonly conference: string }
export interface ConfbridgeLockEvent extends Base<'ConfbridgeLock'> { readonly conference: string }
export interface ConfbridgeUnlockEvent extends Base<'ConfbridgeUnlock'> { readonly conference: string }

export interface MeetmeJoinEvent extends Base<'MeetmeJoin'>, ChannelSnapshot {
  readonly meetme: string;
  readonly usernum: number;
}
export interface MeetmeLeaveEvent extends Base<'MeetmeLeave'>, ChannelSnapshot {
  readonly meetme: string;
  readonly usernum: number;
  readonly durationSec: number | undefined;
}
export interface MeetmeEndEvent extends Base<'MeetmeEnd'> { readonly meetme: string }
export interface MeetmeMuteEvent extends Base<'MeetmeMute'>, ChannelSnapshot {
  readonly meetme: string;
  readonly usernum: number;
  readonly muted: boolean;
}
export interface MeetmeTalkingEvent extends Base<'MeetmeTalking'>, ChannelSnapshot {
  readonly meetme: string;
  readonly usernum: number;
  readonly talking: boolean;
}
export interface MeetmeTalkRequestEvent extends Base<'MeetmeTalkRequest'>, ChannelSnapshot {
  readonly meetme: string;
  readonly usernum: number;
  readonly requesting: boolean;
}

export interface HangupEvent extends Base<'Hangup'>, ChannelSnapshot {
  readonly cause: number;
  readonly causeText: string;
  /**
   * The channel driver's own cause (the SIP response code), from `TechCause` where Asterisk sends it
   * (22.7 and later); undefined otherwise.
   */
  readonly techCause: number | undefined;
}
export interface NewchannelEvent extends Base<'Newchannel'>, ChannelSnapshot {
  readonly context: string;
  readonly exten: string;
}
export interface RenameEvent extends Base<'Rename'> {
  readonly channel: string;
  readonly newname: string;
  readonly uniqueid: string;
}
export interface OriginateResponseEvent extends Base<'OriginateResponse'> {
  readonly actionId: string | undefined;
  readonly success: boolean;
  /** Asterisk's dial outcome code: 4 answered, 5 busy, 3 no answer, 8 congestion, 0/1 failed. */
  readonly reason: number;
  readonly channel: string;
  readonly uniqueid: string;
}
export interface FullyBootedEvent extends Base<'FullyBooted'> { readonly status: string }
export interface ShutdownEvent extends Base<'Shutdown'> { readonly shutdown: string; readonly restart: boolean }
export interface ReloadEvent extends Base<'Reload'> { readonly module: string; readonly status: string }

export interface UntypedAmiEvent {
  readonly event: string;
  readonly typed: false;
  readonly raw: AmiMessage;
}

export type TypedAmiEvent =
  | ConfbridgeStartEvent | ConfbridgeEndEvent | ConfbridgeJoinEvent | ConfbridgeLeaveEvent
  | ConfbridgeMuteEvent | ConfbridgeUnmuteEvent | ConfbridgeTalkingEvent | ConfbridgeRecordEvent
  | ConfbridgeStopRecordEvent | ConfbridgeLockEvent | ConfbridgeUnlockEvent
  | MeetmeJoinEvent | MeetmeLeaveEvent | MeetmeEndEvent | MeetmeMuteEvent | MeetmeTalkingEvent
  | MeetmeTalkRequestEvent
  | HangupEvent | NewchannelEvent | RenameEvent | OriginateResponseEvent
  | FullyBootedEvent | ShutdownEvent | ReloadEvent;

export type AmiEvent = TypedAmiEvent | UntypedAmiEvent;

/** Map from event name to its typed shape, for typed listeners. */
export type AmiEventMap = { [E in TypedAmiEvent as E['event']]: E };

/** AMI booleans come as Yes/No, On/Off, true/false, 1/0. */
export function amiBool(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v === 'yes' || v === 'on' || v === 'true' || v === '1';
}

function int(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : undefined;
}

function snapshot(m: AmiMessage): ChannelSnapshot | undefined {
  const channel = m.get('Channel');
  const uniqueid = m.get('Uniqueid');
  if (channel === undefined || uniqueid === undefined) return undefined;
  return {
    channel,
    uniqueid,
    callerIdNum: m.get('CallerIDNum') ?? '',
    callerIdName: m.get('CallerIDName') ?? '',
    connectedLineNum: m.get('ConnectedLineNum') ?? '',
    connectedLineName: m.get('ConnectedLineName') ?? '',
    linkedid: m.get('Linkedid') ?? uniqueid,
  };
}

type Parser = (m: AmiMessage) => TypedAmiEvent | undefined;

function conferenceOnly<E extends 'ConfbridgeStart' | 'ConfbridgeEnd' | 'ConfbridgeStopRecord' | 'ConfbridgeLock' | 'ConfbridgeUnlock'>(event: E): Parser {
  return (m) => {
    const conference = m.get('Conference');
    if (conference === undefined) return undefined;
    return { event, typed: true, raw: m, conference } as TypedAmiEvent;
  };
}

function confChannel(m: AmiMessage): (ChannelSnapshot & { conference: string }) | undefined {
  const conference = m.get('Conference');
  const snap = snapshot(m);
  if (conference === undefined || snap === undefined) return undefined;
  return { ...snap, conference };
}

function meetmeChannel(m: AmiMessage): (ChannelSnapshot & { meetme: string; usernum: number }) | undefined {
  const meetme = m.get('Meetme');
  // MeetMe events spell it CallerIDnum / CallerIDname; look-ups are case-insensitive.
  const snap = snapshot(m);
  const usernum = int(m.get('Usernum') ?? m.get('User'));
  if (meetme === undefined || snap === undefined || usernum === undefined) return undefined;
  return { ...snap, meetme, usernum };
}

const PARSERS: Record<string, Parser> = {
  ConfbridgeStart: conferenceOnly('ConfbridgeStart'),
  ConfbridgeEnd: conferenceOnly('ConfbridgeEnd'),
  ConfbridgeStopRecord: conferenceOnly('ConfbridgeStopRecord'),
  ConfbridgeLock: conferenceOnly('ConfbridgeLock'),
  ConfbridgeUnlock: conferenceOnly('ConfbridgeUnlock'),
  ConfbridgeRecord: (m) => {
    const conference = m.get('Conference');
    if (conference === undefined) return undefined;
    return { event: 'ConfbridgeRecord', typed: true, raw: m, conference, recordFile: m.get('RecordFile') ?? '' };
  },
  ConfbridgeJoin: (m) => {
    const c = confChannel(m);
    return c && { event: 'ConfbridgeJoin', typed: true, raw: m, ...c, admin: amiBool(m.get('Admin')), muted: amiBool(m.get('Muted')) };
  },
  ConfbridgeLeave: (m) => {
    const c = confChannel(m);
    return c && { event: 'ConfbridgeLeave', typed: true, raw: m, ...c, admin: amiBool(m.get('Admin')) };
  },
  ConfbridgeMute: (m) => {
    const c = confChannel(m);
    return c && { event: 'ConfbridgeMute', typed: true, raw: m, ...c };
  },
  ConfbridgeUnmute: (m) => {
    const c = confChannel(m);
    return c && { event: 'ConfbridgeUnmute', typed: true, raw: m, ...c };
  },
  ConfbridgeTalking: (m) => {
    const c = confChannel(m);
    const status = m.get('TalkingStatus');
    return c && status !== undefined ? { event: 'ConfbridgeTalking', typed: true, raw: m, ...c, talking: amiBool(status) } : undefined;
  },
  MeetmeJoin: (m) => {
    const c = meetmeChannel(m);
    return c && { event: 'MeetmeJoin', typed: true, raw: m, ...c };
  },
  MeetmeLeave: (m) => {
    const c = meetmeChannel(m);
    return c && { event: 'MeetmeLeave', typed: true, raw: m, ...c, durationSec: int(m.get('Duration')) };
  },
  MeetmeEnd: (m) => {
    const meetme = m.get('Meetme');
    return meetme === undefined ? undefined : { event: 'MeetmeEnd', typed: true, raw: m, meetme };
  },
  MeetmeMute: (m) => {
    const c = meetmeChannel(m);
    return c && { event: 'MeetmeMute', typed: true, raw: m, ...c, muted: amiBool(m.get('Status')) };
  },
  MeetmeTalking: (m) => {
    const c = meetmeChannel(m);
    return c && { event: 'MeetmeTalking', typed: true, raw: m, ...c, talking: amiBool(m.get('Status')) };
  },
  MeetmeTalkRequest: (m) => {
    const c = meetmeChannel(m);
    return c && { event: 'MeetmeTalkRequest', typed: true, raw: m, ...c, requesting: amiBool(m.get('Status')) };
  },
  Hangup: (m) => {
    const s = snapshot(m);
    return s && { event: 'Hangup', typed: true, raw: m, ...s, cause: int(m.get('Cause')) ?? 0, causeText: m.get('Cause-txt') ?? '', techCause: techCause(m.get('TechCause')) };
  },
  Newchannel: (m) => {
    const s = snapshot(m);
    return s && { event: 'Newchannel', typed: true, raw: m, ...s, context: m.get('Context') ?? '', exten: m.get('Exten') ?? '' };
  },
  Rename: (m) => {
    const channel = m.get('Channel') ?? m.get('Oldname');
    const newname = m.get('Newname');
    const uniqueid = m.get('Uniqueid');
    if (channel === undefined || newname === undefined || uniqueid === undefined) return undefined;
    return { event: 'Rename', typed: true, raw: m, channel, newname, uniqueid };
  },
  OriginateResponse: (m) => {
    const response = m.get('Response');
    if (response === undefined) return undefined;
    return {
      event: 'OriginateResponse', typed: true, raw: m,
      actionId: m.get('ActionID'),
      success: response.toLowerCase() === 'success',
      reason: int(m.get('Reason')) ?? 0,
      channel: m.get('Channel') ?? '',
      uniqueid: m.get('Uniqueid') ?? '',
    };
  },
  FullyBooted: (m) => ({ event: 'FullyBooted', typed: true, raw: m, status: m.get('Status') ?? '' }),
  Shutdown: (m) => ({ event: 'Shutdown', typed: true, raw: m, shutdown: m.get('Shutdown') ?? '', restart: amiBool(m.get('Restart')) }),
  Reload: (m) => ({ event: 'Reload', typed: true, raw: m, module: m.get('Module') ?? '', status: m.get('Status') ?? '' }),
};

/** Validates and types an event message. Never throws. */
export function parseAmiEvent(msg: AmiMessage): AmiEvent {
  const name = msg.event ?? '';
  const parser = PARSERS[name];
  const typed = parser?.(msg);
  return typed ?? { event: name, typed: false, raw: msg };
}

/** `503`, or `SIP 503 Service Unavailable` as some drivers word it: the first 3-digit code. */
function techCause(value: string | undefined): number | undefined {
  const code = value === undefined ? undefined : /\b([1-6]\d\d)\b/.exec(value)?.[1];
  return code === undefined ? undefined : Number(code);
}
