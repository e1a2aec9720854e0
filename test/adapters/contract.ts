import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ChatAdapter, Conversation, InboundContext, InboundHandlers, MessageRef,
} from '../../src/core/adapter.ts';
import type { RoleGrant } from '../../src/config.ts';
import { decodeAction } from '../../src/core/actions.ts';
import { MessageGoneError, PlatformRateLimitedError } from '../../src/core/adapter-errors.ts';
import { Bot } from '../../src/core/bot.ts';
import { CONFIRMATION_TTL_MS } from '../../src/core/confirmation.ts';
import { FakeBackend, FakeDirectory, participant, room, T0 } from '../core/fakes.ts';
import { replyView, statusView } from './views.ts';

/**
 * The behaviour every chat adapter shares, run against each one (shell, Slack on its fake API,
 * Discord on its fake). An adapter plugs in through a harness that drives its platform the way a
 * person would: type the slash command, press a button, look at the screen.
 */

export interface AdapterHarness {
  readonly adapter: ChatAdapter;
  /** Where the test user types; `post` in the tests goes here too. */
  readonly conversation: Conversation;
  /**
   * Delivers `/meetme <text>` from the test user. Resolves once the platform has its answer to the
   * delivery (the ack on Slack and Discord; the finished command on the shell).
   */
  sendCommand(text: string): Promise<void>;
  /** Presses a button carrying `actionId` on message `ref`, the way a person would. */
  readonly pressButton: (ref: MessageRef, actionId: string) => Promise<void>;
  /** Everything the test user can see now, as plain text: messages as last edited, and replies. */
  visibleText(): Promise<string>;
  /** Stops the platform side (fake servers, streams). The suite stops the adapter itself. */
  close(): Promise<void>;
  /**
   * A person deletes message `ref`; resolves with the ref the bot still holds for it. Absent where
   * nobody can delete a message (the shell: a terminal keeps nothing to delete).
   */
  deleteMessage?(ref: MessageRef): Promise<MessageRef>;
  /**
   * What another member of the conversation sees, as plain text. Absent where only one person can
   * look (the shell), so private and channel replies cannot differ.
   */
  visibleToOthers?(): Promise<string>;
  /**
   * The platform answers the next edit with a 429 and this retry delay. The status helper's scope
   * assertion plugs in here (see `rateLimitScope`).
   */
  rateLimitNextEdit?(retryAfterMs: number): void;
  /** The scope a 429 from `rateLimitNextEdit` must carry, once PlatformRateLimitedError has scopes. */
  rateLimitScope?(err: PlatformRateLimitedError): unknown;
}

export type MakeHarness = () => Promise<AdapterHarness>;

interface Delivery<T> {
  readonly ctx: InboundContext;
  readonly value: T;
  /** Settles when the handler has finished. */
  readonly done: Promise<void>;
}

type Behaviour<T> = (ctx: InboundContext, value: T) => Promise<void>;

/** Inbound handlers that record each delivery and run a per-test behaviour (ack by default). */
class RecordingHandlers implements InboundHandlers {
  onCommand: Behaviour<string> = (ctx) => ctx.ack('private');
  onAction: Behaviour<string> = (ctx) => ctx.ack('private');
  private readonly commands = new Queue<Delivery<string>>();
  private readonly actions = new Queue<Delivery<string>>();

  command(ctx: InboundContext, text: string): Promise<void> {
    const done = this.onCommand(ctx, text);
    this.commands.push({ ctx, value: text, done: done.catch(() => undefined) });
    return done;
  }

  action(ctx: InboundContext, actionId: string): Promise<void> {
    const done = this.onAction(ctx, actionId);
    this.actions.push({ ctx, value: actionId, done: done.catch(() => undefined) });
    return done;
  }

  nextCommand(): Promise<Delivery<string>> {
    return this.commands.next();
  }

  nextAction(): Promise<Delivery<string>> {
    return this.actions.next();
  }
}

class Queue<T> {
  private readonly items: T[] = [];
  private readonly waiters: ((item: T) => void)[] = [];

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter(item);
    else this.items.push(item);
  }

  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

