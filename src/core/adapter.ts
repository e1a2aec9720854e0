import type { ActionNote, Actor, Conversation, Interaction, MessageRef, Visibility } from '../kernel/chat.ts';
import type { View } from './views.ts';

export type { ActionNote, Actor, Conversation, Interaction, MessageRef, Visibility } from '../kernel/chat.ts';

/**
 * The seam every chat platform implements. Adapters translate between a platform and these types;
 * they hold no business rules (no permissions, no command grammar, no state).
 */

export interface InboundContext {
  readonly actor: Actor;
  readonly conversation: Conversation;
  readonly interaction: Interaction;
  /** The message a button sat on, for button presses. */
  readonly message: MessageRef | undefined;
  /**
   * Acknowledge receipt to the platform. The core calls it exactly once, before its deadline, with
   * the visibility its reply will have (known from the command's spec before it runs), so a platform
   * that defers (Discord's `deferReply({ ephemeral })`) can defer the right way.
   */
  ack(visibility: Visibility): Promise<void>;
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
  /**
   * The adapter draws ButtonView.confirm as its own dialog (Slack's confirm, the shell's y/n) before
   * delivering the press. Without one, the core asks with Confirm/Cancel buttons of its own.
   */
  readonly nativeConfirmDialogs?: boolean;
  /**
   * Participant rows one status message shows before the core pages it (core/paging.ts). Without
   * it the core sends every row and the adapter must fit them itself.
   */
  readonly maxRowsPerPage?: number;
}

export interface ReplyOptions {
  /** Only the actor sees it (Slack ephemeral, Discord ephemeral, shell: no difference). */
  readonly ephemeral: boolean;
}

/** Who did what, for platforms that mention the person instead of writing their name. */

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
  /**
   * Optional: a message to one user in private (alert escalations). Platforms where posting to a
   * user id already reaches them (Slack) leave it out and get `post` with the user id.
   */
  postDirect?(userId: string, view: View): Promise<MessageRef>;
}
