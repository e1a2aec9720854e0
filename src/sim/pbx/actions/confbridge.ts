import type { AmiHeader } from '../../../ami/message.ts';
import { CAUSE_NORMAL_CLEARING } from '../causes.ts';
import { confbridgeRoomsText, confbridgeUsersText, markedCount } from '../cli.ts';
import { snapshotHeaders } from '../events.ts';
import { channelView, type ChannelState, type Participant, type RoomState } from '../model.ts';
import type { CliHandler } from './common.ts';
import { eventList, failure, field, success, yesNo, type ActionContext, type ActionHandler, type OutMessage } from './reply.ts';

/**
 * ConfBridge actions, answered as app_confbridge (Asterisk 22) answers them, errors included.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/ConfbridgeList/
 */

const NO_CONFERENCES = 'No active conferences.';
const NO_SUCH_CONFERENCE = 'No Conference by that name found.';
const NO_SUCH_CHANNEL = 'No Channel by that name found in Conference.';

/** The room a Conference-addressed action works on, or the error answer. */
function room(ctx: ActionContext, name: string | undefined): RoomState | OutMessage[] {
  if (name === undefined) return failure('No Conference name provided.');
  if (ctx.model.rooms.size === 0) return failure(NO_CONFERENCES);
  return ctx.model.rooms.get(name) ?? failure(NO_SUCH_CONFERENCE);
}

export const confbridgeListRooms: ActionHandler = (_req, ctx) => {
  if (ctx.model.rooms.size === 0) return failure(NO_CONFERENCES);
  const items = [...ctx.model.rooms.values()].map((r): AmiHeader[] => [
    ['Conference', r.name], ['Parties', String(r.participants.size)], ['Marked', String(markedCount(r))],
    ['Locked', yesNo(r.locked)], ['Muted', 'No'],
  ]);
  return eventList('Confbridge conferences will follow', 'ConfbridgeListRooms', items, 'ConfbridgeListRoomsComplete');
};

export const confbridgeList: ActionHandler = (req, ctx) => {
  const r = room(ctx, field(req, 'Conference'));
  if (Array.isArray(r)) return r;
  const items = ctx.model.listed(r).map(({ participant: p, channel }): AmiHeader[] => [
    ['Conference', r.name], ['Admin', yesNo(p.admin)], ['MarkedUser', yesNo(p.marked)], ['WaitMarked', 'No'],
    ['EndMarked', 'No'], ['EndMarkedAny', 'No'], ['Waiting', 'No'], ['Muted', yesNo(p.muted)],
    ['Talking', yesNo(p.talking)], ['AnsweredTime', String(Math.floor((ctx.now() - channel.createdAt) / 1000))],
    ...snapshotHeaders(channelView(channel)),
  ]);
  return eventList('Confbridge user list will follow', 'ConfbridgeList', items, 'ConfbridgeListComplete');
};

/**
 * Who a Mute/Unmute/Kick `Channel` names: `all`, `participants` (everyone but admins), or a channel
 * name; mute takes the first channel the name is a prefix of, kick needs the exact name.
 */
function targets(r: RoomState, ctx: ActionContext, spec: string, exact: boolean): { p: Participant; ch: ChannelState }[] {
  const all: { p: Participant; ch: ChannelState }[] = [];
  for (const p of r.participants.values()) {
    const ch = ctx.model.channels.get(p.uniqueid);
    if (ch) all.push({ p, ch });
  }
  const lower = spec.toLowerCase();
  if (lower === 'all') return all;
  if (lower === 'participants') return all.filter((t) => !t.p.admin);
  const hit = all.find((t) => (exact ? t.ch.name.toLowerCase() === lower : t.ch.name.toLowerCase().startsWith(lower)));
  return hit ? [hit] : [];
}

function muteAction(on: boolean): ActionHandler {
  return (req, ctx) => {
    const conference = field(req, 'Conference');
    const channel = field(req, 'Channel');
    if (conference === undefined) return failure('No Conference name provided.');
    if (channel === undefined) return failure('No channel name provided.');
    const r = room(ctx, conference);
    if (Array.isArray(r)) return r;
    const hits = targets(r, ctx, channel, false);
    if (hits.length === 0) return failure(NO_SUCH_CHANNEL);
    for (const t of hits) ctx.model.setMuted(t.p.uniqueid, on);
    return success(on ? 'User muted' : 'User unmuted');
  };
}

export const confbridgeMute = muteAction(true);
export const confbridgeUnmute = muteAction(false);

/**
 * Kick: ConfbridgeLeave at once; the caller stays in ConfbridgeList while the kick prompt plays,
 * then hangs up (Asterisk 22 behaviour, see the capture).
 */
export const confbridgeKick: ActionHandler = (req, ctx) => {
  const channel = field(req, 'Channel') ?? '';
  const r = room(ctx, field(req, 'Conference'));
  if (Array.isArray(r)) return r;
  const hits = targets(r, ctx, channel, true);
  if (hits.length === 0) return failure(NO_SUCH_CHANNEL);
  const until = ctx.now() + ctx.kickPromptMs;
  for (const { ch } of hits) {
    ctx.model.leaveRoom(ch, until);
    ctx.schedule(ctx.kickPromptMs, () => ctx.model.hangup(ch.uniqueid, CAUSE_NORMAL_CLEARING));
  }
  return success(channel.toLowerCase() === 'all' ? 'All participants kicked' : 'User kicked');
};

function lockAction(on: boolean): ActionHandler {
  return (req, ctx) => {
    const r = room(ctx, field(req, 'Conference'));
    if (Array.isArray(r)) return r;
    // Asterisk 22 sends no ConfbridgeLock/Unlock event; the state shows only in ConfbridgeListRooms.
    ctx.model.setLocked(r.name, on);
    return success(on ? 'Conference locked' : 'Conference unlocked');
  };
}

export const confbridgeLock = lockAction(true);
export const confbridgeUnlock = lockAction(false);

export const confbridgeStartRecord: ActionHandler = (req, ctx) => {
  const r = room(ctx, field(req, 'Conference'));
  if (Array.isArray(r)) return r;
  if (ctx.model.startRecord(r.name, field(req, 'RecordFile')) === 'already') return failure('Conference is already being recorded.');
  return success('Conference Recording Started.');
};

export const confbridgeStopRecord: ActionHandler = (req, ctx) => {
  const r = room(ctx, field(req, 'Conference'));
  if (Array.isArray(r)) return r;
  if (ctx.model.stopRecord(r.name) !== 'stopped') return failure('Internal error while stopping recording.');
  return success('Conference Recording Stopped.');
};

/** `confbridge list [room]`, `confbridge lock|unlock <room>` (no event, as from AMI). */
export const confbridgeCli: CliHandler = (args, ctx) => {
  if (args[0]?.toLowerCase() !== 'confbridge') return undefined;
  const verb = args[1]?.toLowerCase();
  const name = args[2];
  if (verb === 'lock' || verb === 'unlock') {
    if (name === undefined) return { ok: false, lines: [`Usage: confbridge ${verb} <conference>`] };
    if (!ctx.model.setLocked(name, verb === 'lock')) return { ok: false, lines: [`No conference bridge named '${name}' found!`] };
    return { ok: true, lines: [`Conference ${verb}ed.`] };
  }
  if (verb !== 'list') return undefined;
  return { ok: true, lines: name === undefined ? confbridgeRoomsText(ctx.model) : confbridgeUsersText(ctx.model, name) };
};
