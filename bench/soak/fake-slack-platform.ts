import { blockActions, slashCommand, type Who } from '../../test/adapters/fake-slack/payloads.ts';
import { FakeSlack } from '../../test/adapters/fake-slack/server.ts';
import { alertAction, alertButton, AlertReader } from './alerts.ts';
import type { AlertMessage, EditSeen, FailureRates, FakePlatform, PendingAction, SimUser, StatusMessage } from './platform.ts';
import { userAction } from './lost-actions.ts';
import { readSlackStatus } from './status-reading.ts';

/** The fake Slack as a soak platform: Socket Mode commands and button presses, chat.update edits. */

const CHANNELS = ['C0SOAK1', 'C0SOAK2', 'C0SOAK3'] as const;
/** Where the soak's hangup alerts go on Slack. */
export const SLACK_ALERT_CHANNEL = CHANNELS[0];
export const SLACK_USERS: readonly SimUser[] = [
  { id: 'U0SOAKADMIN', role: 'admin' },
  { id: 'U0SOAKMOD', role: 'moderator' },
  { id: 'U0SOAKVIEW', role: 'viewer' },
];

interface Element { readonly type?: string; readonly action_id?: string; readonly value?: string; readonly text?: { readonly text?: string } }
interface Block { readonly type?: string; readonly block_id?: string; readonly text?: { readonly text?: string }; readonly accessory?: Element; readonly elements?: Element[] }
interface Press { readonly who: string; readonly element: Element; readonly blockId: string; readonly label: string }

/** Mute/Unmute buttons in person rows: the presses whose outcome the PBX shows. */
function muteButtons(blocks: readonly unknown[]): Press[] {
  const out: Press[] = [];
  let who: string | undefined;
  for (const [i, block] of (blocks as Block[]).entries()) {
    if (block.type === 'section') {
      who = /^\*([^*]+)\*/.exec(block.text?.text ?? '')?.[1];
      const el = block.accessory;
      if (who !== undefined && el !== undefined && (el.text?.text === 'Mute' || el.text?.text === 'Unmute')) out.push({ who, element: el, blockId: block.block_id ?? `b${i}`, label: el.text.text });
      continue;
    }
    if (who === undefined || block.type !== 'actions') continue;
    for (const el of block.elements ?? []) {
      const label = el.text?.text;
      if (el.type === 'button' && (label === 'Mute' || label === 'Unmute')) out.push({ who, element: el, blockId: block.block_id ?? `b${i}`, label });
    }
  }
  return out;
}

/** Every button of a message with the block it sits in. */
function buttonsOf(blocks: readonly unknown[]): { element: Element; blockId: string }[] {
  return (blocks as Block[]).flatMap((block, i) => [block.accessory, ...(block.elements ?? [])]
    .filter((el): el is Element => el?.type === 'button')
    .map((element) => ({ element, blockId: block.block_id ?? `b${i}` })));
}

/**
 * Slack shows the person an error when an app does not acknowledge a command or press within 3 s
 * (operation_timeout), and when it cannot hand one over because the app has no open Socket Mode
 * connection, or the connection closed first.
 */
export const SLACK_ACK_DEADLINE_MS = 3_000;

export interface SlackPlatformOptions {
  /** Default SLACK_ACK_DEADLINE_MS; tests shorten it. */
  readonly ackDeadlineMs?: number;
}

