import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A local stand-in for Slack: the Web API (`/api/<method>`), response_url endpoints
 * (`/response/<n>`) and the Socket Mode WebSocket that `apps.connections.open` points at. It records
 * every call, answers like Slack does, and can be told to fail the next call to a method.
 */

export interface RecordedCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly token: string | undefined;
  /** `performance.now()` when the request arrived, for checking the pacing between calls. */
  readonly at: number;
}

export interface RecordedResponse {
  readonly id: string;
  readonly body: Record<string, unknown>;
}

export type Failure =
  | { readonly kind: 'ratelimited'; readonly retryAfterSec: number }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'error'; readonly error: string }
  /** Never answers (until the fake closes), like a Slack too slow to wait for. */
  | { readonly kind: 'stall' }
  /** Acts at once (a post is made) but answers only after `delayMs`, like a Slack under load. */
  | { readonly kind: 'late'; readonly delayMs: number };

export interface FakeMessage {
  readonly channel: string;
  readonly ts: string;
  text: string;
  blocks: unknown[];
  readonly threadTs: string | undefined;
}

/** The Socket Mode connection closed before the client acknowledged the envelope. */
export class SocketClosedError extends Error {
  constructor(readonly envelopeId: string) {
    super(`the Socket Mode connection closed before envelope ${envelopeId} was acknowledged`);
    this.name = 'SocketClosedError';
  }
}

export interface SocketAck {
  readonly envelope_id: string;
  readonly payload?: unknown;
}

export interface FakeUserGroup {
  readonly id: string;
  readonly users: readonly string[];
}

