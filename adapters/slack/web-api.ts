import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { PlatformError } from '../../src/core/adapter-errors.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { Logger } from '../../src/log.ts';
import { deadTokenReason, mapSlackError, TokenRevokedError } from './errors.ts';
import type { UserGroup } from './identity.ts';
import { withRetries, type RetryPolicy } from './retry.ts';
import type { SlackMethod } from './scopes.ts';

/**
 * The Web API calls the adapter makes, each a typed function whose answer is validated at the
 * boundary. Every call goes through `call`, keyed by METHOD_SCOPES, so a method cannot be used
 * without the manifest declaring its scope. Transient failures are retried there (see retry.ts);
 * once Slack says the bot token is dead, no further call is made.
 */

/**
 * How each method may be resent. `chat.update` never: the status scheduler retries edits and sends
 * the newest view instead of a stale one. `usergroups.list` never: commands wait for it, and the
 * group cache tries again after its own backoff.
 */
const RESEND: Record<SlackMethod, 'repeatable' | 'unless-acted' | 'never'> = {
  'auth.test': 'repeatable',
  'chat.postMessage': 'unless-acted',
  'chat.postEphemeral': 'unless-acted',
  'chat.update': 'never',
  'conversations.open': 'repeatable',
  'usergroups.list': 'never',
  'views.publish': 'repeatable',
};

export interface SlackWebApiOptions {
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  /** Called once, when Slack first says the token is revoked or the app uninstalled. */
  readonly onDead: (reason: string) => void;
  /**
   * The client for chat.postMessage, with a longer timeout: a post is never resent once it may have
   * been made, so it is given time to answer rather than given up on (default: the same client).
   */
  readonly postClient?: webApi.WebClient;
}

type Params = Record<string, unknown>;

/**
 * The bot's @name as the manifest (manifest.yml, `bot_user.display_name`) creates it, used until
 * auth.test has told the real one: a workspace admin may rename the bot.
 */
export const MANIFEST_BOT_HANDLE = 'meetme';

const authSchema = z.object({ user: z.string().min(1), user_id: z.string().optional(), bot_id: z.string().optional() });
const postedSchema = z.object({ channel: z.string(), ts: z.string() });
const ephemeralSchema = z.object({ message_ts: z.string().optional() });
const openedSchema = z.object({ channel: z.object({ id: z.string() }) });
const viewSchema = z.object({ view: z.object({ id: z.string() }) });
const userGroupsSchema = z.object({
  usergroups: z.array(z.object({ id: z.string(), users: z.array(z.string()).optional() })),
});

export class SlackWebApi {
  private botHandle = MANIFEST_BOT_HANDLE;
  private identity: { botUserId?: string; botId?: string } = {};
  private dead: string | undefined;

  constructor(private readonly client: webApi.WebClient, private readonly options: SlackWebApiOptions) {}

  /** Why the bot token no longer works (`token_revoked`, `app_uninstalled`...), or undefined. */
  deadReason(): string | undefined {
    return this.dead;
  }

  /** Stops every further call: Slack said the token is dead, or sent `tokens_revoked`/`app_uninstalled`. */
  markDead(reason: string): void {
    if (this.dead !== undefined) return;
    this.dead = reason;
    this.options.onDead(reason);
  }

  private async call<T>(method: SlackMethod, params: Params, schema: z.ZodType<T>): Promise<T> {
    if (this.dead !== undefined) throw new TokenRevokedError(`${method} not sent: ${this.dead}`);
    const resend = RESEND[method];
    let result: unknown;
    try {
      const client = method === 'chat.postMessage' ? this.options.postClient ?? this.client : this.client;
      result = await withRetries(() => client.apiCall(method, params), {
        repeatable: resend === 'repeatable',
        policy: resend === 'never' ? { ...this.options.retry, attempts: 1 } : this.options.retry,
        clock: this.options.clock,
        onRetry: (err, delayMs) => {
          this.options.logger.warn({ method, delayMs, detail: mapSlackError(err, method, this.botHandle).message }, 'Slack call failed; retrying');
        },
      });
    } catch (err) {
      const dead = deadTokenReason(err);
      if (dead !== undefined) {
        this.markDead(dead);
        throw new TokenRevokedError(`${method}: ${dead}`);
      }
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
    const answer = await this.call('auth.test', {}, authSchema);
    this.botHandle = answer.user;
    this.identity = {
      ...(answer.user_id !== undefined ? { botUserId: answer.user_id } : {}),
      ...(answer.bot_id !== undefined ? { botId: answer.bot_id } : {}),
    };
  }

  /** The bot's user and bot ids once auth.test has told them (Bolt ignores the bot's own events by them). */
  botIdentity(): { botUserId?: string; botId?: string } {
    return this.identity;
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

  /** Shows `view` as the user's Home tab. @see https://docs.slack.dev/reference/methods/views.publish */
  async publishHome(user: string, view: { type: 'home'; blocks: unknown[] }): Promise<void> {
    await this.call('views.publish', { user_id: user, view }, viewSchema);
  }

  /** @see https://docs.slack.dev/reference/methods/usergroups.list */
  async userGroups(): Promise<UserGroup[]> {
    const answer = await this.call('usergroups.list', { include_users: true }, userGroupsSchema);
    return answer.usergroups.map((g) => ({ id: g.id, users: g.users ?? [] }));
  }
}
