import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { BOT_USER } from './state.ts';

/**
 * The gateway half of the fake Discord: one session at a time. HELLO on connect, IDENTIFY → READY
 * (whose resume_gateway_url points back here), heartbeat ACKs, dispatches with sequence numbers,
 * and RESUME after a drop: missed dispatches are replayed, then RESUMED.
 */

const OP = { dispatch: 0, heartbeat: 1, identify: 2, resume: 6, reconnect: 7, invalidSession: 9, hello: 10, heartbeatAck: 11 } as const;

/** A close code the client answers by resuming (4000 Unknown error). */
const RESUMABLE_CLOSE = 4000;
/** Authentication failed: the client gives up. */
const AUTHENTICATION_FAILED = 4004;

export interface GatewayOptions {
  readonly applicationId: string;
  readonly heartbeatIntervalMs: number;
  readonly url: () => string;
  readonly acceptsToken: (token: string) => boolean;
}

interface Dispatch {
  readonly s: number;
  readonly t: string;
  readonly d: unknown;
}

export interface GatewayEvents {
  identify: [{ token: string; intents: number }];
  resume: [{ sessionId: string; seq: number }];
  heartbeat: [];
}

export class FakeGateway extends EventEmitter<GatewayEvents> {
  readonly identifies: { token: string; intents: number }[] = [];
  resumes = 0;
  heartbeats = 0;
  #socket: WebSocket | undefined;
  #sessionId: string | undefined;
  #seq = 0;
  readonly #log: Dispatch[] = [];
  readonly #o: GatewayOptions;

  constructor(options: GatewayOptions) {
    super();
    this.#o = options;
  }

  /** True once a session has been identified or resumed on the current socket. */
  get ready(): boolean {
    return this.#socket !== undefined && this.#sessionId !== undefined && this.#live;
  }

  #live = false;

  accept(socket: WebSocket): void {
    this.#socket?.terminate();
    this.#socket = socket;
    this.#live = false;
    socket.on('message', (raw) => this.#receive(socket, raw.toString()));
    socket.on('close', () => {
      if (this.#socket === socket) {
        this.#socket = undefined;
        this.#live = false;
      }
    });
    this.#send(socket, { op: OP.hello, d: { heartbeat_interval: this.#o.heartbeatIntervalMs } });
  }

  /**
   * Forgets the events already delivered to a live session (long soak runs); returns how many.
   * Only events a resume would need are kept.
   */
  forgetDispatched(): number {
    if (!this.ready) return 0;
    const n = this.#log.length;
    this.#log.length = 0;
    return n;
  }

  /** Sends an event to the bot (queued for replay when no session is live). */
  dispatch(t: string, d: unknown): void {
    this.#seq += 1;
    const event = { s: this.#seq, t, d };
    this.#log.push(event);
    if (this.#live && this.#socket !== undefined) this.#send(this.#socket, { op: OP.dispatch, ...event });
  }

  /** Drops the socket the way a network blip does; the client is expected to resume. */
  drop(): void {
    this.#live = false;
    this.#socket?.close(RESUMABLE_CLOSE, 'fake drop');
  }

  close(): void {
    this.#socket?.terminate();
    this.#socket = undefined;
  }

  #receive(socket: WebSocket, raw: string): void {
    const payload = JSON.parse(raw) as { op: number; d: unknown };
    switch (payload.op) {
      case OP.heartbeat:
        this.heartbeats += 1;
        this.#send(socket, { op: OP.heartbeatAck });
        this.emit('heartbeat');
        return;
      case OP.identify:
        this.#identify(socket, payload.d as { token: string; intents: number });
        return;
      case OP.resume:
        this.#resume(socket, payload.d as { session_id: string; seq: number });
        return;
      default:
        return;
    }
  }

  #identify(socket: WebSocket, d: { token: string; intents: number }): void {
    if (!this.#o.acceptsToken(d.token)) {
      socket.close(AUTHENTICATION_FAILED, 'Authentication failed.');
      return;
    }
    this.identifies.push({ token: d.token, intents: d.intents });
    this.#sessionId = `session-${this.identifies.length}`;
    this.#live = true;
    this.emit('identify', { token: d.token, intents: d.intents });
    this.dispatch('READY', {
      v: 10,
      user: BOT_USER,
      guilds: [],
      session_id: this.#sessionId,
      resume_gateway_url: this.#o.url(),
      shard: [0, 1],
      application: { id: this.#o.applicationId, flags: 0 },
    });
  }

  #resume(socket: WebSocket, d: { session_id: string; seq: number }): void {
    if (d.session_id !== this.#sessionId) {
      this.#send(socket, { op: OP.invalidSession, d: false });
      return;
    }
    this.resumes += 1;
    this.#live = true;
    for (const missed of this.#log.filter((e) => e.s > d.seq)) this.#send(socket, { op: OP.dispatch, ...missed });
    this.emit('resume', { sessionId: d.session_id, seq: d.seq });
    this.dispatch('RESUMED', {});
  }

  #send(socket: WebSocket, payload: Record<string, unknown>): void {
    socket.send(JSON.stringify({ s: null, t: null, ...payload }));
  }
}
