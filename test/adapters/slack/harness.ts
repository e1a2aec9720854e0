import type { Conversation, MessageRef } from '../../../src/core/adapter.ts';
import type { SlackConfig } from '../../../src/config.ts';
import { createSlackAdapter, type SlackAdapter, type SlackAdapterDeps } from '../../../adapters/slack/index.ts';
import type { AdapterHarness } from '../contract.ts';
import { FakeSlack } from '../fake-slack/server.ts';
import { ALICE, blockActions, slashCommand } from '../fake-slack/payloads.ts';
import { visibleText } from '../fake-slack/visible-text.ts';

/** A Slack adapter in Socket Mode wired to a fresh fake Slack, driven like a person would. */

export interface SlackHarness extends AdapterHarness {
  readonly adapter: SlackAdapter;
  readonly fake: FakeSlack;
  /** Presses the element whose value (or overflow option) is `actionId` on the stored message. */
  readonly pressButton: (ref: MessageRef, actionId: string) => Promise<void>;
}

export function socketConfig(fake: FakeSlack, overrides: Partial<SlackConfig> = {}): SlackConfig {
  return { mode: 'socket', botToken: fake.botToken, appToken: fake.appToken, port: 0, apiUrl: fake.apiUrl, ...overrides };
}

/** Finds the element on a stored message that carries `actionId`, as Slack would send it back. */
export function findElement(fake: FakeSlack, ts: string, actionId: string): 'button' | 'overflow' {
  const message = fake.messages.get(ts);
  if (message === undefined) throw new Error(`no message ${ts} on the fake`);
  const json = JSON.stringify(message.blocks);
  const button = json.includes(`"value":${JSON.stringify(actionId)}`);
  if (!button) throw new Error(`message ${ts} has no element carrying ${actionId}`);
  const overflowOption = new RegExp(`"options":\\[[^\\]]*"value":${JSON.stringify(actionId).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  return overflowOption.test(json) ? 'overflow' : 'button';
}

export async function makeSlackHarness(deps: SlackAdapterDeps = {}): Promise<SlackHarness> {
  const fake = await FakeSlack.start();
  const adapter = createSlackAdapter(socketConfig(fake), deps);
  const conversation: Conversation = { platform: 'slack', id: ALICE.channelId, workspace: ALICE.teamId };
  return {
    adapter,
    fake,
    conversation,
    async sendCommand(text: string): Promise<void> {
      await fake.deliver('slash_commands', slashCommand(text, fake.responseUrl()));
    },
    async pressButton(ref: MessageRef, actionId: string): Promise<void> {
      const element = findElement(fake, ref.id, actionId);
      await fake.deliver('interactive', blockActions({ value: actionId, messageTs: ref.id, responseUrl: fake.responseUrl(), element }));
    },
    async visibleText(): Promise<string> {
      const parts: string[] = [];
      for (const message of fake.messages.values()) parts.push(visibleText(message.blocks, message.text));
      for (const response of fake.responses) {
        const blocks = Array.isArray(response.body['blocks']) ? (response.body['blocks'] as unknown[]) : [];
        parts.push(visibleText(blocks, String(response.body['text'] ?? '')));
      }
      for (const call of fake.callsTo('chat.postEphemeral')) {
        const blocks = Array.isArray(call.params['blocks']) ? (call.params['blocks'] as unknown[]) : [];
        parts.push(visibleText(blocks, String(call.params['text'] ?? '')));
      }
      return parts.join('\n');
    },
    close: () => fake.close(),
    async deleteMessage(ref: MessageRef): Promise<MessageRef> {
      fake.deleteMessage(ref.id);
      return ref;
    },
    async visibleToOthers(): Promise<string> {
      const parts: string[] = [];
      for (const message of fake.messages.values()) parts.push(visibleText(message.blocks, message.text));
      for (const response of fake.responses) {
        if (response.body['response_type'] !== 'in_channel') continue;
        const blocks = Array.isArray(response.body['blocks']) ? (response.body['blocks'] as unknown[]) : [];
        parts.push(visibleText(blocks, String(response.body['text'] ?? '')));
      }
      return parts.join('\n');
    },
    rateLimitNextEdit(retryAfterMs: number): void {
      fake.failNext('chat.update', { kind: 'ratelimited', retryAfterSec: retryAfterMs / 1000 });
    },
  };
}
