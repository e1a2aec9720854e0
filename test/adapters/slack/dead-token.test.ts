import { afterEach, describe, expect, it } from 'vitest';
import type { InboundHandlers } from '../../../src/core/adapter.ts';
import { createLogger } from '../../../src/log.ts';
import { createSlackAdapter, type SlackAdapter } from '../../../adapters/slack/index.ts';
import { TokenRevokedError } from '../../../adapters/slack/errors.ts';
import { FakeSlack } from '../fake-slack/server.ts';
import { ALICE } from '../fake-slack/payloads.ts';
import { statusView } from '../views.ts';
import { socketConfig } from './harness.ts';

/** Once Slack says the bot token is dead, the adapter is down and stops calling Slack. */

const idle: InboundHandlers = { command: (ctx) => ctx.ack('private'), action: (ctx) => ctx.ack('private') };

interface LogLine { readonly level: number; readonly msg: string }

describe('Slack adapter with a dead bot token', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  let lines: LogLine[];

  async function setup(): Promise<void> {
    fake = await FakeSlack.start();
    lines = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } });
    adapter = createSlackAdapter(socketConfig(fake), { logger });
    await adapter.start(idle);
  }

  afterEach(async () => {
    await adapter.stop();
    await fake.close();
  });

  const downLines = (): LogLine[] => lines.filter((l) => l.msg.startsWith('Slack refuses the bot token'));

  for (const error of ['invalid_auth', 'token_revoked', 'account_inactive']) {
    it(`marks itself down after ${error}, says so in one log line, and makes no further calls`, async () => {
      await setup();
      const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
      expect(adapter.isReady()).toBe(true);
      fake.failNext('chat.update', { kind: 'error', error });
      await expect(adapter.update(ref, statusView('200'))).rejects.toBeInstanceOf(TokenRevokedError);
      expect(adapter.isReady()).toBe(false);
      expect(adapter.downReason()).toBe(error);
      // Edits and thread notes stop quietly; a new post says why it cannot be made.
      const callsBefore = fake.calls.length;
      await adapter.update(ref, statusView('200'));
      await adapter.postThreadNote(ref, 'alice muted Tim');
      await expect(adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('201'))).rejects.toBeInstanceOf(TokenRevokedError);
      expect(fake.calls.length).toBe(callsBefore);
      expect(downLines()).toHaveLength(1);
    });
  }

  it('goes down on the tokens_revoked event, before any call fails', async () => {
    await setup();
    await fake.deliverEvent({ type: 'tokens_revoked', tokens: { bot: ['U0BOT'] }, event_ts: '1700000000.000100' });
    await waitUntil(() => !adapter.isReady());
    expect(adapter.downReason()).toBe('tokens_revoked');
    const callsBefore = fake.calls.length;
    await expect(adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'))).rejects.toBeInstanceOf(TokenRevokedError);
    expect(fake.calls.length).toBe(callsBefore);
  });

  it('goes down on the app_uninstalled event', async () => {
    await setup();
    await fake.deliverEvent({ type: 'app_uninstalled', event_ts: '1700000000.000100' });
    await waitUntil(() => !adapter.isReady());
    expect(adapter.downReason()).toBe('app_uninstalled');
    expect(downLines()).toHaveLength(1);
  });
});

/** Polls a condition the adapter reaches after acknowledging an event (the ack comes first). */
async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}
