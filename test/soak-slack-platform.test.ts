import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startSlackPlatform } from '../bench/soak/fake-slack-platform.ts';
import type { ActionWorld, FakePlatform, PendingAction } from '../bench/soak/platform.ts';
import type { FakeSlack } from './adapters/fake-slack/server.ts';

/**
 * The soak's Slack hands commands to the bot as Slack does. One it could not hand over (no Socket
 * Mode connection, or the connection closed first) is an error Slack shows the person: counted apart
 * from lost actions once the bot's link is back. One the bot never acknowledged stays lost, and a
 * late acknowledgement is counted.
 */

const rates = { rateLimited: 0, serverError: 0, retryAfterSec: 1 };
const world: ActionWorld = { rooms: ['5000'], pickCaller: () => undefined, effect: () => false, callerState: () => 'not in the room' };
/** A random source that makes `act` type `list` (first user, first channel, a command, the first room). */
const typesList = (): (() => number) => {
  const rolls = [0, 0, 0.9, 0, 0.1];
  return () => rolls.shift() ?? 0;
};

let started: { fake: FakeSlack; platform: FakePlatform } | undefined;
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const ws of clients.splice(0)) ws.terminate();
  await started?.platform.close();
  started = undefined;
});

/** A Socket Mode client that acknowledges each envelope after `ackAfterMs` with an answer, or never. */
async function client(fake: FakeSlack, ackAfterMs: number | undefined): Promise<WebSocket> {
  const ws = new WebSocket(fake.apiUrl.replace(/^http/, 'ws').replace(/\/api\/$/, '/socket'));
  clients.push(ws);
  ws.on('message', (data) => {
    const envelope = JSON.parse(String(data)) as { envelope_id?: string };
    if (ackAfterMs === undefined || envelope.envelope_id === undefined) return;
    setTimeout(() => ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'done' } })), ackAfterMs);
  });
  await Promise.all([once(ws, 'open'), fake.socketConnected()]);
  return ws;
}

const waitUntil = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
};
const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function act(platform: FakePlatform): PendingAction {
  const action = platform.act(typesList(), world);
  if (action === undefined) throw new Error('no action');
  return action;
}

describe('soak Slack platform', () => {
  it('counts a command typed while no bot is connected as an error Slack showed, once the bot is back', async () => {
    started = await startSlackPlatform(rates, () => 0.5);
    const action = act(started.platform);
    await tick(50);
    expect(action.failedOnPlatform?.()).toBe(false);
    await client(started.fake, undefined);
    expect(action.failedOnPlatform?.()).toBe(true);
    expect(action.settled()).toBe(false);
  });

  it('counts a command whose connection closed before its acknowledgement as an error Slack showed, once the bot is back', async () => {
    started = await startSlackPlatform(rates, () => 0.5);
    const first = await client(started.fake, undefined);
    const action = act(started.platform);
    first.terminate();
    await started.fake.socketsClosed();
    await tick(20);
    expect(action.failedOnPlatform?.()).toBe(false);
    await client(started.fake, undefined);
    expect(action.failedOnPlatform?.()).toBe(true);
  });

  it('leaves a command the bot never acknowledged on an open connection to be counted lost', async () => {
    started = await startSlackPlatform(rates, () => 0.5, { ackDeadlineMs: 50 });
    await client(started.fake, undefined);
    const action = act(started.platform);
    await tick(150);
    expect(action.failedOnPlatform?.()).toBe(false);
    expect(action.settled()).toBe(false);
  });

  it('counts an acknowledgement after the deadline, and still takes its answer', async () => {
    started = await startSlackPlatform(rates, () => 0.5, { ackDeadlineMs: 50 });
    await client(started.fake, 100);
    const action = act(started.platform);
    await waitUntil(() => action.settled());
    expect(started.platform.lateAcknowledgements?.()).toBe(1);
    expect(action.failedOnPlatform?.()).toBe(false);
  });

  it('counts an acknowledgement in time as answered and not late', async () => {
    started = await startSlackPlatform(rates, () => 0.5);
    await client(started.fake, 0);
    const action = act(started.platform);
    await waitUntil(() => action.settled());
    expect(started.platform.lateAcknowledgements?.()).toBe(0);
    expect(action.failedOnPlatform?.()).toBe(false);
  });
});
