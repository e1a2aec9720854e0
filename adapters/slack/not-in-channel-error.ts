import { PlatformError } from '../../src/core/adapter-errors.ts';

/**
 * Slack refused to post because the bot is not a member of the channel (`not_in_channel`), or cannot
 * see it at all, as with a private channel it was never invited to (`channel_not_found`). The person
 * who asked can fix that, so they are told how instead of "Slack did not accept the request". For a
 * private answer (chat.postEphemeral) Slack also says `user_not_in_channel` when it cannot show the
 * person a message there, as in a DM or a channel the bot was never added to.
 * @see https://docs.slack.dev/reference/methods/chat.postMessage#errors
 */
export class NotInChannelError extends PlatformError {
  override readonly userMessage: string;

  constructor(readonly botHandle: string, detail: string) {
    super('Slack', detail, false);
    this.userMessage = `I can't post in this channel. Invite @${botHandle} to this channel first (/invite @${botHandle}).`;
  }

  /**
   * What to tell the person by DM when a private answer could not be shown in `channelId`
   * (`user_not_in_channel` and the like: Slack shows ephemeral messages only where the bot is).
   */
  dmNotice(channelId: string): string {
    return `I couldn't answer you in <#${channelId}>: I'm not a member there. Invite me with /invite @${this.botHandle} in that channel, then try again. Here is the answer:`;
  }
}
