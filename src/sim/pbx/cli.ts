import { hms } from './actions/reply.ts';
import { UNKNOWN, type PbxModel, type RoomState } from './model.ts';

/**
 * CLI output text as Asterisk prints it (format strings from app_confbridge.c and app_meetme.c),
 * pure: model in, lines out. The Command action wraps these lines in either output mode.
 */

const pad = (s: string, width: number): string => s.padEnd(width);
const padLeft = (s: string, width: number): string => s.padStart(width);

/** `confbridge list`: one line per conference. */
export function confbridgeRoomsText(model: PbxModel): string[] {
  const lines = [
    'Conference Bridge Name           Users  Marked Locked Muted',
    '================================ ====== ====== ====== =====',
  ];
  for (const r of model.rooms.values()) {
    const marked = [...r.participants.values()].filter((p) => p.marked).length;
    lines.push(`${pad(r.name, 32)} ${padLeft(String(r.participants.size), 6)} ${padLeft(String(marked), 6)} ${pad(r.locked ? 'Yes' : 'No', 6)} No`);
  }
  return lines;
}

/** `confbridge list <room>`: one line per participant, with profile names and flags (A admin, M marked, m muted). */
export function confbridgeUsersText(model: PbxModel, room: string): string[] {
  const r = model.rooms.get(room);
  if (!r) return [`No conference bridge named '${room}' found!`];
  const lines = [
    'Channel                        Flags  User Profile     Bridge Profile   Menu             CallerID',
    '============================== ====== ================ ================ ================ ================',
  ];
  for (const { participant: p, channel } of model.listed(r)) {
    const flags = `${p.admin ? 'A' : ''}${p.marked ? 'M' : ''}${p.muted ? 'm' : ''}`;
    const profile = p.admin ? 'admin_user' : 'default_user';
    const menu = p.admin ? 'admin_menu' : 'default_menu';
    lines.push(`${pad(channel.name, 30)} ${pad(flags, 6)} ${pad(profile, 16)} ${pad('default_bridge', 16)} ${pad(menu, 16)} ${channel.callerNum}`);
  }
  return lines;
}

/**
 * `meetme list <room>` in the form the legacy output shows, one user a line:
 * `User #: 01 701 Tim-1 Channel: SIP/701-b6d13438 (Admin Muted) (not talking) 01:37:22`.
 */
export function meetmeUsersText(model: PbxModel, room: string, now: number): string[] {
  const r = model.rooms.get(room);
  if (!r) return model.rooms.size === 0 ? ['No active MeetMe conferences.'] : [`No such conference: ${room}.`];
  const lines: string[] = [];
  for (const p of r.participants.values()) {
    const ch = model.channels.get(p.uniqueid);
    if (!ch) continue;
    const flags = [
      p.admin ? '(Admin)' : '',
      p.muted ? (p.mutedBy === 'self' ? '(Muted)' : '(Admin Muted)') : '',
      p.talkRequest ? '(Request to Talk)' : '',
      p.talking ? '(talking)' : '(not talking)',
    ].filter((f) => f !== '');
    const num = ch.callerNum === '' ? UNKNOWN : ch.callerNum;
    const name = ch.callerName === UNKNOWN || ch.callerName === '' ? '<no name>' : ch.callerName;
    const usernum = String(p.usernum).padStart(2, '0');
    lines.push(`User #: ${usernum} ${num} ${name} Channel: ${ch.name} ${flags.join(' ')} ${hms((now - p.joinedAt) / 1000)}`);
  }
  lines.push(`${r.participants.size} users in that conference.`);
  return lines;
}

/** `meetme list`: one line per conference, then the total. */
export function meetmeRoomsText(model: PbxModel, now: number): string[] {
  if (model.rooms.size === 0) return ['No active MeetMe conferences.'];
  const lines = [`${pad('Conf Num', 14)} ${pad('Parties', 14)} ${pad('Marked', 10)} ${pad('Activity', 8)}  ${pad('Creation', 8)}  Locked`];
  let total = 0;
  for (const r of model.rooms.values()) {
    total += r.participants.size;
    const marked = markedCount(r);
    lines.push(
      `${pad(r.name.slice(0, 12), 12)}   ${String(r.participants.size).padStart(4, '0')}\t      ${pad(marked === 0 ? 'N/A' : String(marked).padStart(4, '0'), 4)}       ${hms((now - r.createdAt) / 1000)}  ${pad('Dynamic', 7)}  ${pad(r.locked ? 'Yes' : 'No', 8)}`,
    );
  }
  lines.push(`* Total number of MeetMe users: ${total}`);
  return lines;
}

export function markedCount(r: RoomState): number {
  let n = 0;
  for (const p of r.participants.values()) if (p.marked) n++;
  return n;
}

export function noSuchCommandText(command: string): string {
  return `No such command '${command}' (type 'core show help ${command}' for other possible commands)`;
}
