import type { AmiHeader } from '../../ami/message.ts';
import { causeText } from './causes.ts';
import type { ChannelView, PbxEvent, RoomView } from './model.ts';
import type { PbxDialect } from './types.ts';

/**
 * Model events → AMI events, with the field names and order real Asterisk uses: Asterisk 22 for
 * ConfBridge (checked against the 05_conference_200 capture) and modern MeetMe (Asterisk 13+
 * channel snapshots); the `meetme-legacy` dialect speaks the Asterisk 1.8/11 forms
 * (`CallerIDnum`, no snapshot), which is what a PBX with legacy Command output sends.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Events/
 */

const CALL = 'call,all';

const STATE_DESC: Readonly<Record<number, string>> = { 0: 'Down', 4: 'Ring', 6: 'Up' };

/** The standard channel snapshot fields, as Asterisk 12+ appends them to channel events. */
export function snapshotHeaders(ch: ChannelView, connected = true): AmiHeader[] {
  return [
    ['Channel', ch.name],
    ['ChannelState', String(ch.state)],
    ['ChannelStateDesc', STATE_DESC[ch.state] ?? 'Unknown'],
    ['CallerIDNum', ch.callerNum],
    ['CallerIDName', ch.callerName],
    ['ConnectedLineNum', connected ? ch.callerNum : '<unknown>'],
    ['ConnectedLineName', connected ? ch.callerName : '<unknown>'],
    ['Language', 'en'],
    ['AccountCode', ''],
    ['Context', ch.context],
    ['Exten', ch.exten],
    ['Priority', String(ch.priority)],
    ['Uniqueid', ch.uniqueid],
    ['Linkedid', ch.linkedid],
  ];
}

function bridgeHeaders(room: RoomView): AmiHeader[] {
  return [
    ['Conference', room.name],
    ['BridgeUniqueid', room.bridgeId],
    ['BridgeType', 'base'],
    ['BridgeTechnology', 'softmix'],
    ['BridgeCreator', 'ConfBridge'],
    ['BridgeName', room.name],
    ['BridgeNumChannels', String(room.bridgeChannels)],
    ['BridgeVideoSourceMode', 'none'],
  ];
}

const yesNo = (b: boolean): string => (b ? 'Yes' : 'No');
const onOff = (b: boolean): string => (b ? 'on' : 'off');

function event(name: string, privilege: string, fields: readonly AmiHeader[]): AmiHeader[] {
  return [['Event', name], ['Privilege', privilege], ...fields];
}

/** The AMI event for a model event, or undefined when this dialect has none (e.g. a MeetMe record). */
export function toAmiEvent(ev: PbxEvent, dialect: PbxDialect): AmiHeader[] | undefined {
  const legacy = dialect === 'meetme-legacy';
  switch (ev.kind) {
    case 'newchannel':
      return legacy ? legacyNewchannel(ev.channel) : event('Newchannel', CALL, snapshotHeaders(ev.channel, false));
    case 'hangup': {
      const cause: AmiHeader[] = [['Cause', String(ev.cause)], ['Cause-txt', causeText(ev.cause)]];
      return legacy
        ? event('Hangup', CALL, [...legacyIdentity(ev.channel), ...cause])
        : event('Hangup', CALL, [...snapshotHeaders(ev.channel), ...cause]);
    }
    case 'rename':
      return legacy
        ? event('Rename', CALL, [['Channel', ev.channel.name], ['Newname', ev.newName], ['Uniqueid', ev.channel.uniqueid]])
        : event('Rename', CALL, [...snapshotHeaders(ev.channel), ['Newname', ev.newName]]);
    case 'moh':
      return event(ev.on ? 'MusicOnHoldStart' : 'MusicOnHoldStop', CALL, [
        ...snapshotHeaders(ev.channel),
        ...(ev.on ? ([['Class', 'default']] as AmiHeader[]) : []),
      ]);
    default:
      return dialect === 'confbridge' ? confbridgeEvent(ev) : meetmeEvent(ev, legacy);
  }
}

function confbridgeEvent(ev: PbxEvent): AmiHeader[] | undefined {
  switch (ev.kind) {
    case 'room-start':
      return event('ConfbridgeStart', CALL, bridgeHeaders(ev.room));
    case 'room-end':
      return event('ConfbridgeEnd', CALL, bridgeHeaders(ev.room));
    case 'join':
      return event('ConfbridgeJoin', CALL, [
        ...bridgeHeaders(ev.room), ...snapshotHeaders(ev.channel),
        ['Admin', yesNo(ev.participant.admin)], ['Muted', yesNo(ev.participant.muted)],
      ]);
    case 'leave':
      return event('ConfbridgeLeave', CALL, [...bridgeHeaders(ev.room), ...snapshotHeaders(ev.channel), ['Admin', yesNo(ev.participant.admin)]]);
    case 'mute':
      return event(ev.on ? 'ConfbridgeMute' : 'ConfbridgeUnmute', CALL, [
        ...bridgeHeaders(ev.room), ...snapshotHeaders(ev.channel), ['Admin', yesNo(ev.participant.admin)],
      ]);
    case 'talking':
      return event('ConfbridgeTalking', CALL, [
        ...bridgeHeaders(ev.room), ...snapshotHeaders(ev.channel),
        ['TalkingStatus', onOff(ev.on)], ['Admin', yesNo(ev.participant.admin)],
      ]);
    case 'record':
      // Asterisk 22 sends no RecordFile field (see the capture).
      return event('ConfbridgeRecord', CALL, bridgeHeaders(ev.room));
    case 'stop-record':
      return event('ConfbridgeStopRecord', CALL, bridgeHeaders(ev.room));
    default:
      return undefined;
  }
}

