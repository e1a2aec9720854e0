import { once } from 'node:events';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordAdapter } from '../../../adapters/discord/index.ts';
import type { InboundHandlers } from '../../../src/core/adapter.ts';
import { createLogger } from '../../../src/log.ts';
import { FakeDiscord } from '../../fake-discord/server.ts';
import { makeDiscordHarness, type DiscordHarness } from './harness.ts';

/** Connection lifecycle: gateway drops and revoked tokens. (Re-posted messages across restarts: the status service's, see test/core/status-restart.test.ts and the e2e test.) */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function harness(deps: Parameters<typeof makeDiscordHarness>[0] = {}): Promise<DiscordHarness> {
  const h = await makeDiscordHarness(deps);
  cleanups.push(async () => {
    await h.adapter.stop();
    await h.close();
  });
  return h;
}

function recorder(): { handlers: InboundHandlers; texts: string[] } {
  const texts: string[] = [];
  return { texts, handlers: { command: async (ctx, text) => { texts.push(text); await ctx.ack('private'); }, action: async (ctx) => ctx.ack('private') } };
}

describe('Discord adapter lifecycle', () => {
  it('keeps receiving commands after the gateway drops, by resuming the session', async () => {
    const h = await harness();
    const { handlers, texts } = recorder();
    await h.adapter.start(handlers);
    const resumed = once(h.fake.gateway, 'resume');
    h.fake.gateway.drop();
    await resumed;
    await h.command('list');
    expect(texts).toEqual(['list']);
    expect(h.fake.gateway.identifies).toHaveLength(1);
  });

  it('logs a revoked token plainly and starts nothing, without throwing', async () => {
    const fake = await FakeDiscord.start({ botToken: 'the-current-token' });
    cleanups.push(() => fake.close());
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
    const adapter = createDiscordAdapter({ token: 'revoked', applicationId: fake.applicationId, apiUrl: fake.apiUrl }, { logger: createLogger({ level: 'info', destination: sink }) });
    await expect(adapter.start(recorder().handlers)).resolves.toBeUndefined();
    await adapter.stop();
    const line = lines.find((l) => l.includes('Discord login failed'));
    expect(line).toContain('DISCORD_TOKEN');
    expect(lines.join('')).not.toContain('revoked');
    expect(fake.gateway.identifies).toEqual([]);
  });
});
