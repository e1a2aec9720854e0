import type { ActionNote, Actor, Conversation, MessageRef } from '../kernel/chat.ts';
import type { RoleName } from '../config.ts';
import type { Dialect, LinkProblem, Participant } from '../conference/types.ts';

/**
 * Services the dispatcher calls for features that live outside the core. Each is optional in the
 * dispatcher's deps: when one is absent, its commands answer "not available yet", never silently.
 */

/** Live status messages (core/status.ts implements it). */
export interface WatchService {
  /** Post (or re-post at the bottom) the live status message for a room in this conversation. */
  watch(pbx: string, room: string, conversation: Conversation, actor: Actor): Promise<void>;
  /** Stop editing the room's status message in this conversation. Resolves false when none was watched. */
  unwatch(pbx: string, room: string, conversation: Conversation): Promise<boolean>;
  /** Record a user action for the room's final summary and thread audit line ("alice muted Tim (701)"). */
  noteAction(pbx: string, room: string, text: string, note?: ActionNote): void;
  /**
   * A page button was pressed on `message`: its live status message shows (zero-based) `page` from
   * now on, across later edits. False when no live status message is that message.
   */
  showPage(message: MessageRef, page: number): boolean;
}

/** A call's voice quality as a sensor measures it; each figure undefined when the sensor does not send it. */
export interface LineFigures {
  /** MOS (1.0–4.5) of the audio from the caller, and to the caller. */
  readonly mosFromCaller?: number | undefined;
  readonly mosToCaller?: number | undefined;
  /** Packet loss, worse direction, percent: last 10 s, and over the call. */
  readonly loss10s?: number | undefined;
  readonly lossTotal?: number | undefined;
  /** Jitter, worse direction, ms. */
  readonly jitterMs?: number | undefined;
}

/** One participant's line for `quality`: undefined `line` when no sensor sees the call. */
export interface ParticipantLineSummary {
  readonly uniqueid: string;
  /** "Tim (701)". */
  readonly label: string;
  readonly line: (LineFigures & {
    readonly mark: 'good' | 'fair' | 'poor' | undefined;
    readonly codec: string | undefined;
    readonly sensor: string;
  }) | undefined;
}

/** Line quality from the sensors (src/quality implements it). */
export interface QualityService {
  /** Current figures of every participant of the room, from a fresh listing of each sensor. */
  roomLines(pbx: string, room: string): Promise<ParticipantLineSummary[]>;
}

/** A call a sensor sees, as shown by `calls` and used by `listen call`. */
export interface CallSummary extends LineFigures {
  readonly sensor: string;
  readonly callref: string;
  readonly callId: string;
  readonly caller: string;
  readonly called: string;
  readonly callerName: string | undefined;
  readonly durationSec: number;
  readonly codec: string | undefined;
  readonly mos: number | undefined;
}

export interface ListenLink {
  readonly url: string;
  /** Epoch ms. */
  readonly expiresAt: number;
  readonly call: CallSummary;
  /** 'callid' when matched by SIP Call-ID, 'number' when by caller/called number (say so to the user). */
  readonly matchedBy: 'callid' | 'number' | 'callref';
}

/** Live listening (src/listen implements it). */
export interface ListenService {
  /** Find the participant's call on the sensors and mint a signed link. Throws `call_not_found`. */
  linkForParticipant(participant: Participant, actor: Actor): Promise<ListenLink>;
  /** Mint a link for a call reference, optionally on one sensor. */
  linkForCall(callref: string, sensor: string | undefined, actor: Actor): Promise<ListenLink>;
  /** Calls the sensors see, optionally filtered by a substring of caller/called/name. */
  listCalls(filter: string | undefined): Promise<CallSummary[]>;
}

/** One PBX as `config` shows it: where and how the bot reaches it, never its AMI secret. */
export interface PbxSummary {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly authType: 'plain' | 'md5';
  /** As configured: `auto` detects it on connect. */
  readonly dialect: 'auto' | Dialect;
  /** What the link found; undefined until it has connected once. */
  readonly detectedDialect: Dialect | undefined;
  readonly available: boolean;
  /** Epoch ms: when the link came up (available) or went down (unreachable); undefined when unknown. */
  readonly since: number | undefined;
  /** What keeps the link or the listing from working, and the fix (config key or manager.conf class). */
  readonly problem: { readonly kind: LinkProblem['kind']; readonly label: string; readonly fix: string } | undefined;
}

/** One sensor as `config` shows it: its address and whether it encrypts, never the AES key or IV. */
export interface SensorSummary {
  readonly id: string;
  /** `host:port`, or the unix socket path. */
  readonly address: string;
  readonly aes: boolean;
  /** The cipher, when AES is on. */
  readonly cipher: string | undefined;
}

/** Live listening as `config` shows it, never the signing key. */
export interface ListenSummary {
  /** The URL links point at (the configured public base URL, or the player address). */
  readonly publicBaseUrl: string;
  readonly linkTtlSec: number;
  readonly singleUse: boolean;
  /** Where the player page listens. */
  readonly playerAddress: string;
}

/** A role grant as `config` shows it: who gets which role where. Not a secret. */
export interface GrantSummary {
  readonly role: RoleName;
  readonly users: readonly string[];
  readonly groups: readonly string[];
  readonly pbx: string;
  readonly rooms: string;
}

/**
 * The running configuration as `config` shows it to an admin. It holds no field for an AMI secret,
 * a chat token, a signing key or an AES key/IV, so no view of it can leak one.
 */
export interface ConfigSummary {
  readonly pbxs: readonly PbxSummary[];
  readonly sensors: readonly SensorSummary[];
  /** Undefined when live listening is off (disabled, or no sensor). */
  readonly listen: ListenSummary | undefined;
  /** Chat adapters running, by name. */
  readonly adapters: readonly string[];
  readonly grants: readonly GrantSummary[];
  readonly dataDir: string;
  readonly logLevel: string;
}
