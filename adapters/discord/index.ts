import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Client, GatewayIntentBits, Routes, type RateLimitData } from 'discord.js';
import type {
  ChatAdapter, Conversation, InboundHandlers, Interaction, MessageRef, ReplyOptions,
} from '../../src/core/adapter.ts';
import { PlatformError } from '../../src/core/adapter-errors.ts';
import type { View } from '../../src/core/views.ts';
import type { DiscordConfig } from '../../src/config.ts';
import { isBotError } from '../../src/errors.ts';
import { silentLogger, type Logger } from '../../src/log.ts';
import type { Completer } from './choices.ts';
import { DiscordAccessError, isOldMessageEditLimit, toAdapterError } from './errors.ts';
import { PLATFORM } from './identity.ts';
import { createInbound } from './inbound.ts';
import { DISCORD_LIMITS } from './limits.ts';
import { InteractionRegistry, MessageMemory } from './memory.ts';
import { noteBody, renderView, type MessageBody } from './render.ts';

export { createCompleter, type Completer } from './choices.ts';
export { meetmeCommand } from './command-json.ts';
export { DiscordAccessError, DiscordRateLimitedError } from './errors.ts';

/**
 * The Discord adapter on discord.js 14: a gateway `Client` with the Guilds intent only. Interactions
 * are deferred the moment they arrive and answered through their webhook (edit @original or
 * follow-ups); status messages are posted and edited through the channel with the bot token, so
 * they outlive the 15-minute interaction token. The REST client rejects rate-limited channel calls
 * at once instead of queueing them: the core's edit scheduler owns pacing and retries.
 */

export interface DiscordAdapterDeps {
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Autocomplete choices for room and participant options (from live state and the policy). */
  readonly complete?: Completer;
  /** Upper bound on one REST call (default 10 s). */
  readonly restTimeoutMs?: number;
  /**
   * Several replicas: Discord sends every gateway session every event, so only the leader (the
   * `discord-gateway` lease) logs in; the others post and edit over REST only. Absent: log in at start.
   */
  readonly gatewayLeader?: { onChange(listener: (leader: boolean) => void): () => void };
}

export type MessageReplacedListener = (previous: MessageRef, current: MessageRef) => void;

export interface DiscordAdapter extends ChatAdapter {
  /** A reply to the status message recording who did what ("alice muted Tim (701)"). */
  postThreadNote(ref: MessageRef, text: string): Promise<void>;
  /**
   * A status message was re-posted (Discord refuses edits to an old message after too many: 30046);
   * the listener (the status service) learns the new ref to store, so a restarted bot edits the new
   * message. Updates to the old ref keep reaching the new message for as long as the process runs.
   */
  onMessageReplaced(listener: MessageReplacedListener): () => void;
}

interface ApiMessage {
  readonly id: string;
  readonly channel_id: string;
}

/** How often idle REST queues are dropped (one per interaction token). */
const HANDLER_SWEEP_MS = 5 * 60_000;

