/**
 * Pure parsers for the MeetMe CLI output that older Asterisk versions return through `Command`
 * (the `Response: Follows` form), used when the PBX has no MeetmeList/MeetmeListRooms actions.
 */

export interface CliMeetmeRoom {
  readonly conference: string;
  readonly parties: number;
  readonly locked: boolean;
}

export interface CliMeetmeUser {
  readonly usernum: number;
  readonly callerNum: string | undefined;
  readonly callerName: string | undefined;
  readonly channel: string;
  readonly admin: boolean;
  readonly muted: boolean;
  readonly mutedBy: 'self' | 'admin' | undefined;
  readonly talking: boolean;
  readonly durationSec: number | undefined;
}

/**
 * `meetme list`:
 * ```
 * Conf Num       Parties        Marked     Activity  Creation  Locked
 * 200            0002           N/A        00:01:37  Static    No
 * * Total number of MeetMe users: 2
 * ```
 */
export function parseMeetmeRooms(lines: readonly string[]): CliMeetmeRoom[] {
  const out: CliMeetmeRoom[] = [];
  for (const line of lines) {
    const cols = line.trim().split(/\s+/);
    const [conference, parties] = cols;
    if (conference === undefined || parties === undefined || !/^\d+$/.test(parties)) continue;
    out.push({ conference, parties: Number(parties), locked: /^yes$/i.test(cols.at(-1) ?? '') });
  }
  return out;
}

const USER_LINE = /^User #:\s*(\d+)\s+(\S+)\s+(.*?)\s+Channel:\s+(\S+)\s*(.*)$/;

function seconds(text: string): number | undefined {
  const m = /(\d+):(\d{2}):(\d{2})\s*$/.exec(text);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

/**
 * `meetme list <room>`, one user a line:
 * `User #: 01 701 Tim-1 Channel: SIP/701-b6d13438 (Admin Muted) (unmonitored) 01:37:22`.
 * Flags as app_meetme prints them: `(Admin)`, `(Listen only)`, `(Admin Muted)` or `(Muted)` (self),
 * `(Request to Talk)`, then `(talking)`, `(not talking)` or `(unmonitored)`. The caller name may
 * contain spaces; `<unknown>` stands for a missing number, `<no name>` for a missing name.
 */
export function parseMeetmeUsers(lines: readonly string[]): CliMeetmeUser[] {
  const out: CliMeetmeUser[] = [];
  for (const line of lines) {
    const m = USER_LINE.exec(line.trim());
    if (!m) continue;
    const [, num = '', callerNum = '', callerName = '', channel = '', rest = ''] = m;
    const flags = [...rest.matchAll(/\(([^)]*)\)/g)].map((f) => (f[1] ?? '').trim().toLowerCase());
    const adminMuted = flags.includes('admin muted');
    const selfMuted = flags.includes('muted');
    out.push({
      usernum: Number(num),
      callerNum: callerNum === '<unknown>' ? undefined : callerNum,
      callerName: callerName === '' || /^<(unknown|no name)>$/i.test(callerName) ? undefined : callerName,
      channel,
      admin: flags.includes('admin'),
      muted: adminMuted || selfMuted,
      mutedBy: adminMuted ? 'admin' : selfMuted ? 'self' : undefined,
      talking: flags.includes('talking'),
      durationSec: seconds(rest),
    });
  }
  return out;
}
