import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, webApi, type BlockAction } from '@slack/bolt';
import type {
  ActionNote, Actor, AdapterLimits, ChatAdapter, Conversation, InboundContext, InboundHandlers, Interaction, MessageRef, ReplyOptions,
} from '../../src/core/adapter.ts';
import { PlatformError, PlatformRateLimitedError } from '../../src/core/adapter-errors.ts';
import { systemClock, type Clock } from '../../src/core/clock.ts';
import { SLASH_COMMAND } from '../../src/core/commands.ts';
import type { ButtonView, ReplyView, View } from '../../src/core/views.ts';
import type { SlackConfig } from '../../src/config.ts';
import type { HomeView } from '../../src/core/home.ts';
import { isBotError } from '../../src/errors.ts';
import { silentLogger, type Logger } from '../../src/log.ts';
import { boltLogger } from './bolt-logger.ts';
import { askFirstTarget } from './blocks.ts';
import { UserGroupCache } from './identity.ts';
import { actionIdOf, displayNameOf, isOnEphemeral, messageRefOf } from './inbound.ts';
import { InteractionRegistry } from './interactions.ts';
import { DrawnStatusViews } from './drawn-views.ts';
import { buildReceiver, stopSocketMode, webClientOptions } from './receiver.ts';
import { renderView, type RenderedMessage } from './render.ts';
import { createReplier, defaultPostResponseUrl } from './replies.ts';
import { threadNoteText, unescapeSlackText } from './text.ts';
import { TokenRevokedError } from './errors.ts';
import { PostUnconfirmedError } from './post-unconfirmed-error.ts';
import { subscribeAppEvents } from './events.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';
import { SlackWebApi } from './web-api.ts';

export { METHOD_SCOPES, requiredBotScopes } from './scopes.ts';
export { renderView } from './render.ts';

/**
 * The Slack adapter on @slack/bolt 4: Socket Mode (bot token + app-level token) or HTTP (signing
 * secret + port). Every slash command and button press is acknowledged the moment it arrives; the
 * core's work continues afterwards and answers through the interaction's response_url (counted, with
 * a Web API fallback) or chat.postMessage. Status messages come paged by the core.
 */

const PLATFORM = 'slack';

export interface SlackAdapterDeps {
  readonly logger?: Logger;
  readonly now?: () => number;
  /** How long a user-group list is trusted (default 5 minutes). */
  readonly userGroupTtlMs?: number;
  /** HTTP mode: interface to listen on (default: all, as Slack must reach it through a proxy). */
  readonly httpHost?: string;
  /** Posts a JSON body to a response_url; the default uses fetch. */
  readonly postResponseUrl?: (url: string, body: unknown) => Promise<void>;
  /** How long one Web API call may take before it fails (default WEB_API_TIMEOUT_MS). */
  readonly webApiTimeoutMs?: number;
  /** The same for chat.postMessage, which is never resent (default WEB_API_POST_TIMEOUT_MS). */
  readonly webApiPostTimeoutMs?: number;
  /** Socket Mode: the SDK's ping timeout, which also paces its reconnects (default 5 s). */
  readonly clientPingTimeoutMs?: number;
  /** What a person's App Home tab shows; without it the Home tab is not published. */
  readonly home?: (actor: Actor) => HomeView;
  /** Timers for retry delays (default: the system clock). */
  readonly clock?: Clock;
  /** How Web API calls are retried (default DEFAULT_RETRY_POLICY). */
  readonly webApiRetry?: RetryPolicy;
}

export type AlertTarget = { readonly channel: string } | { readonly user: string };

export interface SlackAdapter extends ChatAdapter {
  /** Posts a short audit line in the message's thread ("@alice muted Tim (701)"). */
  postThreadNote(ref: MessageRef, text: string, note?: ActionNote): Promise<void>;
  /** Posts an alert to a channel, or to a user by DM. */
  postAlert(target: AlertTarget, view: View): Promise<MessageRef>;
  /** HTTP mode, once started: the port the receiver listens on. */
  httpPort(): number | undefined;
  /** Started, and the bot token still works. */
  isReady(): boolean;
  /** Why the adapter is down (`token_revoked`, `app_uninstalled`...), or undefined while it is not. */
  downReason(): string | undefined;
}

