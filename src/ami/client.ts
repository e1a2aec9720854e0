import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { BotError, InternalError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { AmiParser, serializeAction, type AmiParserOutput } from './protocol.ts';
import type { AmiMessage } from './message.ts';
import type { AmiActionRequest, AmiCallOptions, AmiFieldValue, AmiLink } from './types.ts';
import { AmiActionError, AmiDisconnectedError, AmiLoginError, AmiTimeoutError } from './errors.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { login as loginAction, logoff as logoffAction, type ActionSender } from './actions.ts';
import { parseAmiEvent, type AmiEventMap, type TypedAmiEvent } from './events.ts';

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
  /**
   * default 2000: after login, how long to wait for `Event: FullyBooted` before counting as
   * connected anyway (a user without the `system` read class never gets it). Only waited for when
   * the `events` mask lets system events through.
   */
  bootWaitMs?: number;
  /**
   * default 60000: delay before retrying a refused login. Each refusal is an `InvalidPassword`
   * security event on the PBX, which fail2ban counts; the fast reconnect backoff would get the bot banned.
   */
  loginRetryMs?: number;
  /** defaults 100, 30000, 2, 0.2; first retry fast */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; factor?: number; jitter?: number };
  actionIdGenerator?: () => string;
  logger?: Logger;
}

/** What the client emits, with each event's arguments. */
export interface AmiClientEvents {
  /** Logged in and the PBX has finished booting (or `bootWaitMs` passed): list actions give real answers now. */
  connected: [];
  /** A connected link was lost (never emitted for `stop()`); every pending action has failed. */
  disconnected: [reason: AmiDisconnectedError];
  /** Every event not consumed by a pending list or originate, raw. See `onEvent` for typed ones. */
  event: [msg: AmiMessage];
  /** The `Asterisk Call Manager/x.y.z` greeting's version. */
  banner: [version: string];
}

/** Asterisk's Originate dial timeout when the action has no `Timeout` field. */
export const DEFAULT_ORIGINATE_TIMEOUT_MS = 30_000;

/**
 * How long an async Originate waits for its `OriginateResponse`: the event comes only when the dial
 * ends, so the dial timeout (the action's `Timeout`, else Asterisk's default) plus the usual answer time.
 */
export function originateWaitMs(fields: AmiActionRequest['fields'], actionTimeoutMs: number): number {
  const value = Object.entries(fields ?? {}).find(([k]) => k.toLowerCase() === 'timeout')?.[1];
  const dial = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
  return (dial !== undefined && Number.isFinite(dial) && dial >= 0 ? dial : DEFAULT_ORIGINATE_TIMEOUT_MS) + actionTimeoutMs;
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

type TypedListener = (event: TypedAmiEvent) => void;

/** Answers to actions that already timed out are dropped, not leaked as events; this many ids are remembered. */
const EXPIRED_IDS_KEPT = 256;
const LOGOFF_WAIT_MS = 1000;
/** `EVENT_FLAG_SYSTEM` in Asterisk's manager.h, for a numeric `Events:` mask. */
const EVENT_FLAG_SYSTEM = 1;

function defaultActionIdGenerator(name: string): () => string {
  // A random per-client prefix: ids stay unique across clients and restarts, which keeps logs unambiguous.
  const prefix = `${name}-${randomBytes(4).toString('hex')}-`;
  let counter = 0;
  return () => `${prefix}${++counter}`;
}

function isError(msg: AmiMessage): boolean {
  return msg.response?.toLowerCase() === 'error';
}

function isOriginateResponse(msg: AmiMessage): boolean {
  return msg.event?.toLowerCase() === 'originateresponse';
}

function withoutKey(fields: AmiActionRequest['fields'], key: string): Record<string, AmiFieldValue | undefined> {
  const out: Record<string, AmiFieldValue | undefined> = {};
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(fields ?? {})) if (k.toLowerCase() !== lower) out[k] = v;
  return out;
}

/**
 * Whether an `Events:` mask lets `system` events (FullyBooted) through, read as Asterisk's
 * `strings_to_mask` reads it: digits are a bit mask, yes/on/true... mean all, otherwise class names.
 */
function maskIncludesSystem(mask: string): boolean {
  const m = mask.trim().toLowerCase();
  if (m === '') return true;
  if (/^\d+$/.test(m)) return (Number(m) & EVENT_FLAG_SYSTEM) !== 0;
  if (['yes', 'true', 'y', 't', 'on'].includes(m)) return true;
  return m.split(',').some((c) => c.trim() === 'system' || c.trim() === 'all');
}

/** Output lines of a Command answer, in either wire format (a header value never holds a line break). */
function commandOutput(msg: AmiMessage): string[] {
  if (msg.body !== undefined) return [...msg.body];
  return msg.getAll('Output');
}

