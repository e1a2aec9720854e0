import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundContext, InboundHandlers, MessageRef } from '../../../src/core/adapter.ts';
import { encodeAction } from '../../../src/core/actions.ts';
import { pagedStatusView } from '../../../src/core/paging.ts';
import { isBotError } from '../../../src/errors.ts';
import { DiscordAccessError, DiscordRateLimitedError } from '../../../adapters/discord/index.ts';
import { DISCORD_LIMITS } from '../../../adapters/discord/limits.ts';
import { DISCORD_ERRORS, EPHEMERAL } from '../../fake-discord/server.ts';
import { autocomplete, OPTION } from '../../fake-discord/payloads.ts';
import { buttonView, replyView, rowView, statusView } from '../views.ts';
import { ALICE, CHANNEL, makeDiscordHarness, messageText, type DiscordHarness } from './harness.ts';

type Seen = { kind: 'command' | 'action'; ctx: InboundContext; value: string };

describe('Discord adapter', () => {
  let h: DiscordHarness;
  let seen: Seen[];
  let onCommand: (ctx: InboundContext, text: string) => Promise<void>;
  let onAction: (ctx: InboundContext, id: string) => Promise<void>;

  beforeEach(async () => {
    h = await makeDiscordHarness({
      complete: (req) => (req.field === 'room' ? [{ name: `room for ${req.actor.userId} ${req.typed}`, value: '200' }] : []),
    });
    seen = [];
    onCommand = (ctx) => ctx.ack('private');
    onAction = (ctx) => ctx.ack('private');
    const handlers: InboundHandlers = {
      command: async (ctx, text) => {
        seen.push({ kind: 'command', ctx, value: text });
        await onCommand(ctx, text);
      },
      action: async (ctx, id) => {
        seen.push({ kind: 'action', ctx, value: id });
        await onAction(ctx, id);
      },
    };
    await h.adapter.start(handlers);
  });

  afterEach(async () => {
    await h.adapter.stop();
    await h.close();
  });

  const callback = (id: string) => h.fake.callsTo('POST', /\/callback$/).find((c) => c.path.startsWith(`/interactions/${id}/`));

  it('defers privately or publicly as the core acks, and not before it acks', async () => {
    onCommand = async (ctx, text) => {
      expect(h.fake.callsTo('POST', /\/callback$/).filter((c) => c.path.includes(seen.at(-1)?.ctx.interaction.id ?? '-'))).toEqual([]);
      await ctx.ack(text.startsWith('help') ? 'private' : 'channel');
    };
    const help = await h.command('help');
    const show = await h.command('show 200');
    expect(callback(help.id)?.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    expect(callback(show.id)?.body).toMatchObject({ type: 5, data: { flags: 0 } });
  });

  it('removes the deferred reply of a command the core answered with a message of its own', async () => {
    const show = await h.command('show 200');
    await h.fake.waitForCall('DELETE', /@original$/, (c) => c.path.includes(show.token));
    expect(h.fake.callsTo('PATCH', /@original$/)).toEqual([]);
  });

  it('turns the options into the text the core parses, quoting values with spaces', async () => {
    await h.command('topic 200 "Tim Smith" "hello there"');
    expect(seen[0]?.value).toBe('topic 200 "Tim Smith" "hello there"');
  });

  it('gives the member role ids as groups (granted as discord:<roleId>)', async () => {
    await h.command('whoami');
    expect(seen[0]?.ctx.actor).toMatchObject({ platform: 'discord', userId: ALICE.id, groups: ['300000000000000001'] });
    expect(seen[0]?.ctx.conversation).toEqual({ platform: 'discord', id: CHANNEL, workspace: '200000000000000001' });
  });

  it('edits the deferred reply when the visibility matches, and swaps a public one for a private follow-up (an error)', async () => {
    let publicDone!: () => void;
    const done = new Promise<void>((r) => (publicDone = r));
    onCommand = async (ctx, text) => {
      await ctx.ack('channel');
      await h.adapter.reply(ctx.interaction, replyView(`answer to ${text}`), { ephemeral: text.startsWith('show') ? false : true });
      if (text.startsWith('lock')) publicDone();
    };
    const show = await h.command('show 200');
    await h.fake.waitForCall('PATCH', /@original$/, (c) => c.path.includes(show.token));
    const lock = await h.command('lock 200');
    await done;
    expect(h.fake.callsTo('DELETE', /@original$/).some((c) => c.path.includes(lock.token))).toBe(true);
    const followUp = h.fake.callsTo('POST', /^\/webhooks\//).find((c) => c.path.includes(lock.token));
    expect(followUp?.body).toMatchObject({ flags: EPHEMERAL, allowed_mentions: { parse: [] } });
    expect(followUp?.authorization).toBeUndefined();
  });

  it('posts and edits status messages through the channel with the bot token, mentioning nobody', async () => {
    const ref = await h.adapter.post(h.conversation, statusView('200', [rowView(1, { name: '@everyone **bold**' })]));
    await h.adapter.update(ref, statusView('200'));
    const [post] = h.fake.callsTo('POST', /^\/channels\/\d+\/messages$/);
    const [edit] = h.fake.callsTo('PATCH', /^\/channels\/\d+\/messages\/\d+$/);
    expect(post?.authorization).toBe('Bot fake-token');
    expect(edit?.authorization).toBe('Bot fake-token');
    expect(post?.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(JSON.stringify(post?.body)).toContain('\\\\@everyone \\\\*\\\\*bold\\\\*\\\\*');
  });

  it('sends a direct message through the DM channel Discord opens for the user (alert escalations)', async () => {
    const ref = await h.adapter.postDirect!('223344556677889900', statusView('200'));
    expect(h.fake.callsTo('POST', /^\/users\/@me\/channels$/)[0]?.body).toEqual({ recipient_id: '223344556677889900' });
    expect(ref.conversation).toBe('1223344556677889900');
    expect(h.fake.callsTo('POST', /^\/channels\/1223344556677889900\/messages$/)).toHaveLength(1);
  });

  it('defers a press with deferUpdate and answers it with a private follow-up', async () => {
    const ref = await h.adapter.post(h.conversation, statusView('200'));
    onAction = async (ctx) => {
      await ctx.ack('private');
      await h.adapter.reply(ctx.interaction, replyView('You may not do that.'), { ephemeral: true });
    };
    const press = await h.press(ref, 'v1:mute:1');
    expect(callback(press.id)?.body).toMatchObject({ type: 6 });
    const followUp = await h.fake.waitForCall('POST', /^\/webhooks\//, (c) => c.path.includes(press.token));
    expect(followUp.body).toMatchObject({ flags: EPHEMERAL });
    expect(seen[0]?.ctx.message).toEqual(ref);
  });

  it('hands a kick press to the core without asking first: the core asks (no native confirm dialogs)', async () => {
    expect(h.adapter.limits.nativeConfirmDialogs).toBeUndefined();
    const ref = await h.adapter.post(h.conversation, statusView('200'));
    const press = await h.press(ref, 'v1:kick:1');
    expect(callback(press.id)?.body).toMatchObject({ type: 6 });
    expect(seen.map((s) => s.value)).toEqual(['v1:kick:1']);
    expect(h.fake.state.channelMessages(CHANNEL).filter((m) => (m.flags & EPHEMERAL) !== 0)).toEqual([]);
  });

  it('hands a press on the participant panel to the core as it is', async () => {
    const kickId = encodeAction({ kind: 'kick', pbx: 'pbx1', room: '200', uniqueid: '1700000000.7' });
    const rows = Array.from({ length: 30 }, (_, i) => rowView(i + 1, i === 6 ? { buttons: [buttonView(kickId, 'Kick', { style: 'danger' })] } : {}));
    const ref = await h.adapter.post(h.conversation, statusView('200', rows));
    const pick = await h.pick(ref, '1700000000.7');
    const panel = h.fake.state.messages.get(h.fake.state.originals.get(pick.token) ?? '');
    const kick = await h.press({ ...ref, id: panel?.id ?? '' }, kickId);
    expect(callback(kick.id)?.body).toMatchObject({ type: 6 });
    expect(seen.filter((s) => s.kind === 'action').map((s) => s.value)).toEqual([kickId]);
  });

  it('answers a pick from the participant menu with that participant\'s buttons, privately', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => rowView(i + 1));
    const ref = await h.adapter.post(h.conversation, statusView('200', rows));
    const pick = await h.pick(ref, '1700000000.7');
    expect(callback(pick.id)?.body).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
    const panel = JSON.stringify(callback(pick.id)?.body);
    expect(panel).toContain('v1:mute:7');
    expect(panel).toContain('Caller 7');
  });

  it('hands a page turn to the core like any press: paging is the core\'s', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => rowView(i + 1));
    const ref = await h.adapter.post(h.conversation, pagedStatusView(statusView('200', rows), 0, DISCORD_LIMITS.maxRowsPerPage));
    const posted = h.fake.apiMessage(ref.id) as { components: { components: { custom_id?: string; label?: string }[] }[] };
    const next = posted.components.flatMap((r) => r.components).find((c) => c.label === 'Next ▶');
    expect(next?.custom_id).toBe('v1|p|pbx1|200|1');
    await h.press(ref, next?.custom_id ?? '');
    expect(seen.filter((s) => s.kind === 'action').map((s) => s.value)).toEqual(['v1|p|pbx1|200|1']);
  });

  it('turns a 429 on an edit into a rate-limit error carrying its delay and route bucket', async () => {
    const ref = await h.adapter.post(h.conversation, statusView('200'));
    h.fake.failNext('PATCH', /^\/channels\//, { kind: 'ratelimited', retryAfterSec: 3, bucket: 'b1', scope: 'user' });
    const err = await h.adapter.update(ref, statusView('200')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscordRateLimitedError);
    expect((err as DiscordRateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(3000);
    expect((err as DiscordRateLimitedError).bucket).toContain(`/channels/:id/messages/:id:${CHANNEL}`);
    expect(h.fake.callsTo('PATCH', /^\/channels\//)).toHaveLength(1);
  });

  it('keeps editing other channels while one channel\'s bucket is rate limited', async () => {
    const busy = await h.adapter.post(h.conversation, statusView('200'));
    const quiet = await h.adapter.post({ ...h.conversation, id: '400000000000000002' }, statusView('201'));
    h.fake.failNext('PATCH', new RegExp(`/channels/${CHANNEL}/`), { kind: 'ratelimited', retryAfterSec: 30 }, 2);
    await expect(h.adapter.update(busy, statusView('200'))).rejects.toBeInstanceOf(DiscordRateLimitedError);
    const started = performance.now();
    await h.adapter.update(quiet, statusView('201-edited'));
    expect(performance.now() - started).toBeLessThan(2000);
    // The limited bucket answers at once too, without a request, instead of queueing for 30 s.
    await expect(h.adapter.update(busy, statusView('200'))).rejects.toBeInstanceOf(DiscordRateLimitedError);
  });

  it('re-posts a status message Discord will no longer edit (30046) and reports the new ref', async () => {
    const ref = await h.adapter.post(h.conversation, statusView('200'));
    const replaced: [MessageRef, MessageRef][] = [];
    h.adapter.onMessageReplaced((a, b) => replaced.push([a, b]));
    h.fake.failNext('PATCH', /^\/channels\//, DISCORD_ERRORS.oldMessageEdits);
    await h.adapter.update(ref, statusView('200-after'));
    expect(replaced).toHaveLength(1);
    const fresh = replaced[0]?.[1] as MessageRef;
    expect(h.fake.state.messages.get(ref.id)?.deleted).toBe(true);
    await h.adapter.update(ref, statusView('200-later'));
    expect(messageText(h.fake.state.messages.get(fresh.id) as never)).toContain('200-later');
  });

  it('answers missing permissions with a plain message and a gone message as gone, without retrying', async () => {
    h.fake.failNext('POST', /^\/channels\//, DISCORD_ERRORS.missingPermissions);
    const denied = await h.adapter.post(h.conversation, statusView('200')).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(DiscordAccessError);
    expect((denied as DiscordAccessError).userMessage).toContain('Send Messages');
    const ref = await h.adapter.post(h.conversation, statusView('200'));
    h.fake.failNext('PATCH', /^\/channels\//, DISCORD_ERRORS.unknownMessage);
    const gone = await h.adapter.update(ref, statusView('200')).catch((e: unknown) => e);
    expect(isBotError(gone, 'message_gone')).toBe(true);
    expect(h.fake.callsTo('PATCH', /^\/channels\//)).toHaveLength(1);
  });

  it('writes the thread note as a reply to the status message', async () => {
    const ref = await h.adapter.post(h.conversation, statusView('200'));
    await h.adapter.postThreadNote(ref, 'alice muted *Tim* (701)');
    const note = h.fake.callsTo('POST', /^\/channels\//)[1];
    expect(note?.body).toMatchObject({ content: 'alice muted \\*Tim\\* (701)', message_reference: { message_id: ref.id }, allowed_mentions: { parse: [] } });
  });

  it('answers autocomplete with the completer\'s choices for the focused option', async () => {
    const sent = h.fake.interact(autocomplete(h.place, ALICE, 'show', [{ name: 'room', type: OPTION.string, value: '20', focused: true }]));
    const answer = await h.fake.waitForCall('POST', /\/callback$/, (c) => c.path.startsWith(`/interactions/${sent.id}/`));
    expect(answer.body).toEqual({ type: 8, data: { choices: [{ name: `room for ${ALICE.id} 20`, value: '200' }] } });
  });
});