export function runAdapterContract(name: string, makeHarness: MakeHarness): void {
  describe(`ChatAdapter contract: ${name}`, () => {
    let harness: AdapterHarness;
    let handlers: RecordingHandlers;

    beforeEach(async () => {
      harness = await makeHarness();
      handlers = new RecordingHandlers();
      await harness.adapter.start(handlers);
    });

    afterEach(async () => {
      await harness.adapter.stop();
      await harness.close();
    });

    it('delivers the text after the slash command with a platform-tagged actor and conversation', async () => {
      await harness.sendCommand('mute 200 3');
      const { ctx, value, done } = await handlers.nextCommand();
      await done;
      expect(value).toBe('mute 200 3');
      expect(ctx.actor.platform).toBe(harness.adapter.name);
      expect(ctx.actor.userId).not.toBe('');
      expect(Array.isArray(ctx.actor.groups)).toBe(true);
      expect(ctx.conversation.platform).toBe(harness.adapter.name);
      expect(ctx.conversation.id).toBe(harness.conversation.id);
      expect(ctx.interaction.platform).toBe(harness.adapter.name);
      expect(ctx.message).toBeUndefined();
    });

    it('lets the core acknowledge a command', async () => {
      let acked = false;
      handlers.onCommand = async (ctx) => {
        await ctx.ack('private');
        acked = true;
      };
      await harness.sendCommand('help');
      await (await handlers.nextCommand()).done;
      expect(acked).toBe(true);
    });

    it('shows an ephemeral reply to the user who typed the command', async () => {
      handlers.onCommand = async (ctx) => {
        await ctx.ack('private');
        await harness.adapter.reply(ctx.interaction, replyView('pong from the contract suite'), { ephemeral: true });
      };
      await harness.sendCommand('ping');
      await (await handlers.nextCommand()).done;
      expect(await harness.visibleText()).toContain('pong from the contract suite');
    });

    it('shows an in-channel reply', async () => {
      handlers.onCommand = async (ctx) => {
        await ctx.ack('private');
        await harness.adapter.reply(ctx.interaction, replyView('everyone sees this'), { ephemeral: false });
      };
      await harness.sendCommand('rooms');
      await (await handlers.nextCommand()).done;
      expect(await harness.visibleText()).toContain('everyone sees this');
    });

    it('posts a status view and returns a ref to it in the conversation', async () => {
      const ref = await harness.adapter.post(harness.conversation, statusView('contract-room-17'));
      expect(ref.platform).toBe(harness.adapter.name);
      expect(ref.conversation).toBe(harness.conversation.id);
      expect(await harness.visibleText()).toContain('contract-room-17');
    });

    it('edits a posted message in place', async () => {
      const ref = await harness.adapter.post(harness.conversation, statusView('room-before-edit'));
      await harness.adapter.update(ref, statusView('room-after-edit'));
      expect(await harness.visibleText()).toContain('room-after-edit');
    });

    it('delivers a button press with its action id and the message it sat on', async () => {
      const ref = await harness.adapter.post(harness.conversation, statusView('room-with-buttons'));
      await harness.pressButton(ref, 'v1:mute:1');
      const { ctx, value, done } = await handlers.nextAction();
      await done;
      expect(value).toBe('v1:mute:1');
      expect(ctx.message).toEqual(ref);
      expect(ctx.actor.platform).toBe(harness.adapter.name);
    });

    it('keeps delivering after a handler fails', async () => {
      handlers.onCommand = () => Promise.reject(new Error('handler blew up'));
      // An adapter may report the failure to its caller; it must not stop listening.
      await harness.sendCommand('first').catch(() => undefined);
      await (await handlers.nextCommand()).done;
      handlers.onCommand = (ctx) => ctx.ack('private');
      await harness.sendCommand('second');
      expect((await handlers.nextCommand()).value).toBe('second');
    });

    it('declares limits the core can schedule with', () => {
      const { limits } = harness.adapter;
      expect(limits.ackDeadlineMs).toBeGreaterThan(0);
      expect(limits.minEditIntervalMs).toBeGreaterThanOrEqual(0);
      expect(limits.maxButtonsPerMessage).toBeGreaterThan(0);
      expect(limits.maxTextLength).toBeGreaterThan(0);
    });

    it('accepts the ack with either reply visibility', async () => {
      handlers.onCommand = (ctx) => ctx.ack('channel');
      await harness.sendCommand('list');
      await (await handlers.nextCommand()).done;
      handlers.onCommand = (ctx) => ctx.ack('private');
      await harness.sendCommand('help');
      expect((await handlers.nextCommand()).value).toBe('help');
    });

    it('keeps a private reply from everyone else, and shows a channel reply to all', async () => {
      handlers.onCommand = async (ctx, text) => {
        await ctx.ack(text === 'secret' ? 'private' : 'channel');
        await harness.adapter.reply(ctx.interaction, replyView(`answer to ${text}`), { ephemeral: text === 'secret' });
      };
      await harness.sendCommand('secret');
      await (await handlers.nextCommand()).done;
      await harness.sendCommand('open');
      await (await handlers.nextCommand()).done;
      expect(await harness.visibleText()).toContain('answer to secret');
      const others = await harness.visibleToOthers?.();
      if (others !== undefined) {
        expect(others).toContain('answer to open');
        expect(others).not.toContain('answer to secret');
      }
    });

    it('rejects an edit of a message a person deleted with MessageGoneError', async () => {
      const ref = await harness.adapter.post(harness.conversation, statusView('room-soon-deleted'));
      const gone = await harness.deleteMessage?.(ref) ?? { ...ref, id: `${ref.id}-never-posted` };
      await expect(harness.adapter.update(gone, statusView('room-after-delete'))).rejects.toBeInstanceOf(MessageGoneError);
      expect(await harness.visibleText()).not.toContain('room-after-delete');
    });

    it('rejects an edit the platform rate-limits with its retry delay', async () => {
      if (harness.rateLimitNextEdit === undefined) return;
      const ref = await harness.adapter.post(harness.conversation, statusView('room-rate-limited'));
      harness.rateLimitNextEdit(2000);
      const err = await harness.adapter.update(ref, statusView('room-rate-limited-2')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformRateLimitedError);
      expect((err as PlatformRateLimitedError).retryAfterMs).toBe(2000);
      harness.rateLimitScope?.(err as PlatformRateLimitedError);
    });

    describe('confirmation through the core', () => {
      const MOD: RoleGrant = { role: 'moderator', users: ['*'], groups: [], pbx: '*', rooms: '*' };

      /** The real core behind the adapter, on a fake PBX with two callers in room 200. */
      function coreBehind(): { pbx: FakeBackend; clock: { now: number } } {
        const pbx = new FakeBackend('pbx1');
        pbx.add(room('200', [participant('200', 1), participant('200', 2)]));
        const clock = { now: T0 };
        const bot = new Bot({ directory: new FakeDirectory(pbx), grants: [MOD], now: () => clock.now });
        const core = bot.handlersFor(harness.adapter);
        handlers.onCommand = (ctx, text) => core.command(ctx, text);
        handlers.onAction = (ctx, id) => core.action(ctx, id);
        return { pbx, clock };
      }

      /** Posts the question the core answered with, so the harness can press its Confirm button. */
      async function askedToKickAll(): Promise<{ ref: MessageRef; confirmId: string }> {
        let asked: import('../../src/core/views.ts').View | undefined;
        const reply = harness.adapter.reply.bind(harness.adapter);
        harness.adapter.reply = async (interaction, view, options) => {
          asked = view;
          await reply(interaction, view, options);
        };
        await harness.sendCommand('kick 200 all');
        await (await handlers.nextCommand()).done;
        harness.adapter.reply = reply;
        if (asked?.kind !== 'reply') throw new Error('the core did not ask');
        const confirmId = asked.buttons.find((b) => decodeAction(b.id).kind === 'confirm')?.id;
        if (confirmId === undefined) throw new Error('no Confirm button');
        // Replies are not addressable on every platform; the question posted as a message is.
        const ref = await harness.adapter.post(harness.conversation, asked);
        return { ref, confirmId };
      }

      it('carries a Confirm press back to the core intact, which then acts', async () => {
        const { pbx } = coreBehind();
        const { ref, confirmId } = await askedToKickAll();
        expect(pbx.calls).toEqual([]);
        await harness.pressButton(ref, confirmId);
        await (await handlers.nextAction()).done;
        expect(pbx.calls).toEqual(['kick 200 all']);
        expect(await harness.visibleText()).toMatch(/Kicked .* from 200/);
      });

      it('answers a Confirm pressed after the question lapsed plainly, and does nothing', async () => {
        const { pbx, clock } = coreBehind();
        const { ref, confirmId } = await askedToKickAll();
        clock.now += CONFIRMATION_TTL_MS + 1;
        await harness.pressButton(ref, confirmId);
        await (await handlers.nextAction()).done;
        expect(pbx.calls).toEqual([]);
        expect(await harness.visibleText()).toContain('That confirmation has expired, so nothing was done.');
      });
    });

    it('stops cleanly, and a second stop is harmless', async () => {
      await harness.adapter.stop();
      await expect(harness.adapter.stop()).resolves.toBeUndefined();
    });
  });
}
