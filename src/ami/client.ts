import { EventEmitter } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { BotError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { AmiParser, serializeAction, type AmiParserOutput } from './protocol.ts';
import type { AmiMessage } from './message.ts';
import type { AmiActionRequest, AmiCallOptions, AmiFieldValue, AmiLink } from './types.ts';
import { AmiActionError, AmiDisconnectedError, AmiLoginError, AmiTimeoutError } from './errors.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';

/**
 * One PBX's AMI connection: TCP or TLS, plain or MD5-challenge login, answers matched by ActionID
 * (case-insensitively), event lists collected until `EventList: Complete`, both `Command` output
 * formats, async Originate, a Ping keepalive whose silence marks the link dead, and a reconnect
 * loop with capped, jittered backoff that never gives up and never re-sends an action.
 * @see https://docs.asterisk.org/Configuration/Interfaces/Asterisk-Manager-Interface-AMI/
 */

export interface AmiClientOptions {
  /** PBX id for logs/errors. */
  name: string;
  host: string;
  port: number;
  tls?: boolean | ConnectionOptions;
  username: string;
  secret: string;
  /** default 'md5' (Challenge + Login Key=md5hex(challenge+secret)) */
  authType?: 'plain' | 'md5';
  /** Events: mask, default 'on' */
  events?: string;
  /** default 10000 */
  actionTimeoutMs?: number;
  /** default 15000; 0 disables keepalive */
  pingIntervalMs?: number;
  /** default 5000: a Ping with no reply by then marks the link dead → reconnect */
  pingTimeoutMs?: number;
  /** default 5000 */
  connectTimeoutMs?: number;
  /** defaults 100, 30000, 2, 0.2; first retry fast */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; factor?: number; jitter?: number };
  actionIdGenerator?: () => string;
  logger?: Logger;
}

interface PendingBase {
  readonly id: string;
  readonly action: string;
  readonly reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

type Pending =
  | (PendingBase & { readonly kind: 'action'; readonly resolve: (msg: AmiMessage) => void })
  | (PendingBase & { readonly kind: 'list'; readonly items: AmiMessage[]; readonly resolve: (items: AmiMessage[]) => void })
  | (PendingBase & { readonly kind: 'command'; readonly resolve: (lines: string[]) => void })
  | (PendingBase & { readonly kind: 'originate'; readonly resolve: (msg: AmiMessage) => void });

type PendingKind = Pending['kind'];
type ResultOf<K extends PendingKind> = K extends 'list' ? AmiMessage[] : K extends 'command' ? string[] : AmiMessage;

/** Answers to actions that already timed out are dropped, not leaked as events; this many ids are remembered. */
const EXPIRED_IDS_KEPT = 256;
const LOGOFF_WAIT_MS = 1000;
const NO_ACTIVE_CONFERENCES = 'no active conferences';

function defaultActionIdGenerator(name: string): () => string {
  // A random per-client prefix: ids stay unique across clients and restarts, which keeps logs unambiguous.
  const prefix = `${name}-${randomBytes(4).toString('hex')}-`;
  let counter = 0;
  return () => `${prefix}${++counter}`;
}

function isError(msg: AmiMessage): boolean {
  return msg.response?.toLowerCase() === 'error';
}

function withoutKey(fields: AmiActionRequest['fields'], key: string): Record<string, AmiFieldValue | undefined> {
  const out: Record<string, AmiFieldValue | undefined> = {};
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(fields ?? {})) if (k.toLowerCase() !== lower) out[k] = v;
  return out;
}

/** Output lines of a Command answer, in either wire format. */
function commandOutput(msg: AmiMessage): string[] {
  if (msg.body !== undefined) return [...msg.body];
  return msg.getAll('Output').flatMap((value) => value.split('\n'));
}

