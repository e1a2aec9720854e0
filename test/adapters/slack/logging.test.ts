import { describe, expect, it } from 'vitest';
import type { InboundContext } from '../../../src/core/adapter.ts';
import { createLogger } from '../../../src/log.ts';
import { createSlackAdapter } from '../../../adapters/slack/index.ts';
import { scrubSecrets } from '../../../adapters/slack/bolt-logger.ts';
import { FakeSlack } from '../fake-slack/server.ts';
import { slashCommand } from '../fake-slack/payloads.ts';
import { replyView } from '../views.ts';
import { socketConfig } from './harness.ts';

describe('Slack adapter logging', () => {
  it('writes no token even at debug level, where the SDK prints payloads', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
    const fake = await FakeSlack.start();
    const adapter = createSlackAdapter(socketConfig(fake), { logger });
    let got: (ctx: InboundContext) => void = () => undefined;
    const delivered = new Promise<InboundContext>((resolve) => { got = resolve; });
    await adapter.start({ command: async (ctx) => { got(ctx); await ctx.ack('private'); }, action: (ctx) => ctx.ack('private') });
    const responseUrl = fake.responseUrl();
    await fake.deliver('slash_commands', slashCommand('help', responseUrl));
    await adapter.reply((await delivered).interaction, replyView('hi'), { ephemeral: true });
    await adapter.stop();
    await fake.close();
    const log = lines.join('');
    expect(log).toContain('slack');
    expect(log).not.toContain(fake.botToken);
    expect(log).not.toContain(fake.appToken);
    expect(log).not.toContain('legacy-verification-token');
  });

  it('writes SDK lines with component "slack-sdk" only, not "slack" too', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
    const fake = await FakeSlack.start();
    const adapter = createSlackAdapter(socketConfig(fake), { logger });
    await adapter.start({ command: (ctx) => ctx.ack('private'), action: (ctx) => ctx.ack('private') });
    await adapter.stop();
    await fake.close();
    // Raw text, not JSON.parse: parsing keeps the last of two duplicate keys and hides the first.
    const components = lines.map((line) => [...line.matchAll(/"component":"([^"]*)"/g)].map((m) => m[1]));
    expect(components.filter((c) => c.includes('slack-sdk')).length).toBeGreaterThan(0);
    expect(components.filter((c) => c.length !== 1)).toEqual([]);
  });

  it('scrubs tokens, bearer headers and Slack hook URLs from SDK lines', () => {
    expect(scrubSecrets('token=xoxb-1-2-abc Authorization: Bearer xapp-1-A-1 https://hooks.slack.com/commands/T/1/abc'))
      .not.toMatch(/xoxb-1|xapp-1|commands\/T/);
  });
});
