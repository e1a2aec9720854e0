import type { Interaction, ReplyOptions } from '../../src/core/adapter.ts';
import { PlatformError } from '../../src/core/adapter-errors.ts';
import type { Logger } from '../../src/log.ts';
import type { InteractionRegistry } from './interactions.ts';
import { NotInChannelError } from './not-in-channel-error.ts';
import type { RenderedMessage } from './render.ts';
import type { SlackWebApi } from './web-api.ts';

/**
 * Answers to an interaction: through its response_url while Slack still takes it, then through the
 * Web API (chat.postEphemeral, or chat.postMessage for an in-channel answer). A private answer Slack
 * will not show in that channel goes to the person by DM, with what to do about it.
 */

const RESPONSE_URL_TIMEOUT_MS = 5000;

export async function defaultPostResponseUrl(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new PlatformError('Slack', `response_url: HTTP ${res.status}`, res.status >= 500);
}

export interface ReplierDeps {
  readonly interactions: InteractionRegistry;
  readonly api: SlackWebApi;
  readonly postResponseUrl: (url: string, body: unknown) => Promise<void>;
  /** The DM channel with one user (opened once, then remembered). */
  readonly dmChannel: (user: string) => Promise<string>;
  readonly log: Logger;
}

export function createReplier(deps: ReplierDeps): (interaction: Interaction, rendered: RenderedMessage, options: ReplyOptions) => Promise<void> {
  const { interactions, api, log } = deps;

  async function privately(channelId: string, userId: string, rendered: RenderedMessage): Promise<void> {
    try {
      await api.postEphemeral({ channel: channelId, user: userId, text: rendered.text, blocks: rendered.blocks });
    } catch (err) {
      if (!(err instanceof NotInChannelError)) throw err;
      // Nobody else would ever tell the person: the core's error reply would fail the same way.
      const notice = { type: 'section', text: { type: 'mrkdwn', text: err.dmNotice(channelId) } };
      try {
        await api.postMessage({ channel: await deps.dmChannel(userId), text: rendered.text, blocks: [notice, ...rendered.blocks] });
      } catch {
        throw err;
      }
    }
  }

  return async (interaction, rendered, options) => {
    const record = interactions.get(interaction.id);
    if (record === undefined) throw new PlatformError('Slack', `unknown or expired interaction ${interaction.id}`, false);
    const url = interactions.takeResponseUrl(interaction.id);
    if (url !== undefined) {
      try {
        await deps.postResponseUrl(url, {
          response_type: options.ephemeral ? 'ephemeral' : 'in_channel',
          // An ephemeral answer to a press on an ephemeral message (Kick all, Mute all, Transfer)
          // takes that message's place, so the used button cannot be pressed again. A press on a
          // status message must never replace it, and in-channel answers stay new messages.
          replace_original: record.onEphemeral && options.ephemeral,
          text: rendered.text,
          blocks: rendered.blocks,
        });
        return;
      } catch (err) {
        log.warn({ detail: err instanceof Error ? err.message : String(err) }, 'response_url failed; using the Web API');
      }
    }
    if (options.ephemeral) await privately(record.channelId, record.userId, rendered);
    else await api.postMessage({ channel: record.channelId, text: rendered.text, blocks: rendered.blocks });
  };
}