export const SLACK_LIMITS: AdapterLimits = {
  minEditIntervalMs: 1000,
  // Status messages fold each row's buttons into a menu when a page of buttons would not fit.
  maxButtonsPerMessage: 500,
  // Reply text is split over several sections within the message's character budget.
  maxTextLength: 10_000,
  ackDeadlineMs: 3000,
  // Block Kit confirm dialogs ask before a press is delivered.
  nativeConfirmDialogs: true,
  // The core pages status messages: 40 folded rows plus the fixed blocks stay under 50 blocks.
  maxRowsPerPage: 40,
};

/**
 * Upper bound on one Web API call. Commands wait for the user-group list (usergroups.list) before
 * they reach the core, so a slow Slack must not hold them for long; a call that times out fails as
 * a transient error and the core's scheduler decides about retrying.
 */
export const WEB_API_TIMEOUT_MS = 5000;
/**
 * A post that times out after sending may still have been made, and is then a message the bot never
 * edits (see PostUnconfirmedError): a slow Slack is waited for, up to half a minute. A slash
 * command's answer may come that late (its response_url lasts 30 minutes).
 */
export const WEB_API_POST_TIMEOUT_MS = 30_000;

const STALE_MENU_NOTICE = 'This menu is out of date; the status message will refresh on the next change.';

