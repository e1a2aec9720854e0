import { PlatformError } from '../../src/core/adapter-errors.ts';

/**
 * Slack refused to post because the bot is not a member of the channel (`not_in_channel`), or cannot
 * see it at all, as with a private channel it was never invited to (`channel_not_found`). The person
 * who asked can fix that, so they are told how instead of "Slack did not accept the request".
 * @see https://docs.slack.dev/reference/methods/chat.postMessage#errors
 */
export class NotInChannelError extends PlatformError {
  override readonly userMessage: string;

  constructor(botHandle: string, detail: string) {
    super('Slack', detail, false);
    this.userMessage = `I can't post in this channel. Invite @${botHandle} to this channel first (/invite @${botHandle}).`;
  }
}