export async function startSlackPlatform(rates: FailureRates, random: () => number, options: SlackPlatformOptions = {}): Promise<{ fake: FakeSlack; platform: FakePlatform }> {
  const fake = await FakeSlack.start();
  const ackDeadlineMs = options.ackDeadlineMs ?? SLACK_ACK_DEADLINE_MS;
  /** Answered command and press ids → when the answer arrived. */
  const answered = new Map<string, number>();
  const answer = (id: string): void => {
    answered.set(id, performance.now());
  };
  /** Ids Slack could not hand over → when it gave up, and the connections opened before it was sent. */
  const undelivered = new Map<string, { readonly at: number; readonly connectionsBefore: number }>();
  let lateAcks = 0;
  /** Hands an envelope to the bot as Slack does; an acknowledgement may carry the answer. */
  const send = (type: 'slash_commands' | 'interactive', payload: Record<string, unknown>, id: string): void => {
    const sentAt = performance.now();
    const connectionsBefore = fake.socketConnections;
    fake.deliver(type, payload).then((ack) => {
      // Slack has shown the person an error by then; the late answer is still counted, and so is this.
      if (performance.now() - sentAt > ackDeadlineMs) lateAcks++;
      if (ack.payload !== undefined) answer(id);
    }, () => {
      undelivered.set(id, { at: performance.now(), connectionsBefore });
    });
  };
  /**
   * Slack told the person it failed, and the bot's link came back after it: counted apart from lost
   * actions. A link that never comes back leaves them lost, so a dead Socket Mode fails the run.
   */
  const failedOnSlack = (id: string) => (): boolean => {
    const failure = undelivered.get(id);
    return failure !== undefined && fake.socketConnections > failure.connectionsBefore;
  };
  const injected = { rateLimited: 0, serverErrors: 0 };
  const who = (user: SimUser, channel: string): Who => ({ userId: user.id, userName: user.id.toLowerCase(), channelId: channel, teamId: 'T0FAKE' });

  const command = (text: string, user: SimUser, channel: string): string => {
    const url = fake.responseUrl();
    const id = url.slice(url.lastIndexOf('/') + 1);
    send('slash_commands', slashCommand(text, url, who(user, channel)), id);
    return id;
  };

  const press = (user: SimUser, channel: string, message: { ts: string; text: string; blocks: unknown[] }, element: Element, blockId: string): string => {
    const url = fake.responseUrl();
    const id = url.slice(url.lastIndexOf('/') + 1);
    const base = blockActions({ value: element.value ?? '', messageTs: message.ts, responseUrl: url, who: who(user, channel) });
    const payload = {
      ...base,
      message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
      actions: [{ type: 'button', action_id: element.action_id, block_id: blockId, text: element.text, value: element.value, action_ts: '1700000001.000001' }],
    };
    send('interactive', payload, id);
    return id;
  };

  const alerts = new AlertReader();
  const alertMessages = (): AlertMessage[] => {
    const out: AlertMessage[] = [];
    for (const m of fake.messages.values()) {
      if (m.threadTs !== undefined) continue;
      const alert = alerts.read(m.ts, m.channel, buttonsOf(m.blocks).map((b) => b.element.value ?? ''));
      if (alert !== undefined) out.push(alert);
    }
    return [...out, ...alerts.retired()];
  };

  const platform: FakePlatform = {
    name: 'slack',
    lateAcknowledgements: () => lateAcks,
    alertMessages,
    pressAlert(rnd, op) {
      const candidates = alertMessages().filter((m) => alertButton(m, op) !== undefined);
      const alert = candidates[Math.floor(rnd() * candidates.length)];
      const user = SLACK_USERS[Math.floor(rnd() * SLACK_USERS.length)] as SimUser;
      const message = alert === undefined ? undefined : fake.messages.get(alert.id);
      const wanted = alert === undefined ? undefined : alertButton(alert, op);
      const button = message === undefined ? undefined : buttonsOf(message.blocks).find((b) => b.element.value === wanted);
      if (alert === undefined || message === undefined || button === undefined) return undefined;
      const id = press(user, message.channel, message, button.element, button.blockId);
      const what = `slack ${user.id} (${user.role}) presses ${op === 'ack' ? 'Ack' : 'Resolve'} on alert ${alert.incident} (message ${alert.id} in ${message.channel})`;
      return { ...alertAction(platform, what, alert, op, () => answered.has(id)), failedOnPlatform: failedOnSlack(id) };
    },
    conversations: CHANNELS,
    injected,
    watch(room, conversation) {
      command(`show ${room}`, SLACK_USERS[0] as SimUser, conversation);
    },
    statusMessages(): StatusMessage[] {
      const out: StatusMessage[] = [];
      for (const m of fake.messages.values()) {
        if (m.threadTs !== undefined) continue;
        const status = readSlackStatus(m.blocks);
        if (status !== undefined) out.push({ id: m.ts, conversation: m.channel, status });
      }
      return out;
    },
    takeEdits(): EditSeen[] {
      const edits: EditSeen[] = [];
      for (const call of fake.calls.splice(0)) {
        if (call.method !== 'chat.update') continue;
        edits.push({ messageId: String(call.params['ts']), at: call.at, ok: true });
        const roll = random();
        if (roll < rates.rateLimited) {
          fake.failNext('chat.update', { kind: 'ratelimited', retryAfterSec: rates.retryAfterSec });
          injected.rateLimited++;
        } else if (roll < rates.rateLimited + rates.serverError) {
          fake.failNext('chat.update', { kind: 'http', status: 500 });
          injected.serverErrors++;
        }
      }
      for (const r of fake.responses.splice(0)) answer(r.id);
      return edits;
    },
    act(rnd, world): PendingAction | undefined {
      const user = SLACK_USERS[Math.floor(rnd() * SLACK_USERS.length)] as SimUser;
      const channel = CHANNELS[Math.floor(rnd() * CHANNELS.length)] as string;
      const issuedAt = performance.now();
      if (rnd() < 0.5) {
        const messages = [...fake.messages.values()].filter((m) => m.channel === channel && m.threadTs === undefined);
        const message = messages[Math.floor(rnd() * messages.length)];
        const presses = message === undefined ? [] : muteButtons(message.blocks);
        const button = presses[Math.floor(rnd() * presses.length)];
        const status = message === undefined ? undefined : readSlackStatus(message.blocks);
        if (message === undefined || button === undefined || status === undefined) return undefined;
        const id = press(user, channel, message, button.element, button.blockId);
        const name = button.who.replace(/ \(.*\)$/, '');
        const muted = button.label === 'Mute';
        const what = `slack ${user.id} (${user.role}) presses ${button.label} on ${name} in ${status.room} (message ${message.ts} in ${channel})`;
        return { ...userAction(what, issuedAt, () => answered.has(id), { world, room: status.room, caller: name, muted }), failedOnPlatform: failedOnSlack(id) };
      }
      const room = world.rooms[Math.floor(rnd() * world.rooms.length)] as string;
      const kind = rnd();
      if (kind < 0.3) {
        const text = kind < 0.15 ? 'list' : 'whoami';
        const id = command(text, user, channel);
        return { ...userAction(`slack ${user.id} (${user.role}) types ${text} in ${channel}`, issuedAt, () => answered.has(id)), failedOnPlatform: failedOnSlack(id) };
      }
      const muted = rnd() < 0.5;
      const name = world.pickCaller(room) ?? 'Nobody';
      const text = `${muted ? 'mute' : 'unmute'} ${room} ${name}`;
      const id = command(text, user, channel);
      return { ...userAction(`slack ${user.id} (${user.role}) types ${text} in ${channel}`, issuedAt, () => answered.has(id), { world, room, caller: name, muted }), failedOnPlatform: failedOnSlack(id) };
    },
    pruneLogs(olderThanMs) {
      const before = performance.now() - olderThanMs;
      let dropped = 0;
      for (const [id, at] of answered) {
        if (at >= before) continue;
        answered.delete(id);
        dropped++;
      }
      for (const [id, failure] of undelivered) {
        if (failure.at >= before) continue;
        undelivered.delete(id);
        dropped++;
      }
      // Thread notes (the audit lines under status messages) are never read by the soak.
      for (const [ts, m] of fake.messages) {
        if (m.threadTs === undefined) continue;
        fake.messages.delete(ts);
        dropped++;
      }
      // A resolved alert takes no more presses: its reading is kept, its message dropped. One still
      // open or acked is read and pressed by its buttons alone: its other blocks go.
      for (const a of alertMessages()) {
        const m = fake.messages.get(a.id);
        if (m === undefined) continue;
        if (a.resolveButton === undefined) {
          if (!alerts.retire(a.id)) continue;
          fake.messages.delete(a.id);
          dropped++;
          continue;
        }
        const withButtons = m.blocks.filter((block) => buttonsOf([block]).length > 0);
        if (withButtons.length === m.blocks.length) continue;
        m.blocks = withButtons;
        dropped++;
      }
      return dropped;
    },
    close: () => fake.close(),
  };
  return { fake, platform };
}