export class AmiClient extends EventEmitter<AmiClientEvents> implements AmiLink {
  readonly name: string;
  private readonly opts: AmiClientOptions;
  private readonly log: Logger;
  private readonly nextActionId: () => string;
  private readonly backoff: BackoffOptions;
  private readonly events: string;
  private readonly actionTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly pingTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly bootWaitMs: number;
  private readonly loginRetryMs: number;

  private socket: Socket | undefined;
  /** Login accepted on the current socket. */
  private authenticated = false;
  /** Authenticated and booted: 'connected' has been emitted and actions may be sent. */
  private ready = false;
  /** FullyBooted seen on the current socket. */
  private booted = false;
  /** Set while waiting for FullyBooted; called when it arrives. */
  private onBooted: (() => void) | undefined;
  /** The current socket went ready without FullyBooted, after `bootWaitMs`. */
  private bootWaitExpired = false;
  private stopping = false;
  private readonly pending = new Map<string, Pending>();
  private readonly expiredIds = new Set<string>();
  private readonly typedListeners = new Map<string, Set<TypedListener>>();
  private pingTimer: NodeJS.Timeout | undefined;
  private pingInFlight = false;
  private loop: Promise<void> | undefined;
  /** Callers of start() waiting for the outcome of the attempt under way (or the next one). */
  private startWaiters: ((err?: Error) => void)[] = [];
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
    this.events = opts.events ?? 'on';
    this.actionTimeoutMs = opts.actionTimeoutMs ?? 10_000;
    this.pingIntervalMs = opts.pingIntervalMs ?? 15_000;
    this.pingTimeoutMs = opts.pingTimeoutMs ?? 5_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
    this.bootWaitMs = opts.bootWaitMs ?? 2_000;
    this.loginRetryMs = opts.loginRetryMs ?? 60_000;
  }

  get connected(): boolean {
    return this.ready && this.socket !== undefined && !this.socket.destroyed;
  }

  /**
   * Starts the connect loop unless it runs already. Resolves once the client is connected (at once
   * if it is), rejects with the failure of the attempt under way or of the next one; either way the
   * loop keeps retrying in the background until `stop()`.
   */
  start(): Promise<void> {
    if (this.loop !== undefined && this.connected) return Promise.resolve();
    const outcome = new Promise<void>((resolve, reject) => {
      this.startWaiters.push((err) => (err === undefined ? resolve() : reject(err)));
    });
    if (this.loop === undefined) {
      this.stopping = false;
      this.loop = this.runLoop();
    }
    return outcome;
  }

  /** Sends Logoff (waiting briefly for Goodbye), closes the socket, and stops reconnecting. Emits no 'disconnected'. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.cancelBackoff?.();
    if (this.socket !== undefined && this.authenticated) {
      try {
        await logoffAction(this.sessionSender(Math.min(this.actionTimeoutMs, LOGOFF_WAIT_MS)));
      } catch (err) {
        this.log.debug({ err }, 'no Goodbye to Logoff');
      }
    }
    if (this.socket !== undefined) this.socket.destroy();
    await this.loop;
    this.loop = undefined;
  }

  /**
   * Typed events: `listener` gets the event validated by `parseAmiEvent`. A message is parsed once,
   * and only when some listener wants its name; one missing a required field reaches only the raw
   * 'event' listeners. Adding the same listener twice has no effect.
   */
  onEvent<K extends keyof AmiEventMap>(name: K, listener: (event: AmiEventMap[K]) => void): this {
    let listeners = this.typedListeners.get(name);
    if (listeners === undefined) {
      listeners = new Set();
      this.typedListeners.set(name, listeners);
    }
    listeners.add(listener as TypedListener);
    return this;
  }

  offEvent<K extends keyof AmiEventMap>(name: K, listener: (event: AmiEventMap[K]) => void): this {
    const listeners = this.typedListeners.get(name);
    listeners?.delete(listener as TypedListener);
    if (listeners?.size === 0) this.typedListeners.delete(name);
    return this;
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

  /**
   * Sends Originate with `Async: true` and resolves with its `OriginateResponse`, waiting
   * `originateWaitMs` unless told otherwise. An OriginateResponse that comes after the wait is still
   * emitted as an 'event': the call may have joined a room.
   */
  originateAsync(req: AmiActionRequest, opts?: AmiCallOptions): Promise<AmiMessage> {
    const fields = { ...withoutKey(req.fields, 'Async'), Async: 'true' };
    return this.call('originate', { action: req.action, fields }, opts?.timeoutMs ?? originateWaitMs(fields, this.actionTimeoutMs));
  }

  private call<K extends PendingKind>(kind: K, req: AmiActionRequest, timeoutMs: number | undefined): Promise<ResultOf<K>> {
    if (!this.connected) {
      return Promise.reject(new AmiDisconnectedError(this.name, `${req.action} not sent: not connected`));
    }
    return this.send(kind, req, timeoutMs ?? this.actionTimeoutMs);
  }

  /** Sends on the current socket before the client counts as connected: for Challenge, Login and Logoff. */
  private sessionSender(timeoutMs: number): ActionSender {
    return { action: (req) => this.send('action', req, timeoutMs) };
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
        reject(err);
        return;
      }
      if (this.pending.has(key)) {
        // Only a generator that repeats itself gets here: a bug on our side, not a PBX refusal.
        reject(new InternalError(`AMI ${this.name}: ActionID ${id} of ${req.action} is still in use by a pending action`));
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

  private settleStartWaiters(err?: Error): void {
    const waiters = this.startWaiters;
    this.startWaiters = [];
    for (const settle of waiters) settle(err);
  }

  private async runLoop(): Promise<void> {
    let attempt = 0;
    /** Refused logins in a row, so the refusal is logged at error level once, not per attempt. */
    let refusals = 0;
    while (!this.stopping) {
      let uptimeMs = 0;
      let refused = false;
      try {
        const session = await this.openSession();
        this.settleStartWaiters();
        if (refusals > 0) this.log.info({ refusals }, 'AMI login accepted again');
        refusals = 0;
        const upSince = performance.now();
        await session.closed;
        uptimeMs = performance.now() - upSince;
      } catch (err) {
        const error = err instanceof Error ? err : new AmiDisconnectedError(this.name, String(err));
        this.settleStartWaiters(error);
        if (this.stopping) break;
        refused = error instanceof AmiLoginError;
        if (!refused) this.log.warn({ err: error }, 'AMI connection attempt failed');
        else if (refusals++ === 0) this.log.error({ err: error, retryMs: this.loginRetryMs }, 'AMI login refused: retrying slowly until it is accepted');
        else this.log.debug({ err: error, refusals }, 'AMI login refused again');
      }
      if (this.stopping) break;
      let delay: number;
      if (refused) {
        delay = this.loginRetryMs;
      } else {
        // A session that stayed up longer than the current delay was healthy: start the backoff over.
        if (uptimeMs > backoffDelay(attempt, { ...this.backoff, jitter: 0 })) attempt = 0;
        delay = backoffDelay(attempt++, this.backoff);
      }
      this.log[refused ? 'debug' : 'info']({ delayMs: delay, attempt }, 'reconnecting to AMI');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.cancelBackoff = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.cancelBackoff = undefined;
    }
    this.settleStartWaiters(new AmiDisconnectedError(this.name, 'stopped before login'));
  }

  /** Connects, logs in and waits for boot. Resolves with a promise of the socket's close (wrapped, so it is not awaited here). */
  private async openSession(): Promise<{ closed: Promise<void> }> {
    const { socket, readyEvent } = this.createSocket();
    this.socket = socket;
    this.booted = false;
    this.bootWaitExpired = false;
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
    this.authenticated = true;
    await this.waitForBoot(closed);
    if (this.stopping || socket.destroyed) {
      socket.destroy();
      await closed;
      throw new AmiDisconnectedError(this.name, 'closed during login');
    }
    this.ready = true;
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
    try {
      await loginAction(this.sessionSender(this.actionTimeoutMs), { username, secret, authType: this.opts.authType ?? 'md5', events: this.events });
    } catch (err) {
      // Asterisk refuses a Challenge or a Login with `Response: Error`; anything else is a transport or shape failure.
      if (err instanceof AmiActionError) throw new AmiLoginError(this.name, username, host, port, err.amiMessage);
      throw err;
    }
  }

  /**
   * Asterisk accepts logins while it is still loading modules, and answers conference actions with
   * "Invalid/unknown command" until it is done; it tells each session with `Event: FullyBooted`.
   * A user whose events or read classes leave out `system` never gets that event, hence the cap.
   */
  private waitForBoot(closed: Promise<void>): Promise<void> {
    if (this.booted || !maskIncludesSystem(this.events)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.onBooted = undefined;
        resolve();
      };
      const timer = setTimeout(() => {
        this.bootWaitExpired = true;
        this.log.info({ bootWaitMs: this.bootWaitMs }, 'no FullyBooted after login: going on without it');
        done();
      }, this.bootWaitMs);
      this.onBooted = done;
      void closed.then(done);
    });
  }

  private noteBooted(): void {
    if (this.booted) return;
    this.booted = true;
    if (this.onBooted !== undefined) {
      this.onBooted();
    } else if (this.bootWaitExpired && this.ready) {
      // The PBX was still starting when 'connected' went out, so the first sync may have seen it half loaded.
      this.log.warn({ bootWaitMs: this.bootWaitMs }, 'FullyBooted came after bootWaitMs: raise bootWaitMs if this PBX boots slowly');
    }
  }

  private startKeepalive(socket: Socket): void {
    if (this.pingIntervalMs <= 0) return;
    this.pingTimer = setInterval(() => {
      if (this.pingInFlight || this.socket !== socket || !this.ready) return;
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
    const wasReady = this.ready;
    this.ready = false;
    this.authenticated = false;
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    const reason = new AmiDisconnectedError(this.name, `connection lost${cause ? `: ${cause.message}` : ''}`, cause);
    // Every pending action fails; none is re-sent, since a side effect may already have happened.
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const entry of pending) {
      clearTimeout(entry.timer);
      entry.reject(reason);
    }
    if (!wasReady) return;
    if (this.stopping) {
      this.log.debug({ failedActions: pending.length }, 'AMI link closed by stop()');
      return;
    }
    this.log.warn({ err: cause, failedActions: pending.length }, 'AMI disconnected');
    this.safeEmit('disconnected', reason);
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
    const key = msg.actionId?.toLowerCase();
    const entry = key === undefined ? undefined : this.pending.get(key);
    if (msg.event !== undefined) {
      if (entry !== undefined && key !== undefined && this.onCorrelatedEvent(key, entry, msg)) return;
      // Late items of a timed-out action are dropped, but not an OriginateResponse: the call it
      // reports may still join a room, and the room state must learn of it.
      if (key !== undefined && this.expiredIds.has(key) && !isOriginateResponse(msg)) return;
      if (msg.event === 'FullyBooted') this.noteBooted();
      this.emitEvent(msg);
      return;
    }
    if (msg.response === undefined) return;
    if (entry === undefined || key === undefined) {
      this.log.debug({ actionId: msg.actionId, response: msg.response }, 'answer to no pending action');
      return;
    }
    this.onResponse(key, entry, msg);
  }

  /** Returns true when the event belonged to the pending action and must not be emitted. */
  private onCorrelatedEvent(key: string, entry: Pending, msg: AmiMessage): boolean {
    if (entry.kind === 'originate') {
      if (!isOriginateResponse(msg)) return false;
      this.settle(key, entry);
      entry.resolve(msg);
      return false;
    }
    if (entry.kind !== 'list') return false;
    const eventList = msg.get('EventList')?.toLowerCase();
    // Asterisk 1.8 ends Status with a StatusComplete that has no `EventList:` header. No other list
    // does, so no other name is taken as an end: an item whose name ends in "Complete" stays an item.
    const complete = eventList === 'complete' || (eventList === undefined && msg.event?.toLowerCase() === 'statuscomplete');
    if (complete) {
      this.settle(key, entry);
      this.checkListItems(entry, msg);
      entry.resolve(entry.items);
    } else if (eventList === 'cancelled') {
      this.settle(key, entry);
      entry.reject(new AmiActionError(this.name, entry.action, 'event list cancelled'));
    } else {
      entry.items.push(msg);
    }
    return true;
  }

  /** A count that disagrees points at lost or foreign items; the list is still the best there is, so it is kept. */
  private checkListItems(entry: Pending & { kind: 'list' }, end: AmiMessage): void {
    const declared = end.get('ListItems');
    if (declared === undefined || !/^\s*\d+\s*$/.test(declared)) return;
    const listItems = Number(declared);
    if (listItems !== entry.items.length) {
      this.log.warn({ action: entry.action, actionId: entry.id, listItems, received: entry.items.length }, 'event list size differs from its ListItems');
    }
  }

  private onResponse(key: string, entry: Pending, msg: AmiMessage): void {
    if (isError(msg)) {
      const text = msg.get('Message') ?? '';
      this.settle(key, entry);
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

  /** Raw 'event' listeners, then typed ones for that name (parsed once, and only if any listens). */
  private emitEvent(msg: AmiMessage): void {
    this.safeEmit('event', msg);
    const name = msg.event;
    if (name === undefined) return;
    const listeners = this.typedListeners.get(name);
    if (listeners === undefined) return;
    const parsed = parseAmiEvent(msg);
    if (!parsed.typed) {
      this.log.debug({ event: name }, 'event lacks a required field: not passed to typed listeners');
      return;
    }
    for (const listener of [...listeners]) this.callListener(name, listener, [parsed]);
  }

  /** Every listener runs even when one before it throws: a bug in one consumer must not starve the others. */
  private safeEmit<K extends keyof AmiClientEvents>(event: K, ...args: AmiClientEvents[K]): void {
    for (const listener of this.rawListeners(event)) this.callListener(event, listener, args);
  }

  private callListener(event: string, listener: (...args: never) => unknown, args: readonly unknown[]): void {
    try {
      Reflect.apply(listener, this, args);
    } catch (err) {
      this.log.error({ err, event }, 'AMI listener threw');
    }
  }
}