export function createDiscordAdapter(config: DiscordConfig, deps: DiscordAdapterDeps = {}): DiscordAdapter {
  const log = (deps.logger ?? silentLogger()).child({ component: 'discord' });
  const now = deps.now ?? Date.now;
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    allowedMentions: { parse: [] },
    rest: {
      ...(config.apiUrl !== undefined ? { api: config.apiUrl.replace(/\/+$/, '') } : {}),
      timeout: deps.restTimeoutMs ?? 10_000,
      // Channel message routes fail fast on a 429 (the core waits and coalesces); interaction
      // answers are one-shot and short-lived, so those wait in the REST queue as usual.
      rejectOnRateLimit: (data: RateLimitData) => data.route.startsWith('/channels'),
      // discord.js keeps a REST queue per interaction token and by default sweeps idle ones hourly;
      // tokens die after 15 minutes, so sweep every 5 and keep minutes of queues, not hours.
      handlerSweepInterval: HANDLER_SWEEP_MS,
    },
  });
  // REST works from the start, independent of the gateway session (login sets the same token).
  client.rest.setToken(config.token);
  const registry = new InteractionRegistry(now);
  const memory = new MessageMemory();
  const replacedListeners = new Set<MessageReplacedListener>();
  let inbound: InboundHandlers | undefined;
  let state: 'idle' | 'started' | 'stopped' = 'idle';
  let connected = false;
  /** Whether this replica answers gateway events: always, unless `gatewayLeader` says another replica leads. */
  let leading = deps.gatewayLeader === undefined;
  /** Leadership changes, one after another. */
  let gateway: Promise<void> = Promise.resolve();
  let unfollowLeader: (() => void) | undefined;

  async function connect(): Promise<void> {
    if (connected || state !== 'started') return;
    const ready = once(client, 'clientReady');
    try {
      await client.login(config.token);
      await ready;
      connected = true;
      log.info({ user: client.user?.id }, 'Discord gateway connected');
    } catch (err) {
      // A revoked token must not take the other adapters down: say so plainly and stay idle.
      log.error({ detail: err instanceof Error ? err.message : String(err) }, 'Discord login failed: check DISCORD_TOKEN (Developer Portal → Bot → Reset Token)');
    }
  }


  function failed(err: unknown, what: string, channel: string): never {
    const translated = toAdapterError(err, what);
    if (translated instanceof DiscordAccessError) {
      log.error({ channel, code: translated.discordCode, detail: translated.message }, 'Discord refused: the bot lacks access or permissions in this channel (needs View Channel, Send Messages, Embed Links, Read Message History)');
    } else if (isBotError(translated, 'message_gone')) {
      log.warn({ channel, detail: translated.message }, 'Discord message or channel is gone');
    }
    throw translated;
  }

  async function postBody(channel: string, body: MessageBody & { message_reference?: unknown }): Promise<ApiMessage> {
    try {
      // discord.js resends a post after a timeout or a 5xx, when Discord may already have made it;
      // with an enforced nonce Discord answers the resend with that message instead of a second one.
      const oneMessage = { ...body, nonce: randomBytes(12).toString('base64url'), enforce_nonce: true };
      return (await client.rest.post(Routes.channelMessages(channel), { body: oneMessage })) as ApiMessage;
    } catch (err) {
      return failed(err, 'post message', channel);
    }
  }

  async function post(conversation: Conversation, view: View): Promise<MessageRef> {
    const posted = await postBody(conversation.id, renderView(view));
    const ref: MessageRef = { platform: PLATFORM, conversation: posted.channel_id, id: posted.id };
    memory.remember(ref, view.kind === 'status' ? { view } : undefined);
    return ref;
  }

  /** 30046: post the view as a new message, retire the old one, and tell whoever stores refs. */
  async function repost(old: MessageRef, body: MessageBody): Promise<void> {
    const posted = await postBody(old.conversation, body);
    const fresh: MessageRef = { platform: PLATFORM, conversation: posted.channel_id, id: posted.id };
    memory.moved(old, fresh);
    await client.rest.delete(Routes.channelMessage(old.conversation, old.id)).catch((err: unknown) => {
      log.warn({ detail: toAdapterError(err, 'delete old status message').message }, 'could not delete the retired status message');
    });
    log.info({ channel: old.conversation, previous: old.id, current: fresh.id }, 'status message re-posted: Discord limits edits to messages older than an hour');
    for (const listener of replacedListeners) listener(old, fresh);
  }

  async function draw(ref: MessageRef, view: View): Promise<void> {
    const target = memory.resolve(ref);
    const body = renderView(view);
    // Remembered before the call, so a participant pick racing with an edit sees the rows just drawn.
    memory.remember(target, view.kind === 'status' ? { view } : undefined);
    try {
      await client.rest.patch(Routes.channelMessage(target.conversation, target.id), { body });
    } catch (err) {
      if (isOldMessageEditLimit(err)) return repost(target, body);
      const translated = toAdapterError(err, 'edit message');
      if (isBotError(translated, 'message_gone')) memory.remember(target, undefined);
      return failed(err, 'edit message', target.conversation);
    }
  }

  const onInteraction = createInbound({
    log,
    registry,
    memory,
    handlers: () => inbound,
    complete: deps.complete,
    removeDeferredReply: async (token) => {
      await client.rest.delete(Routes.webhookMessage(config.applicationId, token, '@original'), { auth: false });
    },
  });

  client.on('interactionCreate', (i) => {
    if (!leading) return;
    void onInteraction(i).catch((err: unknown) => log.error({ detail: err instanceof Error ? err.message : String(err) }, 'interaction failed'));
  });
  client.on('error', (err) => log.error({ detail: err.message }, 'Discord client error'));
  client.on('warn', (message) => log.warn({ detail: message }, 'Discord client warning'));
  client.on('shardDisconnect', (event) => log.warn({ code: event.code }, 'Discord gateway disconnected'));
  client.on('shardResume', () => log.info('Discord gateway session resumed'));
  client.on('invalidated', () => log.error('Discord invalidated the session: check DISCORD_TOKEN'));

  async function answer(token: string, ephemeral: boolean, body: MessageBody, original: 'edit' | 'delete' | 'none'): Promise<void> {
    const app = config.applicationId;
    if (original === 'edit') {
      await client.rest.patch(Routes.webhookMessage(app, token, '@original'), { body, auth: false });
      return;
    }
    if (original === 'delete') {
      await client.rest.delete(Routes.webhookMessage(app, token, '@original'), { auth: false })
        .catch((err: unknown) => log.warn({ detail: toAdapterError(err, 'delete deferred reply').message }, 'could not remove the deferred reply'));
    }
    await client.rest.post(Routes.webhook(app, token), {
      body: { ...body, flags: ephemeral ? 64 : 0 }, auth: false, query: new URLSearchParams({ wait: 'true' }),
    });
  }

  return {
    name: PLATFORM,
    limits: DISCORD_LIMITS,

    async start(handlers: InboundHandlers): Promise<void> {
      if (state !== 'idle') throw new PlatformError('Discord', `start() called while ${state}`, false);
      inbound = handlers;
      state = 'started';
      if (deps.gatewayLeader === undefined) return connect();
      // A deposed leader keeps its session (discord.js cannot log in again after destroy) but
      // ignores its events: the new leader's session answers them.
      unfollowLeader = deps.gatewayLeader.onChange((leader) => {
        leading = leader;
        log.info({ leader }, leader ? 'leading replica: answering Discord gateway events' : 'another replica answers Discord gateway events');
        if (leader) gateway = gateway.then(connect);
      });
    },

    async stop(): Promise<void> {
      const wasStarted = state === 'started';
      state = 'stopped';
      inbound = undefined;
      unfollowLeader?.();
      await gateway;
      if (wasStarted) await client.destroy();
    },

    post,

    /** A DM: Discord opens (or finds) the bot's DM channel with the user, then it is a channel post. */
    async postDirect(userId: string, view: View): Promise<MessageRef> {
      const dm = (await client.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
      return post({ platform: 'discord', id: dm.id }, view);
    },

    async update(ref: MessageRef, view: View): Promise<void> {
      await draw(ref, view);
    },

    async reply(interaction: Interaction, view: View, options: ReplyOptions): Promise<void> {
      const pending = registry.get(interaction.id);
      if (pending === undefined) throw new PlatformError('Discord', `unknown or expired interaction ${interaction.id}`, false);
      // The core acks before it answers; should it not have, the answer's visibility defers.
      await pending.defer(options.ephemeral);
      const body = renderView(view);
      let original: 'edit' | 'delete' | 'none' = 'none';
      if (pending.kind === 'command' && !pending.originalUsed) {
        // An error after a 'channel' ack is private: the public placeholder goes, a private follow-up comes.
        original = pending.ephemeral() === options.ephemeral ? 'edit' : 'delete';
        pending.originalUsed = true;
      }
      try {
        await answer(pending.token, options.ephemeral, body, original);
      } catch (err) {
        throw toAdapterError(err, 'answer interaction');
      }
    },

    async postThreadNote(ref: MessageRef, text: string): Promise<void> {
      const target = memory.resolve(ref);
      await postBody(target.conversation, { ...noteBody(text), message_reference: { message_id: target.id, fail_if_not_exists: false } });
    },

    onMessageReplaced(listener: MessageReplacedListener): () => void {
      replacedListeners.add(listener);
      return () => replacedListeners.delete(listener);
    },
  };
}