export function createSlackAdapter(config: SlackConfig, deps: SlackAdapterDeps = {}): SlackAdapter {
  const rootLog = deps.logger ?? silentLogger();
  const log = rootLog.child({ component: 'slack' });
  const now = deps.now ?? Date.now;
  const postResponseUrl = deps.postResponseUrl ?? defaultPostResponseUrl;
  // A child of `log` would carry `component` twice (pino repeats a key set by parent and child).
  const sdkLogger = boltLogger(rootLog.child({ component: 'slack-sdk' }));
  const timeoutMs = deps.webApiTimeoutMs ?? WEB_API_TIMEOUT_MS;
  const clientOptions = webClientOptions(config, timeoutMs);
  const receiver = buildReceiver(config, sdkLogger, timeoutMs, deps.clientPingTimeoutMs !== undefined ? { clientPingTimeoutMs: deps.clientPingTimeoutMs } : {});
  // `authorize` instead of `token`: with a token Bolt runs its own auth.test at init, unretried, and
  // caches a failed one for every later event. The bot's ids come from SlackWebApi's auth.test.
  const app = new App({
    authorize: async () => ({ botToken: config.botToken, ...api.botIdentity() }),
    receiver,
    logger: sdkLogger,
    clientOptions,
    deferInitialization: true,
    convoStore: false,
  });
  const postTimeoutMs = deps.webApiPostTimeoutMs ?? WEB_API_POST_TIMEOUT_MS;
  const api = new SlackWebApi(new webApi.WebClient(config.botToken, { ...clientOptions, logger: sdkLogger }), {
    postClient: new webApi.WebClient(config.botToken, { ...webClientOptions(config, postTimeoutMs), logger: sdkLogger }),
    clock: deps.clock ?? systemClock,
    retry: deps.webApiRetry ?? DEFAULT_RETRY_POLICY,
    logger: log,
    onDead: (reason) => {
      log.error({ reason }, `Slack refuses the bot token (${reason}): the Slack adapter is down and makes no more Slack calls; reinstall the app or set a new SLACK_BOT_TOKEN, then restart`);
    },
  });
  const interactions = new InteractionRegistry({ now, maxEntries: 10_000 });
  const drawn = new DrawnStatusViews(5_000);
  const dmChannels = new Map<string, string>();
  const groups = new UserGroupCache({
    fetchGroups: () => api.userGroups(),
    now,
    ttlMs: deps.userGroupTtlMs ?? 5 * 60_000,
    failureBackoffMs: 60_000,
    logger: log,
  });
  let inbound: InboundHandlers | undefined;
  let server: Server | undefined;
  let state: 'idle' | 'started' | 'stopped' = 'idle';

  const render = (view: View): RenderedMessage => renderView(view);

  async function actorFor(userId: string, displayName: string): Promise<Actor> {
    return { platform: PLATFORM, userId, displayName, groups: await groups.groupsOf(userId) };
  }

  function conversationOf(channelId: string, teamId: string | undefined): Conversation {
    return teamId !== undefined ? { platform: PLATFORM, id: channelId, workspace: teamId } : { platform: PLATFORM, id: channelId };
  }

  /** Acks at once; the core's own `ack()` then resolves with that same acknowledgement. */
  function ackNow(ack: () => Promise<void>): () => Promise<void> {
    const acked = ack();
    acked.catch((err: unknown) => log.warn({ detail: err instanceof Error ? err.message : String(err) }, 'ack failed'));
    return () => acked;
  }

  async function deliver(kind: 'command' | 'action', run: (handlers: InboundHandlers) => Promise<void>): Promise<void> {
    if (inbound === undefined) return;
    try {
      await run(inbound);
    } catch (err) {
      log.error({ kind, detail: err instanceof Error ? err.message : String(err) }, 'inbound handler failed');
    }
  }

  // Only the command the manifest declares: another app's command routed here is not ours to answer.
  app.command(SLASH_COMMAND, async ({ command, ack }) => {
    const coreAck = ackNow(() => ack());
    const interaction: Interaction = {
      platform: PLATFORM,
      id: interactions.register({ responseUrl: command.response_url, channelId: command.channel_id, userId: command.user_id, onEphemeral: false }),
    };
    const ctx: InboundContext = {
      actor: await actorFor(command.user_id, command.user_name),
      conversation: conversationOf(command.channel_id, command.team_id),
      interaction,
      message: undefined,
      ack: coreAck,
    };
    // Slack HTML-escapes command text; the core must see what the person typed (`Q&A`, not `Q&amp;A`).
    await deliver('command', (h) => h.command(ctx, unescapeSlackText(command.text).trim()));
  });

  app.action<BlockAction>({ type: 'block_actions' }, async ({ ack, body, action }) => {
    const coreAck = ackNow(() => ack());
    const actionId = actionIdOf(action);
    const channelId = body.channel?.id;
    if (actionId === undefined || channelId === undefined) return;
    const ref = messageRefOf(body);
    const asked = askFirstTarget(actionId);
    if (asked !== undefined) {
      await askFirst(ref, asked, body.response_url);
      return;
    }
    const interaction: Interaction = {
      platform: PLATFORM,
      id: interactions.register({ responseUrl: body.response_url, channelId, userId: body.user.id, onEphemeral: isOnEphemeral(body) }),
    };
    const ctx: InboundContext = {
      actor: await actorFor(body.user.id, displayNameOf(body)),
      conversation: conversationOf(channelId, body.team?.id ?? body.user.team_id),
      interaction,
      message: ref,
      ack: coreAck,
    };
    await deliver('action', (h) => h.action(ctx, actionId));
  });

  subscribeAppEvents(app, { api, home: deps.home, actorFor, log });

  app.error(async (err) => {
    log.error({ code: err.code, detail: err.message }, 'Slack SDK error');
  });

  /**
   * A menu option standing for a button with a confirm dialog (Kick in a folded row) was chosen:
   * answer, to the chooser only, with that button and its dialog, so the action still takes the
   * same confirmation as the unfolded button. The core sees only the press of that button.
   */
  async function askFirst(ref: MessageRef | undefined, actionId: string, responseUrl: string): Promise<void> {
    const remembered = ref !== undefined ? drawn.get(ref) : undefined;
    const button = remembered?.rows.flatMap((row) => row.buttons).find((b) => b.id === actionId && b.confirm !== undefined);
    let body: Record<string, unknown> = { response_type: 'ephemeral', replace_original: false, text: STALE_MENU_NOTICE };
    if (button?.confirm !== undefined) {
      const rendered = render(confirmReply(button, button.confirm));
      body = { response_type: 'ephemeral', replace_original: false, text: rendered.text, blocks: rendered.blocks };
    }
    await postResponseUrl(responseUrl, body)
      .catch((err: unknown) => log.warn({ detail: err instanceof Error ? err.message : String(err) }, 'confirm prompt failed'));
  }

  async function draw(ref: MessageRef, view: View): Promise<void> {
    const rendered = render(view);
    if (view.kind === 'status') drawn.set(ref, view);
    else drawn.delete(ref);
    await api.update({ channel: ref.conversation, ts: ref.id, text: rendered.text, blocks: rendered.blocks });
  }

  async function postTo(channel: string, view: View): Promise<MessageRef> {
    const rendered = render(view);
    const posted = await api.postMessage({ channel, text: rendered.text, blocks: rendered.blocks }).catch((err: unknown) => {
      throw err instanceof PostUnconfirmedError && view.kind === 'status' ? err.forStatus() : err;
    });
    const ref: MessageRef = { platform: PLATFORM, conversation: posted.channel, id: posted.ts };
    if (view.kind === 'status') drawn.set(ref, view);
    return ref;
  }

  /**
   * auth.test at start, retried by the Web API layer. A token Slack refuses stops the start; a Slack
   * that stays unreachable does not: the bot starts with the manifest's @name and says so.
   */
  async function learnBotHandle(): Promise<void> {
    try {
      await api.learnBotHandle();
    } catch (err) {
      const slackBusy = err instanceof PlatformRateLimitedError || (err instanceof PlatformError && err.transient && !(err instanceof TokenRevokedError));
      if (!slackBusy) throw err;
      log.warn({ detail: err.message }, 'Slack did not answer auth.test; starting anyway and calling the bot by its manifest name');
    }
  }

  async function dmChannel(user: string): Promise<string> {
    const known = dmChannels.get(user);
    if (known !== undefined) return known;
    const channel = await api.openDm(user);
    dmChannels.set(user, channel);
    return channel;
  }

  const replyWith = createReplier({ interactions, api, postResponseUrl, dmChannel, log });

  return {
    name: PLATFORM,
    limits: SLACK_LIMITS,

    async start(handlers: InboundHandlers): Promise<void> {
      if (state !== 'idle') throw new PlatformError('Slack', `start() called while ${state}`, false);
      inbound = handlers;
      await app.init();
      await learnBotHandle();
      if (receiver instanceof HTTPReceiver) {
        const listen = deps.httpHost !== undefined ? { port: config.port, host: deps.httpHost } : { port: config.port };
        server = (await app.start(listen)) as Server;
        log.info({ port: (server.address() as AddressInfo).port }, 'Slack HTTP receiver listening');
      } else {
        await app.start();
        log.info('Slack Socket Mode connected');
      }
      state = 'started';
    },

    async stop(): Promise<void> {
      if (state !== 'started') {
        state = 'stopped';
        return;
      }
      state = 'stopped';
      inbound = undefined;
      if (receiver instanceof SocketModeReceiver) {
        // The receiver's own stop() neither waits for the socket to close nor stops a reconnect.
        await stopSocketMode(receiver);
      } else {
        await app.stop();
      }
      server = undefined;
    },

    post(conversation: Conversation, view: View): Promise<MessageRef> {
      return postTo(conversation.id, view);
    },

    async update(ref: MessageRef, view: View): Promise<void> {
      // Down: edits stop quietly, or every room change would log one more failure.
      if (api.deadReason() !== undefined) return;
      try {
        await draw(ref, view);
      } catch (err) {
        if (isBotError(err, 'message_gone')) drawn.delete(ref);
        throw err;
      }
    },

    reply(interaction: Interaction, view: View, options: ReplyOptions): Promise<void> {
      return replyWith(interaction, render(view), options);
    },

    async postThreadNote(ref: MessageRef, text: string, note?: ActionNote): Promise<void> {
      if (api.deadReason() !== undefined) return;
      await api.postMessage({ channel: ref.conversation, thread_ts: ref.id, text: threadNoteText(text, note) });
    },

    async postAlert(target: AlertTarget, view: View): Promise<MessageRef> {
      const channel = 'channel' in target ? target.channel : await dmChannel(target.user);
      return postTo(channel, view);
    },

    isReady(): boolean {
      return state === 'started' && api.deadReason() === undefined;
    },

    downReason(): string | undefined {
      return api.deadReason();
    },

    httpPort(): number | undefined {
      const address = server?.address();
      return typeof address === 'object' && address !== null ? address.port : undefined;
    },
  };
}

/** The question a folded confirm button asks, with the button itself to press. */
function confirmReply(button: ButtonView, confirm: NonNullable<ButtonView['confirm']>): ReplyView {
  return {
    kind: 'reply', tone: 'warning', title: confirm.title, text: confirm.text, table: undefined, link: undefined, buttons: [button], correlationId: undefined,
  };
}