export class AmiClient extends EventEmitter implements AmiLink {
  readonly name: string;
  private readonly opts: AmiClientOptions;
  private readonly log: Logger;
  private readonly nextActionId: () => string;
  private readonly backoff: BackoffOptions;
  private readonly actionTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly pingTimeoutMs: number;
  private readonly connectTimeoutMs: number;

  private socket: Socket | undefined;
  private loggedIn = false;
  private stopping = false;
  private readonly pending = new Map<string, Pending>();
  private readonly expiredIds = new Set<string>();
  private pingTimer: NodeJS.Timeout | undefined;
  private pingInFlight = false;
  private loop: Promise<void> | undefined;
  private firstLogin: Promise<void> | undefined;
  private cancelBackoff: (() => void) | undefined;

  constructor(opts: AmiClientOptions) {
    super();
    this.name = opts.name;
    this.opts = opts;
    this.log = (opts.logger ?? silentLogger()).child({ component: 'ami', pbx: opts.name });
    this.nextActionId = opts.actionIdGenerator ?? defaultActionIdGenerator(opts.name);
    this.backoff = {
      initialDelayMs: opts.reconnect?.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
      maxDelayMs: opts.reconnect?.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
      factor: opts.reconnect?.factor ?? DEFAULT_BACKOFF.factor,
      jitter: opts.reconnect?.jitter ?? DEFAULT_BACKOFF.jitter,
    };
    this.actionTimeoutMs = opts.actionTimeoutMs ?? 10_000;
    this.pingIntervalMs = opts.pingIntervalMs ?? 15_000;
    this.pingTimeoutMs = opts.pingTimeoutMs ?? 5_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
  }

  get connected(): boolean {
    return this.loggedIn && this.socket !== undefined && !this.socket.destroyed;
  }

  /**
   * Starts the connect loop. Resolves on the first successful login, rejects with the first
   * failure; either way the loop keeps retrying in the background until `stop()`.
   */
  start(): Promise<void> {
    if (this.firstLogin !== undefined) return this.firstLogin;
    this.stopping = false;
    let settle: ((err?: Error) => void) | undefined;
    this.firstLogin = new Promise<void>((resolve, reject) => {
      settle = (err) => {
        settle = undefined;
        if (err === undefined) resolve();
        else reject(err);
      };
    });
    this.loop = this.runLoop((err) => settle?.(err));
    return this.firstLogin;
  }

