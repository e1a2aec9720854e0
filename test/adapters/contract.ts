import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ChatAdapter, Conversation, InboundContext, InboundHandlers, MessageRef,
} from '../../src/core/adapter.ts';
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

    it('stops cleanly, and a second stop is harmless', async () => {
      await harness.adapter.stop();
      await expect(harness.adapter.stop()).resolves.toBeUndefined();
    });
  });
}
