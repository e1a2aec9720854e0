import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { AmiParser, serializeMessage } from '../../../src/ami/protocol.ts';
import type { AmiHeader, AmiMessage } from '../../../src/ami/message.ts';

/**
 * A small AMI server on 127.0.0.1 for client tests. It speaks the real wire format (parsing actions
 * with our own parser, as the embedded PBX does), records every byte it receives, and answers
 * actions with per-action handlers. Built-in: banner, plain and MD5 login, Ping, Logoff.
 */

export const USERNAME = 'bot';
export const SECRET = 'botsecret';
export const CHALLENGE = '893264912';

export type ActionHandler = (conn: ScriptedConnection, action: AmiMessage) => void;

export class ScriptedConnection {
  readonly actions: AmiMessage[] = [];
  /** Every byte the client wrote, in order. */
  received: Buffer = Buffer.alloc(0);
  loggedIn = false;
  private readonly waiters: { name: string; resolve: (msg: AmiMessage) => void }[] = [];
  /** Actions already handed to a waiter, so each is awaited once. */
  private readonly claimed = new Set<AmiMessage>();

  constructor(readonly socket: Socket) {}

  send(headers: readonly AmiHeader[], body?: readonly string[]): void {
    if (!this.socket.destroyed) this.socket.write(serializeMessage(headers, body));
  }

  sendRaw(bytes: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Answers `Response: Success` (plus extra headers) to `action`, echoing its ActionID. */
  ok(action: AmiMessage, ...extra: AmiHeader[]): void {
    this.send([['Response', 'Success'], ['ActionID', action.actionId ?? ''], ...extra]);
  }

  error(action: AmiMessage, message: string): void {
    this.send([['Response', 'Error'], ['ActionID', action.actionId ?? ''], ['Message', message]]);
  }

  /** Resolves with the next action of that name (or one already received and not yet awaited). */
  waitForAction(name: string): Promise<AmiMessage> {
    const seen = this.actions.find((a) => a.get('Action')?.toLowerCase() === name.toLowerCase() && !this.claimed.has(a));
    if (seen !== undefined) {
      this.claimed.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve) => this.waiters.push({ name: name.toLowerCase(), resolve }));
  }

  /** @internal called by the server for each parsed action. */
  deliver(action: AmiMessage): boolean {
    this.actions.push(action);
    const name = action.get('Action')?.toLowerCase();
    const i = this.waiters.findIndex((w) => w.name === name);
    if (i === -1) return false;
    const [waiter] = this.waiters.splice(i, 1);
    this.claimed.add(action);
    waiter?.resolve(action);
    return true;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export interface ScriptedServerOptions {
  banner?: string;
  /** Sends the banner on connect (default true). */
  sendBanner?: boolean;
  /** Serve TLS with this certificate instead of plain TCP. */
  tls?: { key: Buffer; cert: Buffer };
}

export class ScriptedAmiServer {
  readonly connections: ScriptedConnection[] = [];
  private readonly handlers = new Map<string, ActionHandler>();
  private server: Server | undefined;
  private portNumber = 0;
  private readonly connectionWaiters: ((c: ScriptedConnection) => void)[] = [];

  private constructor(private readonly opts: ScriptedServerOptions) {
    this.handle('Login', (conn, a) => {
      const md5 = a.get('AuthType')?.toLowerCase() === 'md5';
      const expectedKey = createHash('md5').update(CHALLENGE + SECRET).digest('hex');
      const good = a.get('Username') === USERNAME && (md5 ? a.get('Key') === expectedKey : a.get('Secret') === SECRET);
      if (!good) {
        conn.error(a, 'Authentication failed');
        return;
      }
      conn.loggedIn = true;
      conn.ok(a, ['Message', 'Authentication accepted']);
      conn.send([['Event', 'FullyBooted'], ['Privilege', 'system,all'], ['Status', 'Fully Booted']]);
    });
    this.handle('Challenge', (conn, a) => conn.ok(a, ['Challenge', CHALLENGE]));
    this.handle('Ping', (conn, a) => conn.ok(a, ['Ping', 'Pong'], ['Timestamp', '1795368822.377740']));
    this.handle('Logoff', (conn, a) => {
      conn.send([['Response', 'Goodbye'], ['ActionID', a.actionId ?? ''], ['Message', 'Thanks for all the fish.']]);
      conn.socket.end();
    });
  }

  static async start(opts: ScriptedServerOptions = {}): Promise<ScriptedAmiServer> {
    const s = new ScriptedAmiServer(opts);
    await s.listen(0);
    return s;
  }

  get port(): number {
    return this.portNumber;
  }

  /** Replaces the handler for an action name (case-insensitive). A handler may stay silent. */
  handle(action: string, handler: ActionHandler): void {
    this.handlers.set(action.toLowerCase(), handler);
  }

  /** Resolves with the next connection (or with connection number `index` once it exists). */
  connection(index: number): Promise<ScriptedConnection> {
    const existing = this.connections[index];
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const check = (): void => {
        const c = this.connections[index];
        if (c !== undefined) resolve(c);
        else this.connectionWaiters.push(check);
      };
      this.connectionWaiters.push(check);
    });
  }

  /** Every byte received on every connection, joined. */
  allReceived(): string {
    return Buffer.concat(this.connections.map((c) => c.received)).toString('utf8');
  }

  private async listen(port: number): Promise<void> {
    const tls = this.opts.tls;
    const server = tls === undefined
      ? createServer((socket) => this.accept(socket))
      : createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => this.accept(socket));
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    this.portNumber = (server.address() as AddressInfo).port;
  }

  private accept(socket: Socket): void {
    const conn = new ScriptedConnection(socket);
    this.connections.push(conn);
    const parser = new AmiParser({ expectBanner: false });
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      conn.received = Buffer.concat([conn.received, chunk]);
      for (const out of parser.push(chunk)) {
        if (out.kind !== 'message') continue;
        const action = out.message;
        const claimed = conn.deliver(action);
        const handler = this.handlers.get(action.get('Action')?.toLowerCase() ?? '');
        if (handler !== undefined) handler(conn, action);
        else if (!claimed) conn.error(action, 'Invalid/unknown command');
      }
    });
    if (this.opts.sendBanner !== false) socket.write(`${this.opts.banner ?? 'Asterisk Call Manager/11.0.0'}\r\n`);
    const waiters = this.connectionWaiters.splice(0);
    for (const w of waiters) w(conn);
  }

  /** Closes the listener and drops every client, like Asterisk stopping. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const c of this.connections) c.destroy();
    if (server !== undefined) {
      server.close();
      await once(server, 'close');
    }
  }

  /** Stops, then listens again on the same port, like Asterisk restarting. */
  async restart(): Promise<void> {
    const port = this.portNumber;
    await this.close();
    await this.listen(port);
  }
}
