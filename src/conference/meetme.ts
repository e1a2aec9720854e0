import {
  command, hangup, meetmeList, meetmeListRooms, meetmeMute, meetmeUnmute, status, type ChannelStatusItem,
} from '../ami/actions.ts';
import { AmiActionError } from '../ami/errors.ts';
import type { AmiLink } from '../ami/types.ts';
import { UNKNOWN_ACTION, type DialectOps } from './dialect.ts';
import { ActionRefusedError, BadInputError } from './errors.ts';
import { parseMeetmeRooms, parseMeetmeUsers } from './meetme-cli.ts';
import type { ListedParticipant, ListedRoom } from './reconcile.ts';
import type { Participant } from './types.ts';

/**
 * The MeetMe dialect. MeetMe has AMI actions only for listing and for muting one user:
 * - kick one: `Hangup` of the participant's channel; kick everyone: `Command: meetme kick <room> all`;
 * - lock/unlock: `Command: meetme lock|unlock <room>`;
 * - mute everyone: `Command: meetme mute|unmute <room> all` (app_meetme spares admins on mute);
 * - recording cannot be switched from outside (it is the `r` option of MeetMe() in the dialplan),
 *   so `record` is refused with that explanation.
 * Listing uses MeetmeListRooms/MeetmeList, or, on PBXs too old to have them, the `meetme list` CLI
 * output. Neither always carries the Uniqueid, so channels are matched to it through `Status`.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/MeetmeList/
 */

export interface MeetmeDialectOptions {
  /** The Uniqueid the bot already holds for a channel, when the PBX does not say. */
  readonly knownUniqueid?: (channel: string) => string | undefined;
}

export function meetmeDialect(link: AmiLink, opts: MeetmeDialectOptions = {}): DialectOps {
  let listing: 'action' | 'cli' = 'action';

  async function channelIndex(): Promise<Map<string, ChannelStatusItem>> {
    return new Map((await status(link)).map((c) => [c.channel, c]));
  }

  function identify(channel: string, given: string | undefined, index: Map<string, ChannelStatusItem>): { uniqueid: string; ageSec: number | undefined } {
    const ch = index.get(channel);
    // Last resort the channel name: unique while the channel lives, which is all a key needs here.
    return { uniqueid: given ?? ch?.uniqueid ?? opts.knownUniqueid?.(channel) ?? channel, ageSec: ch?.durationSec };
  }

  async function viaActions(): Promise<ListedRoom[]> {
    const rooms = await meetmeListRooms(link);
    if (rooms.length === 0) return [];
    const [users, index] = await Promise.all([meetmeList(link), channelIndex()]);
    return rooms.map((r) => ({
      name: r.conference,
      locked: r.locked,
      participants: users.filter((u) => u.conference === r.conference).map((u): ListedParticipant => {
        const id = identify(u.channel, u.uniqueid, index);
        return {
          uniqueid: id.uniqueid, channel: u.channel, callerNum: u.callerIdNum, callerName: u.callerIdName,
          usernum: u.usernum, admin: u.admin, marked: u.marked, muted: u.muted,
          mutedBy: undefined, talking: u.talking, answeredSec: id.ageSec,
        };
      }),
    }));
  }

  async function viaCli(): Promise<ListedRoom[]> {
    const rooms = parseMeetmeRooms(await command(link, 'meetme list'));
    if (rooms.length === 0) return [];
    const index = await channelIndex();
    return Promise.all(rooms.map(async (r) => ({
      name: r.conference,
      locked: r.locked,
      participants: parseMeetmeUsers(await command(link, `meetme list ${r.conference}`)).map((u): ListedParticipant => ({
        uniqueid: identify(u.channel, undefined, index).uniqueid, channel: u.channel,
        callerNum: u.callerNum, callerName: u.callerName, usernum: u.usernum, admin: u.admin, marked: false,
        muted: u.muted, mutedBy: u.mutedBy, talking: u.talking, answeredSec: u.durationSec,
      })),
    })));
  }

  return {
    dialect: 'meetme',
    async listRooms() {
      if (listing === 'cli') return viaCli();
      try {
        return await viaActions();
      } catch (err) {
        if (!(err instanceof AmiActionError && UNKNOWN_ACTION.test(err.amiMessage))) throw err;
        listing = 'cli';
        return viaCli();
      }
    },
    async mute(room, target, on) {
      if (target === 'all') {
        await command(link, `meetme ${on ? 'mute' : 'unmute'} ${room} all`);
        return;
      }
      await (on ? meetmeMute : meetmeUnmute)(link, room, userNumber(target));
    },
    async kick(room, target) {
      if (target === 'all') await command(link, `meetme kick ${room} all`);
      else await hangup(link, target.channel);
    },
    async lock(room, on) {
      await command(link, `meetme ${on ? 'lock' : 'unlock'} ${room}`);
    },
    record() {
      return Promise.reject(new ActionRefusedError(
        'MeetMe rooms cannot start or stop recording on demand: recording is the MeetMe `r` option in the dialplan.',
      ));
    },
  };
}

function userNumber(p: Participant): number {
  if (p.usernum === undefined || !Number.isInteger(p.usernum)) {
    throw new BadInputError(`The PBX gave no MeetMe user number for ${p.channel}; try again once the room is re-listed.`);
  }
  return p.usernum;
}
