import { afterEach, describe, expect, it } from 'vitest';
import type { Actor, InboundHandlers } from '../../../src/core/adapter.ts';
import { commandTable } from '../../../src/core/commands.ts';
import type { HomeView } from '../../../src/core/home.ts';
import { createSlackAdapter, type SlackAdapter } from '../../../adapters/slack/index.ts';
import { FakeSlack } from '../fake-slack/server.ts';
import { ALICE } from '../fake-slack/payloads.ts';
import { visibleText } from '../fake-slack/visible-text.ts';
import { socketConfig } from './harness.ts';

/** The App Home tab, published through views.publish when a person opens it. */

const idle: InboundHandlers = { command: (ctx) => ctx.ack('private'), action: (ctx) => ctx.ack('private') };

function homeOf(actor: Actor): HomeView {
  return {
    role: actor.userId === ALICE.userId ? 'moderator' : undefined,
    roleReason: 'moderator via user slack:U0ALICE (pbx *, rooms 2*)',
    rooms: [{ pbx: 'pbx1', room: '200', people: 3, locked: true }, { pbx: 'pbx1', room: '<!channel>*x*', people: 1, locked: false }],
    unreachable: [],
    multiPbx: false,
    slashCommand: '/meetme',
    commands: commandTable(),
  };
}

describe('Slack App Home', () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  const asked: Actor[] = [];

  async function setup(): Promise<void> {
    fake = await FakeSlack.start();
    fake.userGroups = [{ id: 'S0MODS', users: [ALICE.userId] }];
    adapter = createSlackAdapter(socketConfig(fake), { home: (actor) => { asked.push(actor); return homeOf(actor); } });
    await adapter.start(idle);
  }

  afterEach(async () => {
    await adapter.stop();
    await fake.close();
  });

  it('publishes the Home tab on app_home_opened: role, rooms with head counts, and help', async () => {
    await setup();
    await fake.deliverEvent({ type: 'app_home_opened', user: ALICE.userId, channel: 'D0HOME', tab: 'home', event_ts: '1700000000.000100' });
    const [publish] = await fake.waitForCalls('views.publish');
    expect(asked.at(-1)).toMatchObject({ platform: 'slack', userId: ALICE.userId, groups: ['S0MODS'] });
    expect(publish?.params['user_id']).toBe(ALICE.userId);
    const view = publish?.params['view'] as { type: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const mrkdwn = visibleText(view.blocks, '');
    expect(mrkdwn).not.toMatch(/<(?!#|@)/);
    const shown = mrkdwn.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    expect(shown).toContain('Your role: *moderator*');
    expect(shown).toContain('`200` — 3 people, locked');
    expect(shown).toContain('1 person');
    expect(shown).toContain('`<!channel>∗x∗` — 1 person');
    for (const [usage] of commandTable()) expect(shown).toContain(`/meetme ${usage}`);
  });

  it('publishes nothing when the Messages tab is opened', async () => {
    await setup();
    await fake.deliverEvent({ type: 'app_home_opened', user: ALICE.userId, channel: 'D0HOME', tab: 'messages', event_ts: '1700000000.000100' });
    await fake.deliverEvent({ type: 'app_home_opened', user: ALICE.userId, channel: 'D0HOME', tab: 'home', event_ts: '1700000000.000200' });
    await fake.waitForCalls('views.publish');
    expect(fake.callsTo('views.publish')).toHaveLength(1);
  });
});
