import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startSlackPlatform } from '../bench/soak/fake-slack-platform.ts';
import type { ActionWorld, FakePlatform, PendingAction } from '../bench/soak/platform.ts';
import type { FakeSlack } from './adapters/fake-slack/server.ts';

/**
 * The soak's Slack hands commands to the bot as Slack does: an envelope not acknowledged within the
 * deadline, or one Slack could not hand over, is an error Slack shows the person, counted apart
 * from lost actions.
 */

const rates = { rateLimited: 0, serverError: 0, retryAfterSec: 1 };
const world: ActionWorld = { rooms: ['5000'], pickCaller: () => undefined, effect: () => false, callerState: () => 'not in the room' };
/** A random source that makes `act` type `list` (first user, first channel, a command, the first room). */
const typesList = (): (() => number) => {
  const rolls = [0, 0, 0.9, 0, 0.1];
  return () => rolls.shift() ?? 0;
};

let started: { fake: FakeSlack; platform: FakePlatform } | undefined;
afterEach(async () => {
  await started?.platform.close();
  started = undefined;
});

/** A Socket Mode client that acknowledges each envelope, with an answer, or never. */
async function client(fake: FakeSlack, acks: boolean): Promise<WebSocket> {
  const ws = new WebSocket(fake.apiUrl.replace(/^http/, 'ws').replace(/\/api\/$/, '/socket'));
  ws.on('message', (data) => {
    const envelope = JSON.parse(String(data)) as { envelope_id?: string };
    if (acks && envelope.envelope_id !== undefined) ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'done' } }));
  });
  await Promise.all([once(ws, 'open'), fake.socketConnected()]);
  return ws;
}

const waitUntil = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
};

function act(platform: FakePlatform): PendingAction {
  const action = platform.act(typesList(), world);
  if (action === undefined) throw new Error('no action');
  return action;
}

describe('soak Slack platform', () => {
  it('counts a command typed while no bot is connected as an error Slack showed, not as answered', async () => {
    started = await startSlackPlatform(rates, () => 0.5, { ackDeadlineMs: 50 });
    const action = act(started.platform);
    await waitUntil(() => action.failedOnPlatform?.() === true);
    expect(action.settled()).toBe(false);
  });

  it('counts a command the bot did not acknowledge within the deadline as an error Slack showed', async () => {
    started = await startSlackPlatform(rates, () => 0.5, { ackDeadlineMs: 50 });
    const ws = await client(started.fake, false);
    const action = act(started.platform);
    expect(action.failedOnPlatform?.()).toBe(false);
    await waitUntil(() => action.failedOnPlatform?.() === true);
    expect(action.settled()).toBe(false);
    ws.terminate();
  });

  it('counts a command acknowledged with an answer in time as answered', async () => {
    started = await startSlackPlatform(rates, () => 0.5, { ackDeadlineMs: 1000 });
    const ws = await client(started.fake, true);
    const action = act(started.platform);
    await waitUntil(() => action.settled());
    expect(action.failedOnPlatform?.()).toBe(false);
    ws.terminate();
  });
});