function meetmeEvent(ev: PbxEvent, legacy: boolean): AmiHeader[] | undefined {
  switch (ev.kind) {
    case 'room-end':
      return event('MeetmeEnd', CALL, [['Meetme', ev.room.name]]);
    case 'join':
      return legacy
        ? event('MeetmeJoin', CALL, [
          ['Channel', ev.channel.name], ['Uniqueid', ev.channel.uniqueid], ['Meetme', ev.room.name],
          ['Usernum', String(ev.participant.usernum)], ['CallerIDnum', ev.channel.callerNum],
          ['CallerIDname', ev.channel.callerName], ['ConnectedLineNum', ev.channel.callerNum],
          ['ConnectedLineName', ev.channel.callerName],
        ])
        : event('MeetmeJoin', CALL, [...meetmeSnapshot(ev.channel, ev.room.name, ev.participant.usernum)]);
    case 'leave':
      return legacy
        ? event('MeetmeLeave', CALL, [
          ['Channel', ev.channel.name], ['Uniqueid', ev.channel.uniqueid], ['Meetme', ev.room.name],
          ['Usernum', String(ev.participant.usernum)], ['CallerIDNum', ev.channel.callerNum],
          ['CallerIDName', ev.channel.callerName], ['ConnectedLineNum', ev.channel.callerNum],
          ['ConnectedLineName', ev.channel.callerName], ['Duration', String(ev.durationSec)],
        ])
        : event('MeetmeLeave', CALL, [...meetmeSnapshot(ev.channel, ev.room.name, ev.participant.usernum), ['Duration', String(ev.durationSec)]]);
    case 'mute':
      return meetmeStatus('MeetmeMute', ev, legacy);
    case 'talking':
      return meetmeStatus('MeetmeTalking', ev, legacy);
    case 'talk-request':
      return meetmeStatus('MeetmeTalkRequest', ev, legacy);
    default:
      return undefined;
  }
}

function meetmeSnapshot(ch: ChannelView, room: string, usernum: number): AmiHeader[] {
  return [...snapshotHeaders(ch), ['Meetme', room], ['Usernum', String(usernum)]];
}

function meetmeStatus(
  name: string,
  ev: Extract<PbxEvent, { kind: 'mute' | 'talking' | 'talk-request' }>,
  legacy: boolean,
): AmiHeader[] {
  const status: AmiHeader = ['Status', onOff(ev.on)];
  return legacy
    ? event(name, CALL, [
      ['Channel', ev.channel.name], ['Uniqueid', ev.channel.uniqueid], ['Meetme', ev.room.name],
      ['Usernum', String(ev.participant.usernum)], status,
    ])
    : event(name, CALL, [...meetmeSnapshot(ev.channel, ev.room.name, ev.participant.usernum), status]);
}

function legacyNewchannel(ch: ChannelView): AmiHeader[] {
  return event('Newchannel', CALL, [
    ['Channel', ch.name], ['ChannelState', String(ch.state)], ['ChannelStateDesc', STATE_DESC[ch.state] ?? 'Unknown'],
    ['CallerIDNum', ch.callerNum], ['CallerIDName', ch.callerName], ['AccountCode', ''],
    ['Exten', ch.exten], ['Context', ch.context], ['Uniqueid', ch.uniqueid],
  ]);
}

function legacyIdentity(ch: ChannelView): AmiHeader[] {
  return [
    ['Channel', ch.name], ['Uniqueid', ch.uniqueid], ['CallerIDNum', ch.callerNum], ['CallerIDName', ch.callerName],
    ['ConnectedLineNum', ch.callerNum], ['ConnectedLineName', ch.callerName],
  ];
}

export interface OriginateOutcome {
  readonly success: boolean;
  readonly reason: number;
  readonly channel: string;
  /** `<null>` when no channel came up, as Asterisk writes it. */
  readonly uniqueid: string;
  readonly target: { readonly application: string; readonly data: string } | { readonly context: string; readonly exten: string };
  readonly callerNum: string;
  readonly callerName: string;
}

/** `OriginateResponse`, sent to everyone; the ActionID is added by the session code. */
export function originateResponseEvent(o: OriginateOutcome): AmiHeader[] {
  const target: AmiHeader[] = 'application' in o.target
    ? [['Application', o.target.application], ['Data', o.target.data]]
    : [['Context', o.target.context], ['Exten', o.target.exten]];
  return [
    ['Event', 'OriginateResponse'], ['Privilege', CALL],
    ['Response', o.success ? 'Success' : 'Failure'], ['Channel', o.channel], ...target,
    ['Reason', String(o.reason)], ['Uniqueid', o.uniqueid], ['CallerIDNum', o.callerNum], ['CallerIDName', o.callerName],
  ];
}

export function shutdownEvent(restart: boolean): AmiHeader[] {
  return event('Shutdown', 'system,all', [['Shutdown', 'Cleanly'], ['Restart', restart ? 'True' : 'False']]);
}

export function fullyBootedEvent(uptimeSec: number): AmiHeader[] {
  return event('FullyBooted', 'system,all', [
    ['Uptime', String(uptimeSec)], ['LastReload', String(uptimeSec)], ['Status', 'Fully Booted'],
  ]);
}
