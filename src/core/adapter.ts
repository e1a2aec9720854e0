import type { View } from './views.ts';

/**
 * The seam every chat platform implements. Adapters translate between a platform and these types;
 * they hold no business rules (no permissions, no command grammar, no state).
 */

/** Who did something, in platform-neutral terms. Policy matches on `userId` and `groups`. */
export interface Actor {
  readonly platform: string;
  readonly userId: string;
  readonly displayName: string;
  /** Platform group or role ids (Slack user groups, Discord roles). */
  readonly groups: readonly string[];
}

/** Where a message lives: a channel, DM, or terminal. */
export interface Conversation {
  readonly platform: string;
  /** Platform id of the channel/conversation. */
  readonly id: string;
  /** Workspace/guild id when the platform has one. */
  readonly workspace?: string;
}

/** A posted message that can be edited later. Serializable: the store keeps it across restarts. */
export interface MessageRef {
  readonly platform: string;
  readonly conversation: string;
  readonly id: string;
}

/**
 * One inbound interaction (a slash command or a button press). Adapters keep whatever they need to
 * answer it (response_url, interaction token) behind `id`.
 */
export interface Interaction {
  readonly platform: string;
  readonly id: string;
}

export interface InboundContext {
  readonly actor: Actor;
  readonly conversation: Conversation;
  readonly interaction: Interaction;
  /** The message a button sat on, for button presses. */
  readonly message: MessageRef | undefined;
  /** Acknowledge receipt to the platform. The core calls it exactly once, before its deadline. */
  ack(): Promise<void>;
}

export interface InboundHandlers {
  /** `text` is what followed the slash command (`/meetme mute 200 3` → `mute 200 3`). */
  command(ctx: InboundContext, text: string): Promise<void>;
  /** `actionId` is the compact id from a ButtonView. */
  action(ctx: InboundContext, actionId: string): Promise<void>;
}

export interface AdapterLimits {
  /** Minimum interval between edits of one message, in ms (Slack ≈ 1000). */
  readonly minEditIntervalMs: number;
  readonly maxButtonsPerMessage: number;
  readonly maxTextLength: number;
  /** How long the platform waits for an ack, in ms (Slack and Discord: 3000). */
  readonly ackDeadlineMs: number;
}

export interface ReplyOptions {
  /** Only the actor sees it (Slack ephemeral, Discord ephemeral, shell: no difference). */
  readonly ephemeral: boolean;
}

/** Who did what, for platforms that mention the person instead of writing their name. */
export interface ActionNote {
  readonly actor: Pick<Actor, 'platform' | 'userId' | 'displayName'>;
  /** The action without the actor ("muted Tim (701)"). */
  readonly action: string;
}

export interface ChatAdapter {
  /** Platform name: 'shell', 'slack', 'discord'. */
  readonly name: string;
  readonly limits: AdapterLimits;
  start(inbound: InboundHandlers): Promise<void>;
  stop(): Promise<void>;
  post(conversation: Conversation, view: View): Promise<MessageRef>;
  /**
   * Edit a posted message in place. Rejects with `PlatformRateLimitedError` (carrying the retry
   * delay) on a platform 429, and `MessageGoneError` when a person deleted the message.
   */
  update(ref: MessageRef, view: View): Promise<void>;
  reply(interaction: Interaction, view: View, options: ReplyOptions): Promise<void>;
  /**
   * Optional: a short note in the message's thread (Slack: "@alice muted Tim (701)" under the status
   * message). Platforms without threads leave it out.
   */
  postThreadNote?(ref: MessageRef, text: string, note?: ActionNote): Promise<void>;
}
