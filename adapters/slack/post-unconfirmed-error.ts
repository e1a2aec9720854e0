import { PlatformError } from '../../src/core/adapter-errors.ts';

/**
 * A post was sent but Slack's answer never came: it may be in the channel or not, and Slack has no
 * idempotency key to ask again safely, so it is not resent. The person is told what to look for:
 * a status message that appears anyway would never be edited (the bot never learned its `ts`).
 * @see https://docs.slack.dev/reference/methods/chat.postMessage
 */
export class PostUnconfirmedError extends PlatformError {
  override readonly userMessage =
    'Slack did not confirm the post in time, so it may or may not appear. If a message appears and does not update, delete it and run the command again.';

  constructor(detail: string) {
    super('Slack', detail, false);
  }
}
