import {
  confbridgeKick, confbridgeList, confbridgeListRooms, confbridgeLock, confbridgeMute, confbridgeStartRecord,
  confbridgeStopRecord, confbridgeUnlock, confbridgeUnmute, type ConfbridgeListItem,
} from '../ami/actions.ts';
import type { AmiLink } from '../ami/types.ts';
import type { DialectOps } from './dialect.ts';
import type { ListedParticipant } from './reconcile.ts';

/**
 * The ConfBridge dialect: every operation has its own AMI action. `Channel` in Mute/Kick takes a
 * channel name, `all`, or `participants` (everyone but admins).
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/ConfbridgeList/
 */

function listed(item: ConfbridgeListItem): ListedParticipant {
  return {
    uniqueid: item.uniqueid,
    channel: item.channel,
    callerNum: item.callerIdNum,
    callerName: item.callerIdName,
    usernum: undefined,
    admin: item.admin,
    marked: item.marked,
    muted: item.muted,
    mutedBy: undefined,
    talking: item.talking,
    answeredSec: item.answeredTimeSec,
  };
}

export function confbridgeDialect(link: AmiLink): DialectOps {
  return {
    dialect: 'confbridge',
    async listRooms() {
      const rooms = await confbridgeListRooms(link);
      return Promise.all(rooms.map(async (r) => ({
        name: r.conference,
        locked: r.locked,
        participants: (await confbridgeList(link, r.conference)).map(listed),
      })));
    },
    async roomLocks() {
      return new Map((await confbridgeListRooms(link)).map((r) => [r.conference, r.locked]));
    },
    async mute(room, target, on) {
      // "Mute everyone" spares the moderators; "unmute everyone" includes them.
      const channel = target === 'all' ? (on ? 'participants' : 'all') : target.channel;
      await (on ? confbridgeMute : confbridgeUnmute)(link, room, channel);
    },
    async kick(room, target) {
      await confbridgeKick(link, room, target === 'all' ? 'all' : target.channel);
    },
    async lock(room, on) {
      await (on ? confbridgeLock : confbridgeUnlock)(link, room);
    },
    async record(room, on) {
      if (on) await confbridgeStartRecord(link, room);
      else await confbridgeStopRecord(link, room);
    },
  };
}
