import { afterEach, describe, expect, it } from 'vitest';
import { statusView } from '../views.ts';
import { makeDiscordHarness, type DiscordHarness } from './harness.ts';

/**
 * discord.js resends a request that timed out; for a post Discord may already have made, the
 * enforced nonce makes Discord answer the resend with that message instead of creating another.
 */
describe('Discord posts', () => {
  let h: DiscordHarness | undefined;

  afterEach(async () => {
    await h?.adapter.stop();
    await h?.close();
    h = undefined;
  });

  it('makes one message when Discord made the post but answered after the timeout and discord.js sent it again', async () => {
    h = await makeDiscordHarness({ restTimeoutMs: 300 });
    h.fake.failNext('POST', /^\/channels\/\d+\/messages$/, { kind: 'late', delayMs: 1000 });
    const ref = await h.adapter.post(h.conversation, statusView('200'));
    expect(h.fake.callsTo('POST', /^\/channels\/\d+\/messages$/).length).toBeGreaterThanOrEqual(2);
    const live = [...h.fake.state.messages.values()].filter((m) => !m.deleted);
    expect(live.map((m) => m.id)).toEqual([ref.id]);
  });

  it('sends a fresh nonce with each post, so two posts make two messages', async () => {
    h = await makeDiscordHarness();
    const a = await h.adapter.post(h.conversation, statusView('200'));
    const b = await h.adapter.post(h.conversation, statusView('201'));
    expect(a.id).not.toBe(b.id);
    const bodies = h.fake.callsTo('POST', /^\/channels\/\d+\/messages$/).map((c) => c.body as { nonce?: string; enforce_nonce?: boolean });
    expect(bodies.every((b) => b.enforce_nonce === true && typeof b.nonce === 'string' && b.nonce.length <= 25)).toBe(true);
    expect(new Set(bodies.map((b) => b.nonce)).size).toBe(2);
  });
});
