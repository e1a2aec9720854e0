import type { Actor, Conversation } from './adapter.ts';
import type { Participant } from '../conference/types.ts';

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
  noteAction(pbx: string, room: string, text: string): void;
}

/** A call a sensor sees, as shown by `calls` and used by `listen call`. */
export interface CallSummary {
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
