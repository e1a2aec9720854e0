import {
  command, hangup, meetmeList, meetmeListRooms, meetmeMute, meetmeUnmute, status, type ChannelStatusItem, type MeetmeListItem,
} from '../ami/actions.ts';
import { AmiActionError } from '../ami/errors.ts';
import type { AmiLink } from '../ami/types.ts';
import { UNKNOWN_ACTION, type DialectOps } from './dialect.ts';
import { ActionRefusedError } from './errors.ts';
import { parseMeetmeRooms, parseMeetmeUsers, type CliMeetmeUser } from './meetme-cli.ts';
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
 * output. Neither carries the Uniqueid, so a full listing matches channels to it through `Status`;
 * re-listing the rooms a join burst touched (`listSomeRooms`) uses the Uniqueids the bot already
 * knows from events and asks `Status` only when a listed channel is new to it.
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

  const NO_INDEX: ReadonlyMap<string, ChannelStatusItem> = new Map();

  /**
   * `Status` of every channel, only when some listed channel is one the bot cannot name a Uniqueid
   * for: a re-list after joins finds them all known from the join events and skips it.
   */
  async function indexFor(channels: readonly string[]): Promise<ReadonlyMap<string, ChannelStatusItem>> {
    if (channels.some((c) => opts.knownUniqueid?.(c) === undefined)) return channelIndex();
    return NO_INDEX;
  }

  function identify(channel: string, given: string | undefined, index: ReadonlyMap<string, ChannelStatusItem>): { uniqueid: string; ageSec: number | undefined } {
    const ch = index.get(channel);
    // Last resort the channel name: unique while the channel lives, which is all a key needs here.
    return { uniqueid: given ?? ch?.uniqueid ?? opts.knownUniqueid?.(channel) ?? channel, ageSec: ch?.durationSec };
  }

  function fromUsers(users: readonly MeetmeListItem[], index: ReadonlyMap<string, ChannelStatusItem>): ListedParticipant[] {
    return users.map((u): ListedParticipant => {
      const id = identify(u.channel, u.uniqueid, index);
      return {
        uniqueid: id.uniqueid, channel: u.channel, callerNum: u.callerIdNum, callerName: u.callerIdName,
        usernum: u.usernum, admin: u.admin, marked: u.marked, muted: u.muted,
        mutedBy: u.mutedBy, talking: u.talking, answeredSec: id.ageSec,
      };
    });
  }

  async function viaActions(): Promise<ListedRoom[]> {
    const rooms = await meetmeListRooms(link);
    if (rooms.length === 0) return [];
    const [users, index] = await Promise.all([meetmeList(link), channelIndex()]);
    return rooms.map((r) => ({
      name: r.conference,
      locked: r.locked,
      participants: fromUsers(users.filter((u) => u.conference === r.conference), index),
    }));
  }

  /** One `MeetmeList` per room; a room with nobody listed has ended (MeetMe drops empty rooms). */
  async function someViaActions(names: readonly string[]): Promise<ListedRoom[]> {
    const perRoom = await Promise.all(names.map(async (name) => ({ name, users: await meetmeList(link, name) })));
    const index = await indexFor(perRoom.flatMap((r) => r.users.map((u) => u.channel)));
    return perRoom
      .filter((r) => r.users.length > 0)
      .map((r) => ({ name: r.name, locked: undefined, participants: fromUsers(r.users, index) }));
  }

  async function cliUsers(names: readonly string[]): Promise<{ name: string; users: CliMeetmeUser[] }[]> {
    return Promise.all(names.map(async (name) => ({ name, users: parseMeetmeUsers(await command(link, `meetme list ${name}`)) })));
  }

  function fromCli(users: readonly CliMeetmeUser[], index: ReadonlyMap<string, ChannelStatusItem>): ListedParticipant[] {
    return users.map((u): ListedParticipant => ({
      uniqueid: identify(u.channel, undefined, index).uniqueid, channel: u.channel,
      callerNum: u.callerNum, callerName: u.callerName, usernum: u.usernum, admin: u.admin, marked: false,
      muted: u.muted, mutedBy: u.mutedBy, talking: u.talking, answeredSec: u.durationSec,
    }));
  }

  async function viaCli(): Promise<ListedRoom[]> {
    const rooms = parseMeetmeRooms(await command(link, 'meetme list'));
    if (rooms.length === 0) return [];
    const [perRoom, index] = await Promise.all([cliUsers(rooms.map((r) => r.conference)), channelIndex()]);
    return rooms.map((r) => ({
      name: r.conference,
      locked: r.locked,
      participants: fromCli(perRoom.find((p) => p.name === r.conference)?.users ?? [], index),
    }));
  }

  async function someViaCli(names: readonly string[]): Promise<ListedRoom[]> {
    const perRoom = await cliUsers(names);
    const index = await indexFor(perRoom.flatMap((r) => r.users.map((u) => u.channel)));
    return perRoom
      .filter((r) => r.users.length > 0)
      .map((r) => ({ name: r.name, locked: undefined, participants: fromCli(r.users, index) }));
  }

  /** The action form, or the CLI form on a PBX too old to know the MeetMe list actions. */
  async function withFallback(actions: () => Promise<ListedRoom[]>, cli: () => Promise<ListedRoom[]>): Promise<ListedRoom[]> {
    if (listing === 'cli') return cli();
    try {
      return await actions();
    } catch (err) {
      if (!(err instanceof AmiActionError && UNKNOWN_ACTION.test(err.amiMessage))) throw err;
      listing = 'cli';
      return cli();
    }
  }

  return {
    dialect: 'meetme',
    listRooms() {
      return withFallback(viaActions, viaCli);
    },
    listSomeRooms(names) {
      return withFallback(() => someViaActions(names), () => someViaCli(names));
    },
    async roomLocks() {
      const rooms = await withFallback(
        async () => (await meetmeListRooms(link)).map((r) => ({ name: r.conference, locked: r.locked, participants: [] })),
        async () => parseMeetmeRooms(await command(link, 'meetme list')).map((r) => ({ name: r.conference, locked: r.locked, participants: [] })),
      );
      return new Map(rooms.map((r) => [r.name, r.locked ?? false]));
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

/** The user's input was fine: a missing number is the bot's picture of the room lagging behind the PBX. */
function userNumber(p: Participant): number {
  if (p.usernum === undefined || !Number.isInteger(p.usernum)) {
    throw new ActionRefusedError(`The PBX has not told the bot the MeetMe user number of ${p.channel} yet, so it cannot be muted or unmuted; try again in a moment.`);
  }
  return p.usernum;
}