  /** Sends Logoff (waiting briefly for Goodbye), closes the socket, and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.cancelBackoff?.();
    const socket = this.socket;
    if (socket !== undefined && this.loggedIn) {
      try {
        await this.send('action', { action: 'Logoff' }, Math.min(this.actionTimeoutMs, LOGOFF_WAIT_MS));
      } catch (err) {
        this.log.debug({ err }, 'no Goodbye to Logoff');
      }
    }
    if (this.socket !== undefined) this.socket.destroy();
    await this.loop;
    this.loop = undefined;
    this.firstLogin = undefined;
  }

  action(req: AmiActionRequest, opts?: AmiCallOptions): Promise<AmiMessage> {
    return this.call('action', req, opts?.timeoutMs);
  }

  listAction(req: AmiActionRequest, opts?: AmiCallOptions): Promise<AmiMessage[]> {
    return this.call('list', req, opts?.timeoutMs);
  }

  command(command: string, opts?: AmiCallOptions): Promise<string[]> {
    return this.call('command', { action: 'Command', fields: { Command: command } }, opts?.timeoutMs);
  }

  originateAsync(req: AmiActionRequest, opts?: AmiCallOptions): Promise<AmiMessage> {
    const fields = { ...withoutKey(req.fields, 'Async'), Async: 'true' };
    // The outcome comes after the dial timeout, so the wait covers it plus the usual answer time.
    const dialTimeout = Number(Object.entries(fields).find(([k]) => k.toLowerCase() === 'timeout')?.[1]);
    const timeoutMs = opts?.timeoutMs ?? (Number.isFinite(dialTimeout) ? dialTimeout + this.actionTimeoutMs : this.actionTimeoutMs);
    return this.call('originate', { action: req.action, fields }, timeoutMs);
  }

  private call<K extends PendingKind>(kind: K, req: AmiActionRequest, timeoutMs: number | undefined): Promise<ResultOf<K>> {
    if (!this.connected) {
      return Promise.reject(new AmiDisconnectedError(this.name, `${req.action} not sent: not connected`));
    }
    return this.send(kind, req, timeoutMs ?? this.actionTimeoutMs);
  }

  /** Writes one action and registers its pending answer; the serializer's guard runs before any byte is written. */
  private send<K extends PendingKind>(kind: K, req: AmiActionRequest, timeoutMs: number): Promise<ResultOf<K>> {
    return new Promise<ResultOf<K>>((resolve, reject) => {
      const socket = this.socket;
      if (socket === undefined || socket.destroyed) {
        reject(new AmiDisconnectedError(this.name, `${req.action} not sent: no socket`));
        return;
      }
      const id = this.nextActionId();
      const key = id.toLowerCase();
      let bytes: Buffer;
      try {
        bytes = serializeAction(req, id);
      } catch (err) {
        reject(err instanceof Error ? err : new AmiDisconnectedError(this.name, String(err)));
        return;
      }
      if (this.pending.has(key)) {
        reject(new AmiActionError(this.name, req.action, `duplicate ActionID ${id}`));
        return;
      }
      const base = { id, action: req.action, reject, timer: undefined };
      const entry = {
        ...base,
        kind,
        resolve: resolve as (value: never) => void,
        ...(kind === 'list' ? { items: [] } : {}),
      } as Pending;
      entry.timer = setTimeout(() => {
        if (this.pending.get(key) !== entry) return;
        this.pending.delete(key);
        this.rememberExpired(key);
        reject(new AmiTimeoutError(this.name, req.action, timeoutMs));
      }, timeoutMs);
      this.pending.set(key, entry);
      this.log.debug({ action: req.action, actionId: id }, 'action sent');
      socket.write(bytes);
    });
  }

  private rememberExpired(key: string): void {
    this.expiredIds.add(key);
    if (this.expiredIds.size > EXPIRED_IDS_KEPT) {
      const oldest = this.expiredIds.values().next().value;
      if (oldest !== undefined) this.expiredIds.delete(oldest);
    }
  }

  private settle(key: string, entry: Pending): void {
    clearTimeout(entry.timer);
    this.pending.delete(key);
  }

