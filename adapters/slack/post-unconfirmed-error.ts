import { PlatformError } from '../../src/core/adapter-errors.ts';

/**
 * A post was sent but Slack's answer never came, or came as a failure after which the post may have
 * been made (a timeout, a reset after sending, a `5xx`, `internal_error`): it may be in the channel
 * or not, and Slack has no idempotency key to ask again safely, so it is not resent. The person is
 * told to look; for a status message, what to do if one appears, as the bot never learned its `ts`
 * and would never edit it.
 * @see https://docs.slack.dev/reference/methods/chat.postMessage
 */
export class PostUnconfirmedError extends PlatformError {
  override readonly userMessage: string;

  constructor(private readonly postDetail: string, what: 'status message' | 'message' = 'message') {
    super('Slack', postDetail, false);
    this.userMessage = what === 'status message'
      ? 'Slack did not confirm the status message in time, so it may or may not appear. If it appears and does not update, delete it and run `show` again.'
      : 'Slack did not confirm the message in time, so it may or may not appear.';
  }

  /** The same failure, worded for a status message (what to do if it appears). */
  forStatus(): PostUnconfirmedError {
    return new PostUnconfirmedError(this.postDetail, 'status message');
  }
}
