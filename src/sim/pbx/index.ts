/** The embedded PBX: an AMI server over a simulated Asterisk (ConfBridge or MeetMe), and its demo. */
export { startEmbeddedPbx, type EmbeddedPbx } from './pbx.ts';
export { startDemo, type DemoOptions, type DemoHandle } from './demo.ts';
export type {
  ActionBehaviour, CallerSpec, ChannelInfoSnapshot, ChannelTech, DialOutcome, DialplanOptions, DialplanRoomEntry,
  EmbeddedPbxOptions, LobbySpec, ParticipantSnapshot, PbxDialect, RoomSnapshot, SimChannel, SimCodec,
} from './types.ts';
