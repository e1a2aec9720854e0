import { afterEach, describe, expect, it } from 'vitest';
import type { InboundHandlers } from '../../../src/core/adapter.ts';
import { replyView } from '../views.ts';
import { slashCommand } from '../../fake-discord/payloads.ts';
import { ALICE, makeDiscordHarness, type DiscordHarness } from './harness.ts';

/** Replicas: only the leading one holds a gateway session; the others post and edit over REST. */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const handlers: InboundHandlers = { command: async (ctx) => ctx.ack('private'), action: async (ctx) => ctx.ack('private') };

/** A leadership the test hands out and takes back. */
function leadership() {
  const listeners = new Set<(leader: boolean) => void>();
  return {
    onChange(listener: (leader: boolean) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(leader: boolean) { for (const l of listeners) l(leader); },
  };
}

async function harness(deps: Parameters<typeof makeDiscordHarness>[0]): Promise<DiscordHarness> {
  const h = await makeDiscordHarness(deps);
  cleanups.push(async () => {
    await h.adapter.stop();
    await h.close();
  });
  return h;
}

describe('Discord gateway on replicas', () => {
  it('logs in only once leading, and ignores gateway events after another replica took the lead; REST works throughout', async () => {
    const leader = leadership();
    const h = await harness({ gatewayLeader: leader });
    const seen: string[] = [];
    await h.adapter.start({ ...handlers, command: async (ctx, text) => { seen.push(text); await ctx.ack('private'); } });
    await h.adapter.post(h.conversation, replyView('from a follower'));
    expect(h.fake.gateway.identifies).toEqual([]);
    leader.set(true);
    await expect.poll(() => h.fake.gateway.ready, { timeout: 5_000 }).toBe(true);
    await h.command('list');
    expect(seen).toEqual(['list']);
    leader.set(false);
    h.fake.interact(slashCommand(h.place, ALICE, 'rooms', []));
    await h.adapter.post(h.conversation, replyView('after leading'));
    // A negative: the event had time to arrive and was left to the leading replica.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toEqual(['list']);
    leader.set(true);
    await h.command('help');
    expect(seen).toEqual(['list', 'help']);
    expect(h.fake.gateway.identifies).toHaveLength(1);
  });
});
