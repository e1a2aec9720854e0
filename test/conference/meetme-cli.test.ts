import { describe, expect, it } from 'vitest';
import { parseMeetmeRooms, parseMeetmeUsers } from '../../src/conference/meetme-cli.ts';

describe('MeetMe CLI output', () => {
  it('parses `meetme list <room>` lines, including the example from ami.md', () => {
    const users = parseMeetmeUsers([
      'User #: 01 701 Tim-1 Channel: SIP/701-b6d13438 (Admin Muted) (unmonitored) 01:37:22',
      'User #: 02    <unknown> Dr Jane Q. Public    Channel: DAHDI/1-1 (Admin) (Muted) (talking) 00:00:05',
      'User #: 03 703 <no name> Channel: IAX2/peer-1234 (not talking) 00:01:00',
      '3 users in that conference.',
    ]);
    expect(users).toEqual([
      { usernum: 1, callerNum: '701', callerName: 'Tim-1', channel: 'SIP/701-b6d13438', admin: false, muted: true, mutedBy: 'admin', talking: false, durationSec: 5842 },
      { usernum: 2, callerNum: undefined, callerName: 'Dr Jane Q. Public', channel: 'DAHDI/1-1', admin: true, muted: true, mutedBy: 'self', talking: true, durationSec: 5 },
      { usernum: 3, callerNum: '703', callerName: undefined, channel: 'IAX2/peer-1234', admin: false, muted: false, mutedBy: undefined, talking: false, durationSec: 60 },
    ]);
  });

  it('parses `meetme list` room lines and ignores headers and totals', () => {
    expect(parseMeetmeRooms([
      'Conf Num       Parties        Marked     Activity  Creation  Locked',
      '200            0002           N/A        00:01:37  Static    No',
      '301            0001\t      0001       00:00:10  Dynamic   Yes',
      '* Total number of MeetMe users: 3',
    ])).toEqual([
      { conference: '200', parties: 2, locked: false },
      { conference: '301', parties: 1, locked: true },
    ]);
    expect(parseMeetmeRooms(['No active MeetMe conferences.'])).toEqual([]);
  });
});
