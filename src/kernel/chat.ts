/**
 * Platform-neutral facts about a chat interaction, shared by the core, the store and the services.
 * This module imports nothing, so anything may import it without forming a cycle.
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

/** Who sees a reply: only the actor (Slack/Discord ephemeral), or everyone in the conversation. */
export type Visibility = 'private' | 'channel';

/** Who did what, for a platform's audit line under a status message. */
export interface ActionNote {
  readonly actor: Pick<Actor, 'platform' | 'userId' | 'displayName'>;
  /** The action without the actor ("muted Tim (701)"). */
  readonly action: string;
}
