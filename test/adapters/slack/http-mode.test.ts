import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundContext, InboundHandlers } from '../../../src/core/adapter.ts';
import { createSlackAdapter, type SlackAdapter } from '../../../adapters/slack/index.ts';
import { FakeSlack } from '../fake-slack/server.ts';
import { blockActions, formBody, interactiveBody, signatureHeaders, slashCommand } from '../fake-slack/payloads.ts';

const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

describe('Slack adapter in HTTP mode (real signed requests)', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  let url: string;
  const delivered: { kind: string; value: string; ctx: InboundContext }[] = [];
  let onDelivered: (() => void) | undefined;
  /** HTTP 200 is the ack, sent before the core runs: wait for the delivery itself. */
  const nextDelivery = (): Promise<void> => new Promise((resolve) => { onDelivered = resolve; });

  beforeAll(async () => {
    fake = await FakeSlack.start();
    adapter = createSlackAdapter(
      { mode: 'http', botToken: fake.botToken, signingSecret: SIGNING_SECRET, port: 0, apiUrl: fake.apiUrl },
      { httpHost: '127.0.0.1' },
    );
    const handlers: InboundHandlers = {
      command: async (ctx, value) => {
        delivered.push({ kind: 'command', value, ctx });
        onDelivered?.();
        await ctx.ack('private');
      },
      action: async (ctx, value) => {
        delivered.push({ kind: 'action', value, ctx });
        onDelivered?.();
        await ctx.ack('private');
      },
    };
    await adapter.start(handlers);
    url = `http://127.0.0.1:${adapter.httpPort() ?? 0}/slack/events`;
  });

  afterAll(async () => {
    await adapter.stop();
    await fake.close();
  });

  const nowSec = (): number => Math.floor(Date.now() / 1000);

  async function post(body: string, headers: Record<string, string>): Promise<number> {
    const res = await fetch(url, { method: 'POST', headers, body });
    await res.arrayBuffer();
    return res.status;
  }

  it('serves a correctly signed slash command and acks it with 200', async () => {
    const body = formBody(slashCommand('rooms', fake.responseUrl()));
    const delivery = nextDelivery();
    expect(await post(body, signatureHeaders(SIGNING_SECRET, body, nowSec()))).toBe(200);
    await delivery;
    expect(delivered.at(-1)).toMatchObject({ kind: 'command', value: 'rooms' });
  });

  it('serves a correctly signed block_actions payload and acks it with 200', async () => {
    const body = interactiveBody(blockActions({ value: 'v1:mute:2', messageTs: '1700000000.000001', responseUrl: fake.responseUrl() }));
    const delivery = nextDelivery();
    expect(await post(body, signatureHeaders(SIGNING_SECRET, body, nowSec()))).toBe(200);
    await delivery;
    expect(delivered.at(-1)).toMatchObject({ kind: 'action', value: 'v1:mute:2' });
  });

  it('refuses a request signed with another secret', async () => {
    const before = delivered.length;
    const body = formBody(slashCommand('kick 200 1', fake.responseUrl()));
    expect(await post(body, signatureHeaders('not-the-secret', body, nowSec()))).toBe(401);
    expect(delivered).toHaveLength(before);
  });

  it('refuses a body changed after signing', async () => {
    const before = delivered.length;
    const body = formBody(slashCommand('help', fake.responseUrl()));
    const headers = signatureHeaders(SIGNING_SECRET, body, nowSec());
    expect(await post(body.replace('help', 'kick+200+1'), headers)).toBe(401);
    expect(delivered).toHaveLength(before);
  });

  it('refuses a correctly signed request whose timestamp is older than 5 minutes', async () => {
    const before = delivered.length;
    const body = formBody(slashCommand('rooms', fake.responseUrl()));
    expect(await post(body, signatureHeaders(SIGNING_SECRET, body, nowSec() - 6 * 60))).toBe(401);
    expect(delivered).toHaveLength(before);
  });
});
