import { afterEach, describe, expect, it } from 'vitest';
import type { InboundHandlers } from '../../../src/core/adapter.ts';
import { PlatformError } from '../../../src/core/adapter-errors.ts';
import { createLogger } from '../../../src/log.ts';
import { createSlackAdapter, type SlackAdapter, type SlackAdapterDeps } from '../../../adapters/slack/index.ts';
import { PostUnconfirmedError } from '../../../adapters/slack/post-unconfirmed-error.ts';
import { FakeSlack } from '../fake-slack/server.ts';
import { ALICE } from '../fake-slack/payloads.ts';
import { statusView } from '../views.ts';
import { socketConfig } from './harness.ts';

/** Web API calls across transient Slack failures: resent when Slack cannot have acted, never twice. */

const QUICK_RETRY = { attempts: 3, initialDelayMs: 10, maxDelayMs: 40, maxRetryAfterMs: 5000 } as const;

const idle: InboundHandlers = { command: (ctx) => ctx.ack('private'), action: (ctx) => ctx.ack('private') };

interface LogLine { readonly level: number; readonly msg: string }

describe('Slack Web API retries', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  let lines: LogLine[];

  async function setup(deps: SlackAdapterDeps = {}, prepare: (f: FakeSlack) => void = () => undefined): Promise<void> {
    fake = await FakeSlack.start();
    prepare(fake);
    lines = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } });
    adapter = createSlackAdapter(socketConfig(fake), { webApiRetry: QUICK_RETRY, logger, ...deps });
    await adapter.start(idle);
  }

  afterEach(async () => {
    await adapter.stop();
    await fake.close();
  });

  it('retries auth.test at start after a 503 and starts', async () => {
    await setup({}, (f) => f.failNext('auth.test', { kind: 'http', status: 503 }));
    expect(fake.callsTo('auth.test')).toHaveLength(2);
    expect(adapter.isReady()).toBe(true);
  });

  it('starts and says so when auth.test keeps failing with 5xx, instead of crashing', async () => {
    await setup({}, (f) => {
      for (let i = 0; i < QUICK_RETRY.attempts; i++) f.failNext('auth.test', { kind: 'http', status: 503 });
    });
    expect(fake.callsTo('auth.test')).toHaveLength(QUICK_RETRY.attempts);
    expect(lines.some((l) => l.msg.startsWith('Slack did not answer auth.test; starting anyway'))).toBe(true);
    expect(adapter.isReady()).toBe(true);
  });

  it('keeps the audit line when its thread note meets a 429: it waits out Retry-After and posts it once', async () => {
    await setup();
    const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
    fake.failNext('chat.postMessage', { kind: 'ratelimited', retryAfterSec: 1 });
    const started = performance.now();
    await adapter.postThreadNote(ref, 'alice muted Tim (701)');
    const tries = fake.callsTo('chat.postMessage').slice(1);
    expect(tries).toHaveLength(2);
    expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect([...fake.messages.values()].filter((m) => m.threadTs === ref.id)).toHaveLength(1);
  });

  it('resends a post after a gateway 503, which Slack never acted on', async () => {
    await setup();
    fake.failNext('chat.postMessage', { kind: 'http', status: 503 });
    await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    expect(fake.messages.size).toBe(1);
  });

  it('never resends a post that may have gone through (internal_error, a timeout)', async () => {
    await setup({ webApiTimeoutMs: 200, webApiPostTimeoutMs: 200 });
    fake.failNext('chat.postMessage', { kind: 'error', error: 'internal_error' });
    await expect(adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'))).rejects.toBeInstanceOf(PlatformError);
    fake.failNext('chat.postMessage', { kind: 'stall' });
    await expect(adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'))).rejects.toBeInstanceOf(PostUnconfirmedError);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('reports a post answered with internal_error, HTTP 500 or 504 as unconfirmed, never resent, with the status advice', async () => {
    await setup();
    for (const failure of [{ kind: 'error', error: 'internal_error' }, { kind: 'http', status: 500 }, { kind: 'http', status: 504 }] as const) {
      fake.failNext('chat.postMessage', failure);
      const err = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PostUnconfirmedError);
      expect(err).toMatchObject({ transient: false, userMessage: expect.stringContaining('run `show` again') });
    }
    expect(fake.callsTo('chat.postMessage')).toHaveLength(3);
  });

  it('waits for a slow post past the other calls\' timeout and returns the message it made', async () => {
    await setup({ webApiTimeoutMs: 200, webApiPostTimeoutMs: 5000 });
    fake.failNext('chat.postMessage', { kind: 'late', delayMs: 600 });
    const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
    expect([...fake.messages.keys()]).toEqual([ref.id]);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('says a post Slack made but answered too late for may appear, and does not post it again', async () => {
    await setup({ webApiTimeoutMs: 200, webApiPostTimeoutMs: 300 });
    fake.failNext('chat.postMessage', { kind: 'late', delayMs: 1500 });
    const failed = adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
    await expect(failed).rejects.toBeInstanceOf(PostUnconfirmedError);
    await expect(failed).rejects.toMatchObject({ userMessage: expect.stringContaining('may or may not appear') });
    expect(fake.messages.size).toBe(1);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('retries a repeatable call (conversations.open) after a timeout', async () => {
    await setup({ webApiTimeoutMs: 200 });
    fake.failNext('conversations.open', { kind: 'stall' });
    const ref = await adapter.postAlert({ user: 'U0BOB' }, { kind: 'alert', severity: 'info', title: 'T', text: 't', fields: [], buttons: [], ackedBy: undefined, at: 0 });
    expect(ref.conversation).toBe('DU0BOB');
    expect(fake.callsTo('conversations.open')).toHaveLength(2);
  });

  it('gives up after the capped number of tries and reports a transient failure', async () => {
    await setup();
    for (let i = 0; i < QUICK_RETRY.attempts; i++) fake.failNext('chat.postEphemeral', { kind: 'http', status: 503 });
    fake.failNext('chat.postMessage', { kind: 'http', status: 503 });
    const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
    for (let i = 0; i < QUICK_RETRY.attempts; i++) fake.failNext('chat.postMessage', { kind: 'http', status: 503 });
    const failed = adapter.postThreadNote(ref, 'x');
    await expect(failed).rejects.toMatchObject({ transient: true });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2 + QUICK_RETRY.attempts);
  });

  it('leaves chat.update to the status scheduler: a 503 is reported at once, not resent', async () => {
    await setup();
    const ref = await adapter.post({ platform: 'slack', id: ALICE.channelId }, statusView('200'));
    fake.failNext('chat.update', { kind: 'http', status: 503 });
    await expect(adapter.update(ref, statusView('200'))).rejects.toMatchObject({ transient: true });
    expect(fake.callsTo('chat.update')).toHaveLength(1);
  });
});
