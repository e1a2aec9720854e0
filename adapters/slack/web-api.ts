import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { PlatformError } from '../../src/core/adapter-errors.ts';
import { mapSlackError } from './errors.ts';
import type { UserGroup } from './identity.ts';
import type { SlackMethod } from './scopes.ts';

/**
 * The Web API calls the adapter makes, each a typed function whose answer is validated at the
 * boundary. Every call goes through `call`, keyed by METHOD_SCOPES, so a method cannot be used
 * without the manifest declaring its scope.
 */

type Params = Record<string, unknown>;

/**
 * The bot's @name as the manifest (manifest.yml, `bot_user.display_name`) creates it, used until
 * auth.test has told the real one: a workspace admin may rename the bot.
 */
export const MANIFEST_BOT_HANDLE = 'meetme';

const authSchema = z.object({ user: z.string().min(1) });
const postedSchema = z.object({ channel: z.string(), ts: z.string() });
const ephemeralSchema = z.object({ message_ts: z.string().optional() });
const openedSchema = z.object({ channel: z.object({ id: z.string() }) });
const userGroupsSchema = z.object({
  usergroups: z.array(z.object({ id: z.string(), users: z.array(z.string()).optional() })),
});

export class SlackWebApi {
  private botHandle = MANIFEST_BOT_HANDLE;

  constructor(private readonly client: webApi.WebClient) {}

  private async call<T>(method: SlackMethod, params: Params, schema: z.ZodType<T>): Promise<T> {
    let result: unknown;
    try {
      result = await this.client.apiCall(method, params);
    } catch (err) {
      throw mapSlackError(err, method, this.botHandle);
    }
    const parsed = schema.safeParse(result);
    if (!parsed.success) throw new PlatformError('Slack', `${method}: unexpected answer shape`, false);
    return parsed.data;
  }

  /**
   * Learns the bot's @name, which error messages name ("Invite @meetme to this channel first").
   * @see https://docs.slack.dev/reference/methods/auth.test
   */
  async learnBotHandle(): Promise<void> {
    this.botHandle = (await this.call('auth.test', {}, authSchema)).user;
  }

  /** @see https://docs.slack.dev/reference/methods/chat.postMessage */
  postMessage(params: { channel: string; text: string; blocks?: unknown[]; thread_ts?: string }): Promise<{ channel: string; ts: string }> {
    return this.call('chat.postMessage', { ...params, unfurl_links: false, unfurl_media: false }, postedSchema);
  }

  /** @see https://docs.slack.dev/reference/methods/chat.update */
  async update(params: { channel: string; ts: string; text: string; blocks: unknown[] }): Promise<void> {
    await this.call('chat.update', params, postedSchema);
  }

  /** @see https://docs.slack.dev/reference/methods/chat.postEphemeral */
  async postEphemeral(params: { channel: string; user: string; text: string; blocks: unknown[] }): Promise<void> {
    await this.call('chat.postEphemeral', params, ephemeralSchema);
  }

  /** Opens (or finds) the DM channel with one user. @see https://docs.slack.dev/reference/methods/conversations.open */
  async openDm(user: string): Promise<string> {
    const answer = await this.call('conversations.open', { users: user }, openedSchema);
    return answer.channel.id;
  }

  /** @see https://docs.slack.dev/reference/methods/usergroups.list */
  async userGroups(): Promise<UserGroup[]> {
    const answer = await this.call('usergroups.list', { include_users: true }, userGroupsSchema);
    return answer.usergroups.map((g) => ({ id: g.id, users: g.users ?? [] }));
  }
}
