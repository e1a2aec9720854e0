import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeSlack, SocketClosedError } from './adapters/fake-slack/server.ts';

/**
 * The soak delivers a Slack command or press about every second for as long as it runs: the fake
 * must forget each envelope once acknowledged (it kept a listener and the ack, payload included,
 * for every envelope ever sent, which grew the soak's heap).
 */

let fake: FakeSlack | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A Socket Mode client that acknowledges every envelope with a payload, or none. */
async function client(slack: FakeSlack, acks: boolean): Promise<WebSocket> {
  const ws = new WebSocket(slack.apiUrl.replace(/^http/, 'ws').replace(/\/api\/$/, '/socket'));
  ws.on('message', (data) => {
    const envelope = JSON.parse(String(data)) as { envelope_id?: string };
    if (acks && envelope.envelope_id !== undefined) ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'x'.repeat(1000) } }));
  });
  await Promise.all([once(ws, 'open'), slack.socketConnected()]);
  return ws;
}

describe('fake Slack Socket Mode envelopes', () => {
  it('keep nothing of an envelope once it is acknowledged', async () => {
    fake = await FakeSlack.start();
    const ws = await client(fake, true);
    for (let i = 0; i < 200; i++) {
      const ack = await fake.deliver('slash_commands', { command: '/meetme', text: 'list' });
      expect(ack.payload).toBeDefined();
    }
    expect(fake.unacknowledged).toBe(0);
    ws.close();
    await once(ws, 'close');
  });

  it('forget envelopes sent to a socket that closed before acknowledging them, and fail their delivery', async () => {
    fake = await FakeSlack.start();
    const ws = await client(fake, false);
    const sent = fake.deliver('interactive', { type: 'block_actions' });
    expect(fake.unacknowledged).toBe(1);
    ws.terminate();
    await expect(sent).rejects.toBeInstanceOf(SocketClosedError);
    expect(fake.unacknowledged).toBe(0);
  });
});
