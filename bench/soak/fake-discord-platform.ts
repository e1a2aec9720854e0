import { optionsFor } from '../../test/adapters/discord/harness.ts';
import { buttonPress, slashCommand, type FakeUser, type Place } from '../../test/fake-discord/payloads.ts';
import { FakeDiscord } from '../../test/fake-discord/server.ts';
import { alertAction, alertButton, AlertReader } from './alerts.ts';
import { userAction } from './lost-actions.ts';
import type { ActionWorld, AlertMessage, EditSeen, FailureRates, FakePlatform, PendingAction, SimUser, StatusMessage } from './platform.ts';
import { readDiscordStatus } from './status-reading.ts';

/** The fake Discord as a soak platform: slash commands and button presses over the gateway, PATCH edits. */

const GUILD = '200000000000000077';
const CHANNELS = ['400000000000000071', '400000000000000072', '400000000000000073'] as const;
/** Where the soak's hangup alerts go on Discord. */
export const DISCORD_ALERT_CHANNEL = CHANNELS[0];
export const DISCORD_MODERATOR_ROLE = '300000000000000077';
const USERS: readonly (FakeUser & SimUser)[] = [
  { id: '100000000000000071', username: 'soakmod', roles: [DISCORD_MODERATOR_ROLE], role: 'moderator' },
  { id: '100000000000000072', username: 'soakview', roles: [], role: 'viewer' },
];
const EDIT_PATH = /^\/channels\/\d+\/messages\/\d+$/;
/** Interaction answers: a reply or an update (callback types 4, 6, 7) or a webhook follow-up or edit. */
const ANSWER_TYPES = new Set([4, 6, 7]);

interface Component { readonly type?: number; readonly label?: string; readonly custom_id?: string }

