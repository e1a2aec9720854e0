/**
 * What the fake Discord remembers: messages in channels (status messages, replies, follow-ups) and
 * every REST call, so tests can look at the screen and at the wire.
 */

export const BOT_USER = { id: '900000000000000001', username: 'meetme-bot', discriminator: '0', global_name: 'meetme-bot', avatar: null, bot: true } as const;

/** Message flag EPHEMERAL (1 << 6): only the interaction's user sees it. */
export const EPHEMERAL = 64;

export interface RecordedCall {
  readonly method: string;
  /** Path after `/api/v10`, e.g. `/channels/123/messages`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  /** `Bot <token>` or undefined: interaction and webhook routes carry no bot token. */
  readonly authorization: string | undefined;
  /** The HTTP status the fake answered with (429 and errors included). */
  readonly status: number;
  readonly at: number;
}

export interface FakeMessage {
  readonly id: string;
  readonly channelId: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  flags: number;
  /** The interaction that created it (replies and follow-ups), so ephemeral ones stay with their user. */
  readonly interactionUser: string | undefined;
  readonly replyTo: string | undefined;
  deleted: boolean;
  editedAt: number | undefined;
  /** Not a real Discord field: when the message was posted, for 30046 on demand. */
  readonly createdAt: number;
}

export type MessageBody = Partial<{ content: string; embeds: unknown[]; components: unknown[]; flags: number }> & Record<string, unknown>;

let snowflakeCounter = 1_000_000n;

/** A fresh snowflake-shaped id (numeric string), increasing. */
export function snowflake(): string {
  snowflakeCounter += 1n;
  return (BigInt(Date.now() - 1_420_070_400_000) * 4_194_304n + snowflakeCounter).toString();
}

export function apiMessage(m: FakeMessage): Record<string, unknown> {
  return {
    id: m.id,
    channel_id: m.channelId,
    type: m.replyTo !== undefined ? 19 : 0,
    author: BOT_USER,
    content: m.content,
    embeds: m.embeds,
    components: m.components,
    flags: m.flags,
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: new Date(m.createdAt).toISOString(),
    edited_timestamp: m.editedAt === undefined ? null : new Date(m.editedAt).toISOString(),
    ...(m.replyTo !== undefined ? { message_reference: { message_id: m.replyTo, channel_id: m.channelId } } : {}),
  };
}

export class FakeState {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, FakeMessage>();
  /** interaction token → the id of its original response message (after the first callback). */
  readonly originals = new Map<string, string>();
  /** Commands registered per scope (`global` or `guild:<id>`). */
  readonly commands = new Map<string, unknown[]>();
  /** interaction token → where it came from and who triggered it (ephemeral messages stay theirs). */
  readonly tokens = new Map<string, { readonly channelId: string; readonly userId: string }>();
  /** Autocomplete answers per interaction id. */
  readonly autocomplete = new Map<string, unknown>();
  /** `<channel>/<nonce>` of a message created with `enforce_nonce` → its id. */
  readonly nonces = new Map<string, string>();

  addMessage(channelId: string, body: MessageBody, extra: { interactionUser?: string; replyTo?: string; flags?: number } = {}): FakeMessage {
    const message: FakeMessage = {
      id: snowflake(),
      channelId,
      content: typeof body.content === 'string' ? body.content : '',
      embeds: Array.isArray(body.embeds) ? body.embeds : [],
      components: Array.isArray(body.components) ? body.components : [],
      flags: extra.flags ?? (typeof body.flags === 'number' ? body.flags : 0),
      interactionUser: extra.interactionUser,
      replyTo: extra.replyTo,
      deleted: false,
      editedAt: undefined,
      createdAt: Date.now(),
    };
    this.messages.set(message.id, message);
    return message;
  }

  editMessage(message: FakeMessage, body: MessageBody): void {
    if (typeof body.content === 'string') message.content = body.content;
    if (Array.isArray(body.embeds)) message.embeds = body.embeds;
    if (Array.isArray(body.components)) message.components = body.components;
    message.editedAt = Date.now();
  }

  /** Live messages of a channel in posting order. */
  channelMessages(channelId: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId && !m.deleted);
  }
}
