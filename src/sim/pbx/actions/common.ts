import type { AmiHeader, AmiMessage } from '../../../ami/message.ts';
import { CAUSE_NORMAL_CLEARING } from '../causes.ts';
import { markedCount, noSuchCommandText } from '../cli.ts';
import { snapshotHeaders } from '../events.ts';
import { channelView, type ChannelState } from '../model.ts';
import { eventList, failure, field, hms, success, type ActionContext, type ActionHandler, type OutMessage } from './reply.ts';

/**
 * Actions both dialects share (answers shaped as in the Asterisk 22 captures).
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/
 */

/** A CLI command's result; `undefined` from a `CliHandler` means "no such command". */
export interface CliResult {
  readonly ok: boolean;
  readonly lines: readonly string[];
}
export type CliHandler = (args: readonly string[], ctx: ActionContext) => CliResult | undefined;

export const ping: ActionHandler = (_req, ctx) => [{
  headers: [['Response', 'Success'], ['Ping', 'Pong'], ['Timestamp', (ctx.now() / 1000).toFixed(6)]],
}];

export const hangup: ActionHandler = (req, ctx) => {
  const name = field(req, 'Channel');
  if (name === undefined) return failure('No channel specified');
  const ch = ctx.model.findByName(name);
  if (!ch) return failure('No such channel');
  const cause = Number.parseInt(field(req, 'Cause') ?? '', 10);
  ctx.model.hangup(ch.uniqueid, Number.isFinite(cause) ? cause : CAUSE_NORMAL_CLEARING, 'hangup-first');
  return success('Channel Hungup');
};

export const redirect: ActionHandler = (req, ctx) => {
  const name = field(req, 'Channel');
  if (name === undefined) return failure('Channel not specified');
  const ch = ctx.model.findByName(name);
  if (!ch) return failure(`Channel does not exist: ${name}`);
  const exten = field(req, 'Exten');
  if (exten === undefined) return failure('Exten not specified');
  const priority = field(req, 'Priority');
  if (priority !== undefined && !/^\d+$/.test(priority)) return failure('Invalid priority');
  ctx.switchboard.route(ch.uniqueid, { context: field(req, 'Context') ?? ch.context, exten });
  return success('Redirect successful');
};

export const setVar: ActionHandler = (req, ctx) => {
  const target = channelOf(req, ctx);
  if (target === 'missing') return failure('No such channel');
  const variable = field(req, 'Variable');
  if (variable === undefined) return failure('No variable specified');
  const value = req.get('Value') ?? '';
  (target ? target.vars : ctx.model.globals).set(variable, value);
  return success('Variable Set');
};

export const getVar: ActionHandler = (req, ctx) => {
  const target = channelOf(req, ctx);
  if (target === 'missing') return failure('No such channel');
  const variable = field(req, 'Variable');
  if (variable === undefined) return failure('No variable specified');
  const value = readVariable(variable, target, ctx);
  return [{ headers: [['Response', 'Success'], ['Variable', variable], ['Value', value]] }];
};

/** The channel named by `Channel`, `undefined` for a global, or `'missing'` for an unknown channel. */
function channelOf(req: AmiMessage, ctx: ActionContext): ChannelState | undefined | 'missing' {
  const name = field(req, 'Channel');
  if (name === undefined) return undefined;
  return ctx.model.findByName(name) ?? 'missing';
}

/** Variables and the few dialplan functions the bot reads; unset ones read as empty, as in Asterisk. */
function readVariable(variable: string, ch: ChannelState | undefined, ctx: ActionContext): string {
  const fn = /^([A-Z_]+)\((.*)\)$/i.exec(variable);
  if (!fn) {
    if (ch) {
      if (variable.toUpperCase() === 'SIPCALLID') return ch.tech === 'SIP' ? ch.callId ?? '' : ch.vars.get(variable) ?? '';
      return ch.vars.get(variable) ?? ctx.model.globals.get(variable) ?? '';
    }
    return ctx.model.globals.get(variable) ?? '';
  }
  const name = (fn[1] ?? '').toUpperCase();
  const args = (fn[2] ?? '').split(',').map((a) => a.trim().toLowerCase());
  switch (name) {
    case 'CHANNEL':
      if (args[0] === 'pjsip' && args[1] === 'call-id') return ch?.tech === 'PJSIP' ? ch.callId ?? '' : '';
      if (args[0] === 'name') return ch?.name ?? '';
      return '';
    case 'CALLERID':
      if (args[0] === 'num') return ch?.callerNum ?? '';
      if (args[0] === 'name') return ch?.callerName ?? '';
      return '';
    case 'CONFBRIDGE_INFO':
    case 'MEETME_INFO':
      return roomInfo(args[0] ?? '', (fn[2] ?? '').split(',')[1]?.trim() ?? '', ctx);
    default:
      return '';
  }
}