export async function startDiscordPlatform(rates: FailureRates, random: () => number): Promise<{ fake: FakeDiscord; platform: FakePlatform }> {
  const fake = await FakeDiscord.start();
  /** Answered interaction tokens → when the answer arrived. */
  const answered = new Map<string, number>();
  const injected = { rateLimited: 0, serverErrors: 0 };
  const place = (channelId: string): Place => ({ applicationId: fake.applicationId, guildId: GUILD, channelId });

  const command = (text: string, user: FakeUser, channel: string): string => {
    const [sub = 'help', ...words] = text.split(' ');
    return fake.interact(slashCommand(place(channel), user, sub, optionsFor(words, sub))).token;
  };

  const buttonIds = (components: readonly unknown[]): string[] => components
    .flatMap((r) => (r as { components?: Component[] }).components ?? [])
    .flatMap((c) => (c.type === 2 && c.custom_id !== undefined ? [c.custom_id] : []));
  const alerts = new AlertReader();
  const alertMessages = (): AlertMessage[] => {
    const out: AlertMessage[] = [];
    for (const m of fake.state.messages.values()) {
      if (m.deleted || m.interactionUser !== undefined) continue;
      const alert = alerts.read(m.id, m.channelId, buttonIds(m.components));
      if (alert !== undefined) out.push(alert);
    }
    return [...out, ...alerts.retired()];
  };

  const platform: FakePlatform = {
    name: 'discord',
    alertMessages,
    pressAlert(rnd, op) {
      const candidates = alertMessages().filter((m) => alertButton(m, op) !== undefined);
      const alert = candidates[Math.floor(rnd() * candidates.length)];
      const user = USERS[Math.floor(rnd() * USERS.length)] as FakeUser & SimUser;
      const button = alert === undefined ? undefined : alertButton(alert, op);
      if (alert === undefined || button === undefined) return undefined;
      const token = fake.interact(buttonPress(place(alert.conversation), user, fake.apiMessage(alert.id), button)).token;
      const what = `discord ${user.id} (${user.role}) presses ${op === 'ack' ? 'Ack' : 'Resolve'} on alert ${alert.incident} (message ${alert.id} in ${alert.conversation})`;
      return alertAction(platform, what, alert, op, () => answered.has(token));
    },
    conversations: CHANNELS,
    injected,
    watch(room, conversation) {
      command(`watch ${room}`, USERS[0] as FakeUser, conversation);
    },
    statusMessages(): StatusMessage[] {
      const out: StatusMessage[] = [];
      for (const m of fake.state.messages.values()) {
        if (m.deleted || m.interactionUser !== undefined) continue;
        const status = readDiscordStatus(m.embeds);
        if (status !== undefined) out.push({ id: m.id, conversation: m.channelId, status });
      }
      return out;
    },
    takeEdits(): EditSeen[] {
      const edits: EditSeen[] = [];
      for (const call of fake.state.calls.splice(0)) {
        const token = /^\/(?:interactions\/\d+|webhooks\/\d+)\/([^/]+)/.exec(call.path)?.[1];
        if (token !== undefined && call.status < 300) {
          const type = (call.body as { type?: number } | undefined)?.type;
          if (call.path.startsWith('/webhooks/') || (type !== undefined && ANSWER_TYPES.has(type))) answered.set(token, performance.now());
        }
        if (call.method !== 'PATCH' || !EDIT_PATH.test(call.path)) continue;
        edits.push({ messageId: call.path.slice(call.path.lastIndexOf('/') + 1), at: call.at, ok: call.status === 200 });
        const roll = random();
        if (roll < rates.rateLimited) {
          fake.failNext('PATCH', EDIT_PATH, { kind: 'ratelimited', retryAfterSec: rates.retryAfterSec });
          injected.rateLimited++;
        } else if (roll < rates.rateLimited + rates.serverError) {
          fake.failNext('PATCH', EDIT_PATH, { kind: 'api', status: 500, code: 0, message: '500: Internal Server Error' });
          injected.serverErrors++;
        }
      }
      return edits;
    },
    act(rnd, world: ActionWorld): PendingAction | undefined {
      const user = USERS[Math.floor(rnd() * USERS.length)] as FakeUser & SimUser;
      const channel = CHANNELS[Math.floor(rnd() * CHANNELS.length)] as string;
      const issuedAt = performance.now();
      if (rnd() < 0.5) {
        const messages = fake.state.channelMessages(channel).filter((m) => m.interactionUser === undefined);
        const message = messages[Math.floor(rnd() * messages.length)];
        const status = message === undefined ? undefined : readDiscordStatus(message.embeds);
        const buttons = (message?.components ?? []).flatMap((r) => (r as { components?: Component[] }).components ?? [])
          .filter((c) => c.type === 2 && c.custom_id !== undefined && /^(Mute|Unmute)\b/.test(c.label ?? ''));
        const button = buttons[Math.floor(rnd() * buttons.length)];
        if (message === undefined || status === undefined || button?.custom_id === undefined) return undefined;
        const token = fake.interact(buttonPress(place(channel), user, fake.apiMessage(message.id), button.custom_id)).token;
        const label = button.label ?? '';
        const name = /^(?:Mute|Unmute) (.+)$/.exec(label)?.[1];
        const muted = label.startsWith('Mute');
        const what = `discord ${user.id} (${user.role}) presses ${label} in ${status.room} (message ${message.id} in ${channel})`;
        return userAction(what, issuedAt, () => answered.has(token), name === undefined ? undefined : { world, room: status.room, caller: name, muted });
      }
      const room = world.rooms[Math.floor(rnd() * world.rooms.length)] as string;
      const kind = rnd();
      if (kind < 0.3) {
        const text = kind < 0.15 ? 'list' : 'whoami';
        const token = command(text, user, channel);
        return userAction(`discord ${user.id} (${user.role}) types ${text} in ${channel}`, issuedAt, () => answered.has(token));
      }
      const muted = rnd() < 0.5;
      const name = world.pickCaller(room) ?? 'Nobody';
      const text = `${muted ? 'mute' : 'unmute'} ${room} ${name}`;
      const token = command(text, user, channel);
      return userAction(`discord ${user.id} (${user.role}) types ${text} in ${channel}`, issuedAt, () => answered.has(token), { world, room, caller: name, muted });
    },
    pruneLogs(olderThanMs) {
      const before = performance.now() - olderThanMs;
      let dropped = 0;
      for (const [token, at] of answered) {
        if (at >= before) continue;
        answered.delete(token);
        fake.state.tokens.delete(token);
        fake.state.originals.delete(token);
        dropped++;
      }
      const wallBefore = Date.now() - olderThanMs;
      for (const [id, m] of fake.state.messages) {
        if (m.interactionUser === undefined || m.createdAt >= wallBefore) continue;
        fake.state.messages.delete(id);
        dropped++;
      }
      // A resolved alert takes no more presses: its reading is kept, its message dropped. One still
      // open or acked is read and pressed by its buttons alone: its embeds go.
      for (const a of alertMessages()) {
        const m = fake.state.messages.get(a.id);
        if (m === undefined) continue;
        if (a.resolveButton === undefined) {
          if (!alerts.retire(a.id)) continue;
          fake.state.messages.delete(a.id);
          dropped++;
          continue;
        }
        if (m.embeds.length === 0) continue;
        m.embeds = [];
        dropped++;
      }
      // Discord checks a nonce for a few minutes only.
      for (const [nonce, id] of fake.state.nonces) {
        if ((fake.state.messages.get(id)?.createdAt ?? 0) >= wallBefore) continue;
        fake.state.nonces.delete(nonce);
        dropped++;
      }
      return dropped + fake.gateway.forgetDispatched();
    },
    close: () => fake.close(),
  };
  return { fake, platform };
}
