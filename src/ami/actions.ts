/**
 * Typed AMI actions. Each takes the link first, sends one action, and validates the answer with a
 * zod schema where it enters, so callers get typed values or a typed error, never raw AMI text.
 * Caller-id values such as `<unknown>` are kept raw here; the domain layer normalises them.
 * Grouped by job in the modules re-exported here.
 * @see https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/
 */
export { challenge, login, logoff, type ActionSender, type LoginParams } from './session-actions.ts';
export {
  command, coreShowChannels, getVar, hangup, originateAsync, ping, redirect, setVar, status,
  type ChannelStatusItem, type OriginateParams, type OriginateResult,
} from './channel-actions.ts';
export {
  confbridgeKick, confbridgeList, confbridgeListRooms, confbridgeLock, confbridgeMute, confbridgeStartRecord, confbridgeStopRecord,
  confbridgeUnlock, confbridgeUnmute, type ConfbridgeListItem, type ConfbridgeRoomItem,
} from './confbridge-actions.ts';
export { meetmeList, meetmeListRooms, meetmeMute, meetmeUnmute, type MeetmeListItem, type MeetmeRoomItem } from './meetme-actions.ts';