function parseValue(value: string): unknown {
  if (value.startsWith('[') || value.startsWith('{')) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseParams(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json') === true) return raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) out[key] = parseValue(value);
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly responses: RecordedResponse[] = [];
  readonly messages = new Map<string, FakeMessage>();
  userGroups: FakeUserGroup[] = [];
  /** Status the response_url endpoints answer with (Slack answers 404 once a URL is spent). */
  responseUrlStatus = 200;
  /** Bot token the fake accepts; anything else is `invalid_auth`. */
  readonly botToken: string;
  readonly appToken: string;
  /** The bot's @name, as auth.test reports it. */
  readonly botUserName: string;

  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly events = new EventEmitter();
  private readonly failures = new Map<string, Failure[]>();
  private readonly sockets = new Set<WebSocket>();
  /** Envelopes sent and not acknowledged yet; an entry goes once acked or once its socket closes. */
  private readonly awaitingAck = new Map<string, { readonly socket: WebSocket; readonly resolve: (ack: SocketAck) => void; readonly reject: (err: Error) => void }>();
  /** Socket Mode connections opened so far (a reconnect opens a new one). */
  socketConnections = 0;
  /** Socket Mode connections refused so far (see `refuseNextSockets`). */
  socketsRefused = 0;
  private refuseUpgrades = 0;
  private seq = 0;
  private envelopeSeq = 0;
  private port = 0;

  private constructor(botToken: string, appToken: string, botUserName: string) {
    this.botToken = botToken;
    this.appToken = appToken;
    this.botUserName = botUserName;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => sendJson(res, 500, { ok: false, error: String(err) }));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (req.url !== '/socket' || this.refuseUpgrades > 0) {
        if (req.url === '/socket') {
          this.refuseUpgrades -= 1;
          this.socketsRefused += 1;
          this.events.emit('change');
        }
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
  }

  static async start(options: { botToken?: string; appToken?: string; botUserName?: string } = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(options.botToken ?? 'xoxb-test-bot-token', options.appToken ?? 'xapp-test-app-token', options.botUserName ?? 'meetme');
    fake.server.listen(0, '127.0.0.1');
    await once(fake.server, 'listening');
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A fresh response_url pointing at this fake. */
  responseUrl(): string {
    return `http://127.0.0.1:${this.port}/response/${++this.seq}`;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Queues a failure for the next call to `method`. */
  failNext(method: string, failure: Failure): void {
    const queue = this.failures.get(method) ?? [];
    queue.push(failure);
    this.failures.set(method, queue);
  }

  /** Simulates a person deleting a message. */
  deleteMessage(ts: string): void {
    this.messages.delete(ts);
  }

  /** Resolves once `method` has been called `count` times in total. */
  waitForCalls(method: string, count = 1): Promise<RecordedCall[]> {
    return this.waitFor(() => {
      const calls = this.callsTo(method);
      return calls.length >= count ? calls : undefined;
    });
  }

  /** Resolves once `count` response_url posts have arrived. */
  waitForResponses(count = 1): Promise<RecordedResponse[]> {
    return this.waitFor(() => (this.responses.length >= count ? this.responses : undefined));
  }

  private waitFor<T>(check: () => T | undefined): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const listener = (): void => {
        const value = check();
        if (value === undefined) return;
        this.events.off('change', listener);
        resolve(value);
      };
      this.events.on('change', listener);
    });
  }

  // ---- Socket Mode ----

  /** Resolves once a Socket Mode client is connected (after `hello`). */
  socketConnected(): Promise<void> {
    return this.waitFor(() => (this.sockets.size > 0 ? true : undefined)).then(() => undefined);
  }

  /** Resolves once `count` Socket Mode connections have been opened in total and one is open. */
  socketConnectedTimes(count: number): Promise<void> {
    return this.waitFor(() => (this.socketConnections >= count && this.sockets.size > 0 ? true : undefined)).then(() => undefined);
  }

  /** Resolves once `count` Socket Mode connections have been opened in total, open or not. */
  socketOpenedTimes(count: number): Promise<void> {
    return this.waitFor(() => (this.socketConnections >= count ? true : undefined)).then(() => undefined);
  }

  /** Resolves once no Socket Mode connection is open. */
  socketsClosed(): Promise<void> {
    return this.waitFor(() => (this.sockets.size === 0 ? true : undefined)).then(() => undefined);
  }

  /** The next `count` Socket Mode connections fail while opening, like a network failing mid-reconnect. */
  refuseNextSockets(count = 1): void {
    this.refuseUpgrades += count;
  }

  /** Resolves once `count` Socket Mode connections have been refused in total. */
  socketRefusedTimes(count: number): Promise<void> {
    return this.waitFor(() => (this.socketsRefused >= count ? true : undefined)).then(() => undefined);
  }

  /** Drops every Socket Mode connection without a close handshake, like a network cut. */
  dropSockets(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  /**
   * Sends an envelope (`slash_commands`, `interactive`) to the connected client and resolves with
   * the client's acknowledgement of that envelope. Rejects when no client is connected, or when the
   * socket closes before the acknowledgement (Slack then shows the person an error).
   */
  deliver(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>): Promise<SocketAck> {
    const [socket] = this.sockets;
    if (socket === undefined) return Promise.reject(new Error('no Socket Mode client connected'));
    const envelopeId = `env-${++this.envelopeSeq}`;
    const acked = new Promise<SocketAck>((resolve, reject) => {
      this.awaitingAck.set(envelopeId, { socket, resolve, reject });
    });
    socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type === 'slash_commands' }));
    return acked;
  }

  /** Envelopes delivered whose acknowledgement has not arrived (their socket still open). */
  get unacknowledged(): number {
    return this.awaitingAck.size;
  }

  /** Sends an Events API event (`app_home_opened`, `tokens_revoked`...) over Socket Mode. */
  deliverEvent(event: Record<string, unknown>): Promise<SocketAck> {
    return this.deliver('events_api', {
      token: 'legacy-verification-token', team_id: 'T0FAKE', api_app_id: 'A0FAKE', type: 'event_callback',
      event_id: `Ev${++this.envelopeSeq}`, event_time: 1_700_000_000, event,
    });
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    this.socketConnections += 1;
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as SocketAck;
      const waiting = this.awaitingAck.get(message.envelope_id);
      this.awaitingAck.delete(message.envelope_id);
      waiting?.resolve(message);
    });
    ws.on('close', () => {
      this.sockets.delete(ws);
      for (const [id, waiting] of this.awaitingAck) {
        if (waiting.socket !== ws) continue;
        this.awaitingAck.delete(id);
        waiting.reject(new SocketClosedError(id));
      }
      this.events.emit('change');
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0FAKE' } }));
    this.events.emit('change');
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const raw = await readBody(req);
    if (url.startsWith('/response/')) {
      this.responses.push({ id: url.slice('/response/'.length), body: JSON.parse(raw) as Record<string, unknown> });
      this.events.emit('change');
      res.writeHead(this.responseUrlStatus, { 'content-type': 'text/plain' });
      res.end(this.responseUrlStatus === 200 ? 'ok' : 'used_url');
      return;
    }
    if (!url.startsWith('/api/')) {
      sendJson(res, 404, { ok: false, error: 'not_found' });
      return;
    }
    const method = url.slice('/api/'.length).split('?')[0] ?? '';
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') === true ? auth.slice('Bearer '.length) : undefined;
    const params = parseParams(raw, req.headers['content-type']);
    this.calls.push({ method, params, token, at: performance.now() });
    this.events.emit('change');

    const failure = this.failures.get(method)?.shift();
    // A stalled request stays open without an answer; close() drops it.
    if (failure?.kind === 'stall') return;
    if (failure?.kind === 'late') {
      const answer = this.answer(method, params);
      setTimeout(() => sendJson(res, 200, answer), failure.delayMs).unref();
      return;
    }
    if (failure !== undefined) {
      if (failure.kind === 'ratelimited') {
        sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfterSec) });
      } else if (failure.kind === 'http') {
        sendJson(res, failure.status, { ok: false, error: 'internal_error' });
      } else {
        sendJson(res, 200, { ok: false, error: failure.error });
      }
      return;
    }
    const expected = method === 'apps.connections.open' ? this.appToken : this.botToken;
    if (token !== expected) {
      sendJson(res, 200, { ok: false, error: 'invalid_auth' });
      return;
    }
    sendJson(res, 200, this.answer(method, params));
  }

  private answer(method: string, params: Record<string, unknown>): Record<string, unknown> {
    const str = (key: string): string => (typeof params[key] === 'string' ? (params[key] as string) : '');
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: this.botUserName, team_id: 'T0FAKE', user_id: 'U0BOT', bot_id: 'B0BOT' };
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${this.port}/socket` };
      case 'chat.postMessage': {
        const ts = `1700000000.${String(++this.seq).padStart(6, '0')}`;
        const blocks = Array.isArray(params['blocks']) ? (params['blocks'] as unknown[]) : [];
        const threadTs = str('thread_ts') || undefined;
        this.messages.set(ts, { channel: str('channel'), ts, text: str('text'), blocks, threadTs });
        return { ok: true, channel: str('channel'), ts, message: { text: str('text'), ts } };
      }
      case 'chat.update': {
        const message = this.messages.get(str('ts'));
        if (message === undefined || message.channel !== str('channel')) return { ok: false, error: 'message_not_found' };
        message.text = str('text');
        message.blocks = Array.isArray(params['blocks']) ? (params['blocks'] as unknown[]) : [];
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `1700000000.${String(++this.seq).padStart(6, '0')}` };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${str('users')}` } };
      case 'usergroups.list':
        return {
          ok: true,
          usergroups: this.userGroups.map((g) => (params['include_users'] === 'true' ? { id: g.id, users: g.users } : { id: g.id })),
        };
      case 'views.publish':
        return { ok: true, view: { id: 'V0HOME', type: 'home' } };
      case 'usergroups.users.list':
        return { ok: true, users: this.userGroups.find((g) => g.id === str('usergroup'))?.users ?? [] };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
