import { afterEach, describe, expect, it } from 'vitest';
import type { InboundHandlers } from '../../../src/core/adapter.ts';
import { createSlackAdapter, type SlackAdapter } from '../../../adapters/slack/index.ts';
import { FakeSlack } from '../fake-slack/server.ts';
import { slashCommand } from '../fake-slack/payloads.ts';
import { socketConfig } from './harness.ts';

/** The Socket Mode connection across drops, Slack failures and a stop during a reconnect. */

/** Handlers that hand each command's text to `heard`. */
function commandsInto(heard: (text: string) => void): InboundHandlers {
  return {
    command: async (ctx, text) => {
      await ctx.ack('private');
      heard(text);
    },
    action: async (ctx) => {
      await ctx.ack('private');
    },
  };
}

/** The reasons of the promise rejections nobody handled while `run` ran. */
async function unhandledRejectionsDuring(run: () => Promise<void>): Promise<unknown[]> {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    rejections.push(reason);
  };
  process.on('unhandledRejection', onRejection);
  try {
    await run();
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  return rejections;
}

describe('Slack Socket Mode connection', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;

  async function setup(heard: (text: string) => void = () => undefined): Promise<void> {
    fake = await FakeSlack.start();
    // A short ping timeout makes the SDK reconnect a dropped socket after 200 ms instead of 5 s.
    adapter = createSlackAdapter(socketConfig(fake), { clientPingTimeoutMs: 200 });
    await adapter.start(commandsInto(heard));
  }

  afterEach(async () => {
    await adapter.stop();
    await fake.close();
  });

  it('reconnects a dropped socket although apps.connections.open answers 503 once, and hears commands again', async () => {
    let heard: (text: string) => void = () => undefined;
    const command = new Promise<string>((resolve) => {
      heard = resolve;
    });
    await setup((text) => heard(text));
    fake.failNext('apps.connections.open', { kind: 'http', status: 503 });
    fake.dropSockets();
    await fake.socketConnectedTimes(2);
    expect(fake.callsTo('apps.connections.open')).toHaveLength(3);
    await fake.deliver('slash_commands', slashCommand('list', fake.responseUrl()));
    expect(await command).toBe('list');
  });

  it('drops its socket and opens a new one after the process stalls past the pong timeout', async () => {
    await setup();
    // Pongs have come in, so the SDK times its check from the last one.
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A stall such as a heap snapshot: the SDK's next check finds the last pong too old and closes
    // the socket without waiting for an answer to the ping it sends with that check. (If a pong
    // was already on its way when the stall began, it is read first and saves the link: stall again.)
    for (let attempt = 0; attempt < 5 && fake.socketConnections < 2; attempt++) {
      const until = Date.now() + 600;
      while (Date.now() < until) Math.sqrt(until);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    await fake.socketConnectedTimes(2);
    expect(fake.socketConnections).toBe(2);
  });

  it('stops without an unhandled rejection while a reconnect waits for Slack to say hello', async () => {
    await setup();
    const rejections = await unhandledRejectionsDuring(async () => {
      fake.dropSockets();
      // The new socket is open at the fake; the SDK has not read its hello yet.
      await fake.socketConnectedTimes(2);
      await adapter.stop();
      await fake.socketsClosed();
      await new Promise((resolve) => setTimeout(resolve, 100));
    });
    expect(rejections).toEqual([]);
  });

  it('stops without an unhandled rejection after a reconnect failed while opening its socket', async () => {
    await setup();
    const rejections = await unhandledRejectionsDuring(async () => {
      fake.refuseNextSockets(1);
      fake.dropSockets();
      // The failed attempt's promise still waits on 'disconnected'; the SDK waits before the next one.
      await fake.socketRefusedTimes(1);
      await adapter.stop();
      await new Promise((resolve) => setTimeout(resolve, 600));
    });
    expect(rejections).toEqual([]);
    expect(fake.socketConnections).toBe(1);
  });

  it('stays stopped when stop() races a reconnect that is still waiting on apps.connections.open', async () => {
    await setup();
    fake.failNext('apps.connections.open', { kind: 'http', status: 503 });
    fake.dropSockets();
    // The reconnect has met the 503 and waits to retry when the bot is stopped.
    await fake.waitForCalls('apps.connections.open', 2);
    await adapter.stop();
    // The retried call still succeeds and the SDK opens a socket: it must be closed again at once.
    await fake.socketOpenedTimes(2);
    await fake.socketsClosed();
    expect(fake.socketConnections).toBe(2);
  });
});
