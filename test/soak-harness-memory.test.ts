import { afterEach, describe, expect, it } from 'vitest';
import { startDiscordPlatform } from '../bench/soak/fake-discord-platform.ts';
import { startSlackPlatform } from '../bench/soak/fake-slack-platform.ts';
import type { FakePlatform } from '../bench/soak/platform.ts';

/**
 * The soak's heap readings measure the bot, so the harness sheds what it keeps of alert messages:
 * resolved ones are dropped (their reading kept), open and acked ones keep only their buttons.
 */

const rates = { rateLimited: 0, serverError: 0, retryAfterSec: 1 };
const ack = (incident: string): string => `v1|aa|demo|5000|${incident}`;
const resolve = (incident: string): string => `v1|ar|demo|5000|${incident}`;

let platform: FakePlatform | undefined;
afterEach(async () => {
  await platform?.close();
  platform = undefined;
});

describe('soak harness memory', () => {
  it('keeps only the buttons of an open Slack alert and drops a resolved one, reading both as before', async () => {
    const started = await startSlackPlatform(rates, () => 0.5);
    platform = started.platform;
    const text = { type: 'section', text: { type: 'mrkdwn', text: '*Abnormal hangup* in 5000: Ann (701), cause 34' } };
    const buttons = (incident: string): unknown => ({ type: 'actions', elements: [ack(incident), resolve(incident)].map((value) => ({ type: 'button', action_id: value, value })) });
    started.fake.messages.set('1.1', { channel: 'C0SOAK1', ts: '1.1', text: 'alert', blocks: [text, buttons('i1')], threadTs: undefined });
    started.fake.messages.set('1.2', { channel: 'C0SOAK1', ts: '1.2', text: 'alert', blocks: [text, buttons('i2')], threadTs: undefined });
    const before = platform.alertMessages();
    const resolved = started.fake.messages.get('1.2');
    if (resolved !== undefined) resolved.blocks = [text];

    expect(platform.pruneLogs(0)).toBe(2);

    expect(started.fake.messages.get('1.1')?.blocks).toEqual([buttons('i1')]);
    expect(started.fake.messages.has('1.2')).toBe(false);
    expect(platform.alertMessages()).toEqual([
      before[0],
      { id: '1.2', conversation: 'C0SOAK1', incident: 'i2', ackButton: undefined, resolveButton: undefined },
    ]);
    expect(platform.pruneLogs(0)).toBe(0);
  });

  it('keeps only the buttons of an open Discord alert and drops a resolved one, reading both as before', async () => {
    const started = await startDiscordPlatform(rates, () => 0.5);
    platform = started.platform;
    const components = (incident: string): unknown[] => [{ type: 1, components: [ack(incident), resolve(incident)].map((custom_id) => ({ type: 2, style: 2, label: 'Ack', custom_id })) }];
    const embeds = [{ title: 'Abnormal hangup in 5000', description: 'Ann (701), cause 34' }];
    const post = (id: string, incident: string): void => {
      started.fake.state.messages.set(id, {
        id, channelId: '400000000000000071', content: '', embeds, components: components(incident), flags: 0,
        interactionUser: undefined, replyTo: undefined, deleted: false, editedAt: undefined, createdAt: Date.now(),
      });
    };
    post('900000000000000001', 'i1');
    post('900000000000000002', 'i2');
    const before = platform.alertMessages();
    const resolved = started.fake.state.messages.get('900000000000000002');
    if (resolved !== undefined) resolved.components = [];

    expect(platform.pruneLogs(60_000)).toBe(2);

    const open = started.fake.state.messages.get('900000000000000001');
    expect(open?.embeds).toEqual([]);
    expect(open?.components).toEqual(components('i1'));
    expect(started.fake.state.messages.has('900000000000000002')).toBe(false);
    expect(platform.alertMessages()).toEqual([
      before[0],
      { id: '900000000000000002', conversation: '400000000000000071', incident: 'i2', ackButton: undefined, resolveButton: undefined },
    ]);
  });
});
