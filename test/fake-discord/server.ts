import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { FakeGateway } from './gateway.ts';
import { failureAnswer, route, type Failure, type RestAnswer, type RestRequest } from './rest.ts';
import { apiMessage, EPHEMERAL, FakeState, type FakeMessage, type RecordedCall } from './state.ts';

export { DISCORD_ERRORS, type Failure } from './rest.ts';
export { EPHEMERAL, type FakeMessage, type RecordedCall } from './state.ts';

/**
 * A small local Discord for tests: the REST API under `/api/v10` and the gateway WebSocket at
 * `/gateway`, both on 127.0.0.1 and a free port. The real discord.js `Client` talks to it through
 * its `rest.api` option; `GET /gateway/bot` and READY's `resume_gateway_url` point at the gateway.
 * It records every REST call and can be told to fail the next calls to a route.
 */

const API_PREFIX = '/api/v10';
const UNAUTHORIZED: RestAnswer = { status: 401, body: { message: '401: Unauthorized', code: 0 } };

interface PendingFailure {
  readonly method: string;
  readonly path: RegExp;
  readonly failure: Failure;
  remaining: number;
}

export interface FakeDiscordOptions {
  readonly applicationId?: string;
  readonly heartbeatIntervalMs?: number;
  /**
   * When set, only this bot token is accepted: other tokens get 401 on bot-authenticated routes
   * and close code 4004 (Authentication failed) on IDENTIFY, as with a revoked token.
   */
  readonly botToken?: string;
}

export interface SentInteraction {
  readonly id: string;
  readonly token: string;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw === '') return undefined;
  return req.headers['content-type']?.includes('application/json') === true ? (JSON.parse(raw) as unknown) : raw;
}

function send(res: ServerResponse, answer: RestAnswer): void {
  if (answer.status === 204) {
    res.writeHead(204, answer.headers ?? {});
    res.end();
    return;
  }
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

export class FakeDiscord {
  readonly state = new FakeState();
  readonly applicationId: string;
  readonly gateway: FakeGateway;
  readonly #botToken: string | undefined;
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #failures: PendingFailure[] = [];
  readonly #events = new EventEmitter<{ call: [RecordedCall] }>();
  #port = 0;

  private constructor(options: FakeDiscordOptions) {
    this.applicationId = options.applicationId ?? '900000000000000001';
    this.#botToken = options.botToken;
    this.gateway = new FakeGateway({
      applicationId: this.applicationId,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      url: () => this.gatewayUrl,
      acceptsToken: (token) => options.botToken === undefined || token === options.botToken,
    });
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!req.url?.startsWith('/gateway')) {
        socket.destroy();
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.gateway.accept(ws));
    });
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    fake.#server.listen(0, '127.0.0.1');
    await once(fake.#server, 'listening');
    fake.#port = (fake.#server.address() as AddressInfo).port;
    return fake;
  }

  /** Base URL for discord.js's `rest.api` option (the client appends `/v10`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.#port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.#port}/gateway`;
  }

  get calls(): readonly RecordedCall[] {
    return this.state.calls;
  }

  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.state.calls.filter((c) => c.method === method && path.test(c.path));
  }

  /** Resolves with the first call (already made or future) that matches. */
  waitForCall(method: string, path: RegExp, predicate: (call: RecordedCall) => boolean = () => true): Promise<RecordedCall> {
    const match = (c: RecordedCall): boolean => c.method === method && path.test(c.path) && predicate(c);
    const seen = this.state.calls.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const listener = (c: RecordedCall): void => {
        if (!match(c)) return;
        this.#events.off('call', listener);
        resolve(c);
      };
      this.#events.on('call', listener);
    });
  }

  /** The next `times` calls of `method` to a path matching `path` fail with `failure`. */
  failNext(method: string, path: RegExp, failure: Failure, times = 1): void {
    this.#failures.push({ method, path, failure, remaining: times });
  }

  /** Sends an INTERACTION_CREATE (see payloads.ts); its token's messages land in its channel. */
  interact(payload: Record<string, unknown>): SentInteraction {
    const token = String(payload['token']);
    const member = payload['member'] as { user: { id: string } } | undefined;
    this.state.tokens.set(token, { channelId: String(payload['channel_id']), userId: member?.user.id ?? '' });
    this.gateway.dispatch('INTERACTION_CREATE', payload);
    return { id: String(payload['id']), token };
  }

  /** The API object of a message, for a button press on it. */
  apiMessage(id: string): Record<string, unknown> {
    const m = this.state.messages.get(id);
    if (m === undefined) throw new Error(`no message ${id}`);
    return apiMessage(m);
  }

  /** A person deletes a message in the client: later edits of it answer 10008 Unknown Message. */
  deleteMessage(id: string): void {
    const m = this.state.messages.get(id);
    if (m === undefined) throw new Error(`no message ${id}`);
    m.deleted = true;
  }

  /** Messages of a channel that `userId` sees: everyone's, plus ephemeral ones answered to them. */
  visibleTo(channelId: string, userId: string): FakeMessage[] {
    return this.state.channelMessages(channelId).filter((m) => (m.flags & EPHEMERAL) === 0 || m.interactionUser === userId);
  }

  async close(): Promise<void> {
    this.gateway.close();
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith(API_PREFIX)) {
      send(res, { status: 404, body: { message: '404: Not Found', code: 0 } });
      return;
    }
    const request: RestRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname.slice(API_PREFIX.length)),
      query: url.searchParams,
      body: await readBody(req),
      authorization: req.headers.authorization,
    };
    const failure = this.#takeFailure(request);
    const answer = failure !== undefined && failure.kind !== 'late'
      ? failureAnswer(failure, request.path)
      : this.#unauthorized(request) ? UNAUTHORIZED : route({ state: this.state, gatewayUrl: () => this.gatewayUrl }, request);
    const call: RecordedCall = { ...request, status: answer.status, at: performance.now() };
    this.state.calls.push(call);
    this.#events.emit('call', call);
    if (failure?.kind === 'late') setTimeout(() => send(res, answer), failure.delayMs).unref();
    else send(res, answer);
  }

  /** Interaction callbacks and webhooks carry their token in the path; everything else needs the bot token. */
  #unauthorized(req: RestRequest): boolean {
    if (this.#botToken === undefined || /^\/(interactions|webhooks)\//.test(req.path)) return false;
    return req.authorization !== `Bot ${this.#botToken}`;
  }

  #takeFailure(req: RestRequest): Failure | undefined {
    const pending = this.#failures.find((f) => f.method === req.method && f.path.test(req.path) && f.remaining > 0);
    if (pending === undefined) return undefined;
    pending.remaining -= 1;
    if (pending.remaining === 0) this.#failures.splice(this.#failures.indexOf(pending), 1);
    return pending.failure;
  }
}
