import type { Logger } from '../../log.ts';

/**
 * Public shapes of the embedded PBX: options, the caller description scenarios use, and the
 * snapshots tests assert on. The model and the wire code live in their own modules.
 */

export type PbxDialect = 'confbridge' | 'meetme' | 'meetme-legacy';
export type ChannelTech = 'PJSIP' | 'SIP' | 'IAX2' | 'DAHDI' | 'Local';
export type SimCodec = 'PCMU' | 'PCMA';

/** Who calls in. Absent caller-ID fields show as `<unknown>`, as Asterisk shows them. */
export interface CallerSpec {
  readonly num?: string;
  readonly name?: string;
  readonly tech?: ChannelTech;
  /** Device/peer part of the channel name; defaults to the number, or the name in lower case. */
  readonly endpoint?: string;
  readonly admin?: boolean;
  readonly muted?: boolean;
  readonly marked?: boolean;
  readonly codec?: SimCodec;
}

/** How a caller waits for a room: in another conference, or on music on hold at an extension. */
export type LobbySpec =
  | { readonly type: 'conference'; readonly conference: string }
  | { readonly type: 'moh'; readonly context: string; readonly exten: string };

/** A dialplan extension that puts the channel into a room (e.g. an admin entrance). */
export interface DialplanRoomEntry {
  readonly context: string;
  readonly exten: string;
  readonly room: string;
  readonly admin?: boolean;
  readonly marked?: boolean;
}

export interface DialplanOptions {
  /** Context whose extensions are room names (default `confs`): `confs/200` joins room 200. */
  readonly roomContext?: string;
  /** Extra extensions that join a room, checked before `roomContext`. */
  readonly entries?: readonly DialplanRoomEntry[];
  /** Extensions that play music on hold (a caller sent there waits, in no room). */
  readonly musicOnHold?: readonly { readonly context: string; readonly exten: string }[];
  /** Extensions that run some other application (Wait, Playback): a caller sent there is in no room. */
  readonly applications?: readonly { readonly context: string; readonly exten: string }[];
}

/** Before the OriginateResponse, or this long after it. */
export type OriginateJoin = 'before-response' | { readonly afterResponseMs: number };

/** What dialling a number gives: `Originate` reasons 4, 5, 3 and 8. */
export type DialOutcome = 'answer' | 'busy' | 'no-answer' | 'congestion';

export interface EmbeddedPbxOptions {
  readonly dialect: PbxDialect;
  /**
   * The other conference application is loaded too, with no rooms of its own (Asterisk 11–18 often
   * loads both): its list actions exist and answer `No active conferences.`.
   */
  readonly alsoLoaded?: 'confbridge' | 'meetme';
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /**
   * Default `[{ username: 'bot', secret: 'botsecret' }]`. `write` lists a user's manager.conf write
   * classes (default all): an action outside them answers `Permission denied`, as Asterisk does.
   */
  readonly users?: readonly { readonly username: string; readonly secret: string; readonly write?: readonly string[] }[];
  /** Wait before answering a failed login and closing (real Asterisk: about 1 s). Default 20 ms. */
  readonly authFailureDelayMs?: number;
  /** How many emitted events and received actions `emitted` and `received` keep for tests. Default 5000. */
  readonly journalLimit?: number;
  /** Epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  readonly dialplan?: DialplanOptions;
  /** Room name → where its callers wait. A room without an entry uses music on hold at `lobby/<room>`. */
  readonly lobbies?: Readonly<Record<string, LobbySpec>>;
  /** Number dialled (the part after `PJSIP/`) → outcome; merged over the defaults 486 busy, 480 no answer, 503 congestion. */
  readonly dialOutcomes?: Readonly<Record<string, DialOutcome>>;
  /** How long a kicked ConfBridge caller still shows in `ConfbridgeList` before hanging up (real: ~2 s). Default 2000. */
  readonly kickPromptMs?: number;
  /** Delay before an async Originate's outcome. Default 5 ms. */
  readonly originateDelayMs?: number;
  /**
   * When an answered Originate's channel enters its dialplan target (a room, say) relative to its
   * OriginateResponse: a real Asterisk does either. Default: right after the response, as captured.
   */
  readonly originateJoin?: OriginateJoin;
  /** SIP Call-ID generator for PJSIP/SIP channels. Default `crypto.randomUUID`. */
  readonly callIdGenerator?: () => string;
  /** Default: silent. */
  readonly logger?: Logger;
}

/** What `join` and friends return: enough to drive the channel later. */
export interface SimChannel {
  readonly channel: string;
  readonly uniqueid: string;
  /** MeetMe user number (MeetMe dialects only, once in a room). */
  readonly usernum?: number;
  /** SIP Call-ID (PJSIP and SIP channels only), as `GetVar CHANNEL(pjsip,call-id)` answers. */
  readonly callId?: string;
}

export interface ParticipantSnapshot {
  readonly uniqueid: string;
  readonly channel: string;
  readonly callerNum: string;
  readonly callerName: string;
  readonly admin: boolean;
  readonly marked: boolean;
  readonly muted: boolean;
  readonly talking: boolean;
  readonly usernum?: number;
  readonly joinedAt: number;
}

export interface RoomSnapshot {
  readonly name: string;
  readonly locked: boolean;
  /** The file being recorded to (`X-<epoch>.wav` for a requested `X.wav`), if recording. */
  readonly recordingFile?: string;
  readonly participants: readonly ParticipantSnapshot[];
}

export interface ChannelInfoSnapshot {
  readonly channel: string;
  readonly uniqueid: string;
  readonly linkedid: string;
  readonly tech: ChannelTech;
  readonly callerNum: string;
  readonly callerName: string;
  readonly context: string;
  readonly exten: string;
  readonly application: string;
  readonly room?: string;
  readonly callId?: string;
  readonly variables: Readonly<Record<string, string>>;
}

/** A slow or failing action, for resilience tests. */
export interface ActionBehaviour {
  readonly delayMs?: number;
  /** Answer `Response: Error` with this message and do nothing. */
  readonly fail?: string;
}
