import type { Conversation, MessageRef } from '../../../src/core/adapter.ts';
import { specOf } from '../../../src/core/commands/index.ts';
import { tokenize } from '../../../src/core/tokenize.ts';
import { createDiscordAdapter, type DiscordAdapter, type DiscordAdapterDeps } from '../../../adapters/discord/index.ts';
import { buttonPress, OPTION, selectChoice, slashCommand, type CommandOption, type FakeUser, type Place } from '../../fake-discord/payloads.ts';
import { FakeDiscord, type FakeMessage } from '../../fake-discord/server.ts';
import type { AdapterHarness } from '../contract.ts';

/** The Discord adapter on the real discord.js Client, against the fake Discord on 127.0.0.1. */

export const GUILD = '200000000000000001';
export const CHANNEL = '400000000000000001';
export const ALICE: FakeUser = { id: '100000000000000001', username: 'alice', roles: ['300000000000000001'] };

export interface DiscordHarness extends AdapterHarness {
  readonly adapter: DiscordAdapter;
  readonly fake: FakeDiscord;
  readonly place: Place;
  /** `/meetme <text>` as `user`; resolves with the interaction once the adapter has answered its callback. */
  command(text: string, user?: FakeUser): Promise<{ id: string; token: string }>;
  press(ref: MessageRef, customId: string, user?: FakeUser): Promise<{ id: string; token: string }>;
  pick(ref: MessageRef, value: string, user?: FakeUser): Promise<{ id: string; token: string }>;
  visibleTo(user: FakeUser): string;
}

/** Typed words → options, by position in the command spec's options (as a Discord client would send them). */
export function optionsFor(words: readonly string[], sub: string): CommandOption[] {
  const declared = specOf(sub)?.options ?? [];
  return words.map((value, i) => {
    const decl = declared[i];
    if (decl?.type === 'boolean') return { name: decl.name, type: OPTION.boolean, value: value.toLowerCase() === 'confirm' };
    return { name: decl?.name ?? `arg${i + 1}`, type: OPTION.string, value };
  });
}

export function messageText(m: FakeMessage): string {
  const parts = [m.content];
  for (const e of m.embeds as { title?: string; description?: string; fields?: { name: string; value: string }[]; footer?: { text: string } }[]) {
    parts.push(e.title ?? '', e.description ?? '', ...(e.fields ?? []).flatMap((f) => [f.name, f.value]), e.footer?.text ?? '');
  }
  for (const row of m.components as { components: { label?: string; placeholder?: string; options?: { label: string }[] }[] }[]) {
    for (const c of row.components) parts.push(c.label ?? '', c.placeholder ?? '', ...(c.options ?? []).map((o) => o.label));
  }
  return parts.filter((p) => p !== '').join('\n');
}

export async function makeDiscordHarness(deps: DiscordAdapterDeps = {}): Promise<DiscordHarness> {
  const fake = await FakeDiscord.start();
  const place: Place = { applicationId: fake.applicationId, guildId: GUILD, channelId: CHANNEL };
  const adapter = createDiscordAdapter({ token: 'fake-token', applicationId: fake.applicationId, apiUrl: fake.apiUrl }, deps);
  const conversation: Conversation = { platform: 'discord', id: CHANNEL, workspace: GUILD };

  async function sent(payload: Record<string, unknown>): Promise<{ id: string; token: string }> {
    const interaction = fake.interact(payload);
    await fake.waitForCall('POST', /\/callback$/, (c) => c.path.startsWith(`/interactions/${interaction.id}/`));
    return interaction;
  }

  const harness: DiscordHarness = {
    adapter, fake, place, conversation,
    command(text, user = ALICE) {
      const tokenized = tokenize(text);
      const [sub = 'help', ...words] = tokenized.ok ? tokenized.tokens : [];
      return sent(slashCommand(place, user, sub, optionsFor(words, sub)));
    },
    press: (ref, customId, user = ALICE) => sent(buttonPress(place, user, fake.apiMessage(ref.id), customId)),
    pick: (ref, value, user = ALICE) => sent(selectChoice(place, user, fake.apiMessage(ref.id), 'discord.pick', [value])),
    async sendCommand(text) {
      await harness.command(text);
    },
    async pressButton(ref, actionId) {
      await harness.press(ref, actionId);
    },
    visibleTo: (user) => fake.visibleTo(CHANNEL, user.id).map(messageText).join('\n---\n'),
    visibleText: () => Promise.resolve(harness.visibleTo(ALICE)),
    deleteMessage: async (ref) => { fake.deleteMessage(ref.id); return ref; },
    close: () => fake.close(),
  };
  return harness;
}