function roomInfo(kind: string, roomName: string, ctx: ActionContext): string {
  const r = ctx.model.rooms.get(roomName);
  switch (kind) {
    case 'parties':
      return String(r?.participants.size ?? 0);
    case 'admins':
      return String(r ? [...r.participants.values()].filter((p) => p.admin).length : 0);
    case 'marked':
      return String(r ? markedCount(r) : 0);
    case 'locked':
    case 'lock':
      return r?.locked ? '1' : '0';
    case 'muted':
      return '0';
    default:
      return '';
  }
}

function channelListFields(ch: ChannelState, ctx: ActionContext): AmiHeader[] {
  const room = ch.room === undefined ? undefined : ctx.model.rooms.get(ch.room);
  return [
    ...snapshotHeaders(channelView(ch)),
    ['Application', ch.application],
    ['ApplicationData', room ? confbridgeAppData(room.name, room.participants.get(ch.uniqueid)?.admin ?? false) : ch.applicationData],
    ['Duration', hms((ctx.now() - ch.createdAt) / 1000)],
    ['BridgeId', room?.bridgeId ?? ''],
  ];
}

function confbridgeAppData(room: string, admin: boolean): string {
  return admin ? `${room},default_bridge,admin_user,admin_menu` : `${room},default_bridge,default_user,default_menu`;
}

export const coreShowChannels: ActionHandler = (_req, ctx) =>
  eventList('Channels will follow', 'CoreShowChannel', [...ctx.model.channels.values()].map((ch) => channelListFields(ch, ctx)), 'CoreShowChannelsComplete');

export const status: ActionHandler = (req, ctx) => {
  const name = field(req, 'Channel');
  let channels = [...ctx.model.channels.values()];
  if (name !== undefined) {
    const ch = ctx.model.findByName(name);
    if (!ch) return failure('No such channel');
    channels = [ch];
  }
  const items = channels.map((ch): AmiHeader[] => {
    const room = ch.room === undefined ? undefined : ctx.model.rooms.get(ch.room);
    return [
      ['Privilege', 'Call'],
      ...snapshotHeaders(channelView(ch)),
      ['Type', ch.tech],
      ['DNID', ''],
      ['EffectiveConnectedLineNum', ch.callerNum],
      ['EffectiveConnectedLineName', ch.callerName],
      ['TimeToHangup', '0'],
      ['BridgeID', room?.bridgeId ?? ''],
      ['Application', ch.application],
      ['Data', ch.applicationData],
      ['Nativeformats', ch.codec === 'PCMA' ? '(alaw)' : '(ulaw)'],
      ['Readformat', ch.codec === 'PCMA' ? 'alaw' : 'ulaw'],
      ['Writeformat', ch.codec === 'PCMA' ? 'alaw' : 'ulaw'],
      ['Callgroup', '0'],
      ['Pickupgroup', '0'],
      ['Seconds', String(Math.floor((ctx.now() - ch.createdAt) / 1000))],
    ];
  });
  return eventList('Channel status will follow', 'Status', items, 'StatusComplete', [['Items', String(items.length)]]);
};

/**
 * `Command`: Asterisk 14+ answers `Response: Success` with `Output:` lines; `meetme-legacy` answers
 * the Asterisk ≤13 way, `Response: Follows` with the raw text and `--END COMMAND--`.
 */
export function commandAction(cli: CliHandler): ActionHandler {
  return (req, ctx) => {
    const command = (req.get('Command') ?? '').trim();
    if (command === '') return failure('No command provided');
    const result = cli(command.split(/\s+/), ctx) ?? { ok: false, lines: [noSuchCommandText(command)] };
    return commandOutput(result, ctx.dialect === 'meetme-legacy');
  };
}

function commandOutput(result: CliResult, legacy: boolean): OutMessage[] {
  if (legacy) {
    return [{ headers: [['Response', 'Follows'], ['Privilege', 'Command']], body: result.lines, actionIdAt: 2 }];
  }
  return [{
    headers: [
      ['Response', result.ok ? 'Success' : 'Error'],
      ['Message', 'Command output follows'],
      ...result.lines.map((l): AmiHeader => ['Output', l]),
    ],
  }];
}
