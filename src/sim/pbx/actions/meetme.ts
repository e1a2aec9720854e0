import type { AmiHeader } from '../../../ami/message.ts';
import { CAUSE_NORMAL_CLEARING } from '../causes.ts';
import { markedCount, meetmeRoomsText, meetmeUsersText } from '../cli.ts';
import { UNKNOWN, type Participant, type RoomState } from '../model.ts';
import type { CliHandler, CliResult } from './common.ts';
import { eventList, failure, field, hms, success, yesNo, type ActionContext, type ActionHandler } from './reply.ts';

/**
 * MeetMe actions and CLI commands, as app_meetme answers them. MeetMe has no AMI action for kick,
 * lock and unlock: those go through `Command: meetme kick|lock|unlock ...`.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/MeetmeList/
 */

const NO_CONFERENCES = 'No active conferences.';

/** app_meetme's stand-in for a missing caller name in MeetmeList (snapshots in events say `<unknown>`). */
const NO_NAME = '<no name>';

function nameText(name: string): string {
  return name === UNKNOWN || name === '' ? NO_NAME : name;
}

/** `N/A` with no marked user, else `%.4d`, as action_meetmelistrooms writes it. */
function markedText(n: number): string {
  return n === 0 ? 'N/A' : String(n).padStart(4, '0');
}

function mutedText(p: Participant): string {
  if (!p.muted) return 'No';
  return p.mutedBy === 'self' ? 'By self' : 'By admin';
}

export const meetmeListRooms: ActionHandler = (_req, ctx) => {
  if (ctx.model.rooms.size === 0) return failure(NO_CONFERENCES);
  const items = [...ctx.model.rooms.values()].map((r): AmiHeader[] => [
    ['Conference', r.name], ['Parties', String(r.participants.size)], ['Marked', markedText(markedCount(r))],
    ['Activity', hms((ctx.now() - r.createdAt) / 1000)], ['Creation', 'Dynamic'], ['Locked', yesNo(r.locked)],
  ]);
  return eventList('Meetme conferences will follow', 'MeetmeListRooms', items, 'MeetmeListRoomsComplete');
};

export const meetmeList: ActionHandler = (req, ctx) => {
  if (ctx.model.rooms.size === 0) return failure(NO_CONFERENCES);
  const only = field(req, 'Conference');
  const items: AmiHeader[][] = [];
  for (const r of ctx.model.rooms.values()) {
    if (only !== undefined && r.name !== only) continue;
    for (const p of r.participants.values()) {
      const ch = ctx.model.channels.get(p.uniqueid);
      if (!ch) continue;
      items.push([
        ['Conference', r.name], ['UserNumber', String(p.usernum)], ['CallerIDNum', ch.callerNum],
        ['CallerIDName', nameText(ch.callerName)], ['ConnectedLineNum', UNKNOWN], ['ConnectedLineName', NO_NAME],
        ['Channel', ch.name], ['Admin', yesNo(p.admin)], ['Role', 'Talk and listen'], ['MarkedUser', yesNo(p.marked)],
        ['Muted', mutedText(p)], ['Talking', yesNo(p.talking)],
      ]);
    }
  }
  return eventList('Meetme user list will follow', 'MeetmeList', items, 'MeetmeListComplete');
};

function findUser(r: RoomState, usernum: number): Participant | undefined {
  for (const p of r.participants.values()) if (p.usernum === usernum) return p;
  return undefined;
}

function muteAction(on: boolean): ActionHandler {
  return (req, ctx) => {
    const conference = field(req, 'Meetme');
    const user = field(req, 'Usernum');
    if (conference === undefined) return failure('Meetme conference not specified');
    if (user === undefined) return failure('Meetme user number not specified');
    if (!/^\d+$/.test(user)) return failure('Invalid user number');
    const r = ctx.model.rooms.get(conference);
    if (!r) return failure('Meetme conference does not exist');
    const p = findUser(r, Number(user));
    if (!p) return failure('User number not found');
    ctx.model.setMuted(p.uniqueid, on);
    return success(on ? 'User muted' : 'User unmuted');
  };
}

export const meetmeMute = muteAction(true);
export const meetmeUnmute = muteAction(false);

const USAGE: CliResult = { ok: false, lines: ['Usage: meetme (un)lock|(un)mute|kick <confno> [<usernum>|all]'] };

/** `meetme list [room]`, `meetme kick <room> <usernum|all>`, `meetme lock|unlock <room>`, `meetme mute|unmute <room> <usernum>`. */
export const meetmeCli: CliHandler = (args, ctx) => {
  if (args[0]?.toLowerCase() !== 'meetme') return undefined;
  const verb = args[1]?.toLowerCase();
  const roomName = args[2];
  if (verb === 'list') {
    return { ok: true, lines: roomName === undefined ? meetmeRoomsText(ctx.model, ctx.now()) : meetmeUsersText(ctx.model, roomName, ctx.now()) };
  }
  if (verb === undefined || !['kick', 'lock', 'unlock', 'mute', 'unmute'].includes(verb)) return undefined;
  if (roomName === undefined) return USAGE;
  const r = ctx.model.rooms.get(roomName);
  // app_meetme only logs a warning for an unknown room or user: the CLI prints nothing either way.
  if (!r) return { ok: true, lines: [] };
  if (verb === 'lock' || verb === 'unlock') {
    ctx.model.setLocked(r.name, verb === 'lock');
    return { ok: true, lines: [] };
  }
  const who = args[3];
  if (who === undefined) return USAGE;
  const all = who.toLowerCase() === 'all';
  const users = all ? [...r.participants.values()] : [findUser(r, Number(who))].filter((p) => p !== undefined);
  // `meetme mute <room> all` spares admins, as app_meetme does.
  for (const p of users) if (!(all && p.admin && verb === 'mute')) applyAdmin(verb, p, ctx);
  return { ok: true, lines: [] };
};

function applyAdmin(verb: string, p: Participant, ctx: ActionContext): void {
  if (verb === 'kick') {
    ctx.model.hangup(p.uniqueid, CAUSE_NORMAL_CLEARING);
    return;
  }
  ctx.model.setMuted(p.uniqueid, verb === 'mute');
}