  private async runLoop(settleFirst: (err?: Error) => void): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      let uptimeMs = 0;
      try {
        const session = await this.openSession();
        settleFirst();
        const upSince = performance.now();
        await session.closed;
        uptimeMs = performance.now() - upSince;
      } catch (err) {
        const error = err instanceof Error ? err : new AmiDisconnectedError(this.name, String(err));
        settleFirst(error);
        this.log.warn({ err: error }, 'AMI connection attempt failed');
      }
      if (this.stopping) break;
      // A session that stayed up longer than the current delay was healthy: start the backoff over.
      if (uptimeMs > backoffDelay(attempt, { ...this.backoff, jitter: 0 })) attempt = 0;
      const delay = backoffDelay(attempt++, this.backoff);
      this.log.info({ delayMs: delay, attempt }, 'reconnecting to AMI');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.cancelBackoff = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.cancelBackoff = undefined;
    }
    settleFirst(new AmiDisconnectedError(this.name, 'stopped before the first login'));
  }

  /** Connects and logs in. Resolves with a promise of the socket's close (wrapped, so it is not awaited here). */
  private async openSession(): Promise<{ closed: Promise<void> }> {
    const { socket, readyEvent } = this.createSocket();
    this.socket = socket;
    const parser = new AmiParser();
    let lastError: Error | undefined;
    const closed = new Promise<void>((resolve) => {
      socket.once('close', () => {
        this.onClosed(socket, lastError);
        resolve();
      });
    });
    socket.on('error', (err) => {
      lastError = err;
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      for (const out of parser.push(chunk)) this.onOutput(out);
    });

    try {
      await this.waitForConnect(socket, readyEvent);
      await this.login();
    } catch (err) {
      socket.destroy();
      await closed;
      if (err instanceof BotError) throw err;
      throw new AmiDisconnectedError(this.name, `login to ${this.opts.host}:${this.opts.port} failed`, lastError ?? err);
    }
    if (this.stopping || socket.destroyed) {
      socket.destroy();
      await closed;
      throw new AmiDisconnectedError(this.name, 'closed during login');
    }
    this.loggedIn = true;
    this.startKeepalive(socket);
    this.log.info({ host: this.opts.host, port: this.opts.port }, 'AMI connected');
    this.safeEmit('connected');
    return { closed };
  }

  private createSocket(): { socket: Socket; readyEvent: 'connect' | 'secureConnect' } {
    const { host, port, tls } = this.opts;
    if (tls === undefined || tls === false) return { socket: tcpConnect({ host, port }), readyEvent: 'connect' };
    const tlsOptions: ConnectionOptions = tls === true ? {} : tls;
    // SNI takes a host name only; Node warns when it is given an IP address.
    const sni = isIP(host) === 0 ? { servername: host } : {};
    return { socket: tlsConnect({ ...sni, ...tlsOptions, host, port }), readyEvent: 'secureConnect' };
  }

  private waitForConnect(socket: Socket, readyEvent: 'connect' | 'secureConnect'): Promise<void> {
    const where = `${this.opts.host}:${this.opts.port}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new AmiDisconnectedError(this.name, `connect to ${where} timed out after ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      const onReady = (): void => {
        cleanup();
        socket.setNoDelay(true);
        socket.setKeepAlive(true);
        resolve();
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(new AmiDisconnectedError(this.name, `cannot connect to ${where}: ${err.message}`, err));
      };
      const onClose = (): void => {
        cleanup();
        reject(new AmiDisconnectedError(this.name, `connection to ${where} closed before it opened`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off(readyEvent, onReady);
        socket.off('error', onError);
        socket.off('close', onClose);
      };
      socket.once(readyEvent, onReady);
      socket.once('error', onError);
      socket.once('close', onClose);
    });
  }

  private async login(): Promise<void> {
    const { username, secret, host, port } = this.opts;
    const events = this.opts.events ?? 'on';
    const refused = (reason: string): AmiLoginError => new AmiLoginError(this.name, username, host, port, reason);
    const answer = async (req: AmiActionRequest): Promise<AmiMessage> => {
      try {
        return await this.send('action', req, this.actionTimeoutMs);
      } catch (err) {
        if (err instanceof AmiActionError) throw refused(err.amiMessage);
        throw err;
      }
    };
    if ((this.opts.authType ?? 'md5') === 'md5') {
      const challenge = (await answer({ action: 'Challenge', fields: { AuthType: 'MD5' } })).get('Challenge');
      if (challenge === undefined || challenge === '') throw refused('no challenge in the answer to Challenge');
      const key = createHash('md5').update(challenge + secret).digest('hex');
      await answer({ action: 'Login', fields: { AuthType: 'MD5', Username: username, Key: key, Events: events } });
    } else {
      await answer({ action: 'Login', fields: { Username: username, Secret: secret, Events: events } });
    }
  }

  private startKeepalive(socket: Socket): void {
    if (this.pingIntervalMs <= 0) return;
    this.pingTimer = setInterval(() => {
      if (this.pingInFlight || this.socket !== socket || !this.loggedIn) return;
      this.pingInFlight = true;
      this.send('action', { action: 'Ping' }, this.pingTimeoutMs)
        .catch((err: unknown) => {
          if (err instanceof AmiTimeoutError && this.socket === socket) {
            this.log.warn({ timeoutMs: this.pingTimeoutMs }, 'keepalive Ping unanswered: dropping the link');
            socket.destroy(new AmiDisconnectedError(this.name, 'keepalive Ping unanswered'));
          }
        })
        .finally(() => {
          this.pingInFlight = false;
        });
    }, this.pingIntervalMs);
  }

  private onClosed(socket: Socket, cause: Error | undefined): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    const wasLoggedIn = this.loggedIn;
    this.loggedIn = false;
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    const reason = new AmiDisconnectedError(this.name, `connection lost${cause ? `: ${cause.message}` : ''}`, cause);
    // Every pending action fails; none is re-sent, since a side effect may already have happened.
    const pending = [...this.pending.entries()];
    this.pending.clear();
    for (const [, entry] of pending) {
      clearTimeout(entry.timer);
      entry.reject(reason);
    }
    if (wasLoggedIn) {
      this.log.warn({ err: cause, failedActions: pending.length }, 'AMI disconnected');
      this.safeEmit('disconnected', reason);
    }
  }

  private onOutput(out: AmiParserOutput): void {
    if (out.kind === 'banner') {
      this.safeEmit('banner', out.version);
      return;
    }
    if (out.kind === 'error') {
      this.log.warn({ err: out.error }, 'AMI framing error');
      return;
    }
    const msg = out.message;
    const id = msg.actionId;
    const key = id?.toLowerCase();
    const entry = key === undefined ? undefined : this.pending.get(key);
    if (msg.event !== undefined) {
      if (entry !== undefined && key !== undefined && this.onCorrelatedEvent(key, entry, msg)) return;
      if (key !== undefined && this.expiredIds.has(key)) return;
      this.safeEmit('event', msg);
      return;
    }
    if (msg.response === undefined) return;
    if (entry === undefined || key === undefined) {
      this.log.debug({ actionId: id, response: msg.response }, 'answer to no pending action');
      return;
    }
    this.onResponse(key, entry, msg);
  }

  /** Returns true when the event belonged to the pending action and must not be emitted. */
  private onCorrelatedEvent(key: string, entry: Pending, msg: AmiMessage): boolean {
    if (entry.kind === 'originate') {
      if (msg.event?.toLowerCase() !== 'originateresponse') return false;
      this.settle(key, entry);
      entry.resolve(msg);
      return false;
    }
    if (entry.kind !== 'list') return false;
    const eventList = msg.get('EventList')?.toLowerCase();
    // Asterisk 1.8 ends Status with a StatusComplete that has no `EventList:` header.
    const complete = eventList === 'complete' || (eventList === undefined && msg.event?.endsWith('Complete') === true);
    if (complete) {
      this.settle(key, entry);
      entry.resolve(entry.items);
    } else if (eventList === 'cancelled') {
      this.settle(key, entry);
      entry.reject(new AmiActionError(this.name, entry.action, 'event list cancelled'));
    } else {
      entry.items.push(msg);
    }
    return true;
  }

  private onResponse(key: string, entry: Pending, msg: AmiMessage): void {
    if (isError(msg)) {
      const text = msg.get('Message') ?? '';
      this.settle(key, entry);
      // ConfBridge and MeetMe answer an empty list this way: it is an empty result, not a failure.
      if (entry.kind === 'list' && text.trim().toLowerCase().startsWith(NO_ACTIVE_CONFERENCES)) {
        entry.resolve([]);
        return;
      }
      const detail = entry.kind === 'command' ? [text, ...commandOutput(msg)].filter((s) => s !== '').join(' / ') : text;
      entry.reject(new AmiActionError(this.name, entry.action, detail));
      return;
    }
    switch (entry.kind) {
      case 'action':
        this.settle(key, entry);
        entry.resolve(msg);
        return;
      case 'command':
        this.settle(key, entry);
        entry.resolve(commandOutput(msg));
        return;
      case 'list':
      case 'originate':
        // The items, or the OriginateResponse event, are still to come.
        return;
    }
  }

  private safeEmit(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      this.log.error({ err, event }, 'AMI listener threw');
    }
  }
}
