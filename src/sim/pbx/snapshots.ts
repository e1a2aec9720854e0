import type { PbxModel } from './model.ts';
import type { ChannelInfoSnapshot, RoomSnapshot } from './types.ts';

/** What tests and the demo read of the embedded PBX: plain copies of its rooms and channels. */

export function roomSnapshots(model: PbxModel): RoomSnapshot[] {
  return [...model.rooms.values()].map((r) => ({
    name: r.name,
    locked: r.locked,
    ...(r.recordingFile === undefined ? {} : { recordingFile: r.recordingFile }),
    participants: [...r.participants.values()].flatMap((p) => {
      const ch = model.channels.get(p.uniqueid);
      if (!ch) return [];
      return [{
        uniqueid: p.uniqueid, channel: ch.name, callerNum: ch.callerNum, callerName: ch.callerName,
        admin: p.admin, marked: p.marked, muted: p.muted, talking: p.talking, usernum: p.usernum, joinedAt: p.joinedAt,
      }];
    }),
  }));
}

export function channelSnapshot(model: PbxModel, uniqueid: string): ChannelInfoSnapshot | undefined {
  const ch = model.channels.get(uniqueid);
  if (!ch) return undefined;
  return {
    channel: ch.name, uniqueid: ch.uniqueid, linkedid: ch.linkedid, tech: ch.tech,
    callerNum: ch.callerNum, callerName: ch.callerName, context: ch.context, exten: ch.exten,
    application: ch.application,
    ...(ch.room === undefined ? {} : { room: ch.room }),
    ...(ch.callId === undefined ? {} : { callId: ch.callId }),
    variables: Object.fromEntries(ch.vars),
  };
}
