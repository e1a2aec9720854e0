import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { BotError, InternalError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { AmiParser, type AmiParserOutput } from './parser.ts';
import { serializeAction } from './serialize.ts';
import type { AmiMessage } from './message.ts';
import type { AmiActionRequest, AmiActionSettled, AmiCallOptions, AmiLink } from './types.ts';
import { AmiActionError, AmiDisconnectedError, AmiLoginError, AmiPermissionDeniedError, AmiTimeoutError } from './errors.ts';
import { backoffDelay } from './backoff.ts';
import { login as loginAction, logoff as logoffAction, type ActionSender } from './session-actions.ts';
import type { AmiEventMap } from './events.ts';
import { callSafely, TypedListeners } from './typed-listeners.ts';
import { BootWait } from './boot-wait.ts';
import { clientSettings, type AmiClientEvents, type AmiClientOptions, type AmiClientSettings } from './client-options.ts';
import { openSocket, waitForConnect } from './connect.ts';
import { PendingActions, type PendingKind, type ResultOf } from './pending.ts';
import { asyncOriginateFields, originateWaitMs } from './originate-wait.ts';
import { cancellableDelay, startKeepalive } from './timers.ts';
import { failedState, type AmiLinkState } from './link-state.ts';

export type { AmiClientEvents, AmiClientOptions } from './client-options.ts';
export type { AmiLinkState, AmiLinkStatus } from './link-state.ts';
export { DEFAULT_ORIGINATE_TIMEOUT_MS, originateWaitMs } from './originate-wait.ts';

/**
 * One PBX's AMI connection: TCP or TLS, plain or MD5-challenge login, answers matched by ActionID
 * (see `PendingActions`), async Originate, a Ping keepalive whose silence marks the link dead, and a
 * reconnect loop with capped, jittered backoff that never gives up and never re-sends an action.
 * Every timer runs on the injected `Clock`.
 * @see https://docs.asterisk.org/Configuration/Interfaces/Asterisk-Manager-Interface-AMI/
 */

const LOGOFF_WAIT_MS = 1000;

export class AmiClient extends EventEmitter<AmiClientEvents> implements AmiLink {
  readonly name: string;
  private readonly opts: AmiClientOptions;
  private readonly cfg: AmiClientSettings;
  private readonly log: Logger;
  private readonly nextActionId: () => string;
  private readonly pending: PendingActions;

  private socket: Socket | undefined;
  /** Login accepted on the current socket. */
  private authenticated = false;
  /** Authenticated and booted: 'connected' has been emitted and actions may be sent. */
  private ready = false;
  /** The current socket's wait for FullyBooted. */
  private boot: BootWait | undefined;
  private stopping = false;
  private readonly typedListeners: TypedListeners;
  private stopKeepalive: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** Callers of start() waiting for the outcome of the attempt under way (or the next one). */
  private startWaiters: ((err?: Error) => void)[] = [];
  private cancelBackoff: (() => void) | undefined;
  private state: AmiLinkState = { status: 'stopped' };

  constructor(opts: AmiClientOptions) {
    super();
    this.name = opts.name;
    this.opts = opts;
    this.cfg = clientSettings(opts);
    this.log = this.cfg.log;
    this.nextActionId = this.cfg.nextActionId;
    this.typedListeners = new TypedListeners(this.log);
    this.pending = new PendingActions({ pbx: opts.name, username: opts.username, clock: this.cfg.clock, log: this.log });
  }

  get connected(): boolean {
    return this.ready && this.socket !== undefined && !this.socket.destroyed;
  }

  /** Where the link stands: connected, or why not (login refused, unreachable, down) with the fix in the error's `adminHint`. */
  get linkState(): AmiLinkState {
    return this.state;
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
      this.setState({ status: 'connecting', since: this.cfg.clock.now() });
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
        await logoffAction(this.sessionSender(Math.min(this.cfg.actionTimeoutMs, LOGOFF_WAIT_MS)));
      } catch (err) {
        this.log.debug({ err }, 'no Goodbye to Logoff');
      }
    }
    if (this.socket !== undefined) this.socket.destroy();
    await this.loop;
    this.loop = undefined;
    this.setState({ status: 'stopped' });
  }

  /**
   * Typed events: `listener` gets the event validated by `parseAmiEvent`. A message is parsed once,
   * and only when some listener wants its name; one missing a required field reaches only the raw
   * 'event' listeners. Adding the same listener twice has no effect.
   */
  onEvent<K extends keyof AmiEventMap>(name: K, listener: (event: AmiEventMap[K]) => void): this {
    this.typedListeners.add(name, listener);
    return this;
  }

  offEvent<K extends keyof AmiEventMap>(name: K, listener: (event: AmiEventMap[K]) => void): this {
    this.typedListeners.remove(name, listener);
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
    const fields = asyncOriginateFields(req.fields);
    return this.call('originate', { action: req.action, fields }, opts?.timeoutMs ?? originateWaitMs(fields, this.cfg.actionTimeoutMs));
  }

  private call<K extends PendingKind>(kind: K, req: AmiActionRequest, timeoutMs: number | undefined): Promise<ResultOf<K>> {
    if (!this.connected) {
      return Promise.reject(new AmiDisconnectedError(this.name, `${req.action} not sent: not connected`));
    }
    return this.send(kind, req, timeoutMs ?? this.cfg.actionTimeoutMs);
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
      let bytes: Buffer;
      try {
        bytes = serializeAction(req, id);
      } catch (err) {
        reject(err);
        return;
      }
      if (this.pending.has(id)) {
        // Only a generator that repeats itself gets here: a bug on our side, not a PBX refusal.
        reject(new InternalError(`AMI ${this.name}: ActionID ${id} of ${req.action} is still in use by a pending action`));
        return;
      }
      const sentAt = this.cfg.clock.now();
      const settled = (outcome: AmiActionSettled['outcome']): void => this.safeEmit('actionSettled', { action: req.action, outcome, durationMs: this.cfg.clock.now() - sentAt });
      this.pending.add(kind, id, req.action, timeoutMs, (value) => { settled('success'); resolve(value); }, (err) => {
        settled(err instanceof AmiTimeoutError ? 'timeout' : 'error');
        reject(err);
      });
      this.log.debug({ action: req.action, actionId: id }, 'action sent');
      socket.write(bytes);
    });
  }

  private setState(next: AmiLinkState): void {
    this.state = next;
    this.safeEmit('state', next);
  }

  private settleStartWaiters(err?: Error): void {
    const waiters = this.startWaiters;
    this.startWaiters = [];
    for (const settle of waiters) settle(err);
  }

  private async runLoop(): Promise<void> {
    const { clock, backoff, loginRetryMs } = this.cfg;
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
        const upSince = clock.now();
        await session.closed;
        uptimeMs = clock.now() - upSince;
      } catch (err) {
        const error = err instanceof BotError ? err : new AmiDisconnectedError(this.name, String(err), err);
        this.settleStartWaiters(error);
        if (this.stopping) break;
        this.noteFailure(error);
        refused = error instanceof AmiLoginError;
        if (!refused) this.log.warn({ err: error }, 'AMI connection attempt failed');
        else if (refusals++ === 0) this.log.error({ err: error, retryMs: loginRetryMs }, 'AMI login refused: retrying slowly until it is accepted');
        else this.log.debug({ err: error, refusals }, 'AMI login refused again');
      }
      if (this.stopping) break;
      let delay: number;
      if (refused) {
        delay = loginRetryMs;
      } else {
        // A session that stayed up longer than the current delay was healthy: start the backoff over.
        if (uptimeMs > backoffDelay(attempt, { ...backoff, jitter: 0 })) attempt = 0;
        delay = backoffDelay(attempt++, backoff);
      }
      this.log[refused ? 'debug' : 'info']({ delayMs: delay, attempt }, 'reconnecting to AMI');
      if (this.state.status !== 'stopped' && this.state.status !== 'connecting' && this.state.status !== 'connected') {
        this.setState({ ...this.state, nextAttemptAt: clock.now() + delay });
      }
      const wait = cancellableDelay(clock, delay);
      this.cancelBackoff = wait.cancel;
      await wait.done;
      this.cancelBackoff = undefined;
    }
    this.settleStartWaiters(new AmiDisconnectedError(this.name, 'stopped before login'));
  }

  /** A failed attempt keeps the `since` of a failure of the same kind, so an admin sees how long it has lasted. */
  private noteFailure(error: BotError): void {
    const prev = this.state;
    const since = prev.status !== 'stopped' && prev.status === failedState(error, 0).status ? prev.since : this.cfg.clock.now();
    this.setState(failedState(error, since));
  }

  /** Connects, logs in and waits for boot. Resolves with a promise of the socket's close (wrapped, so it is not awaited here). */
  private async openSession(): Promise<{ closed: Promise<void> }> {
    const { host, port, tls } = this.opts;
    const endpoint = { pbx: this.name, host, port, ...(tls === undefined ? {} : { tls }) };
    const opening = openSocket(endpoint);
    const socket = opening.socket;
    this.socket = socket;
    const boot = new BootWait(this.cfg.clock, this.cfg.bootWaitMs, this.log);
    this.boot = boot;
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
      await waitForConnect(endpoint, opening, this.cfg.clock, this.cfg.connectTimeoutMs);
      await this.login();
    } catch (err) {
      socket.destroy();
      await closed;
      if (err instanceof BotError) throw err;
      throw new AmiDisconnectedError(this.name, `login to ${host}:${port} failed`, lastError ?? err);
    }
    this.authenticated = true;
    await boot.wait(this.cfg.events, closed);
    if (this.stopping || socket.destroyed) {
      socket.destroy();
      await closed;
      throw new AmiDisconnectedError(this.name, 'closed during login');
    }
    this.ready = true;
    this.startKeepalive(socket);
    this.log.info({ host, port }, 'AMI connected');
    this.setState({ status: 'connected', since: this.cfg.clock.now() });
    this.safeEmit('connected');
    return { closed };
  }

  private async login(): Promise<void> {
    const { username, secret, host, port } = this.opts;
    try {
      await loginAction(this.sessionSender(this.cfg.actionTimeoutMs), { username, secret, authType: this.opts.authType ?? 'md5', events: this.cfg.events });
    } catch (err) {
      // Asterisk refuses a Challenge or a Login with `Response: Error`; anything else is a transport or shape failure.
      if (err instanceof AmiActionError) throw new AmiLoginError(this.name, username, host, port, err.amiMessage);
      if (err instanceof AmiPermissionDeniedError) throw new AmiLoginError(this.name, username, host, port, 'Permission denied');
      throw err;
    }
  }

  private startKeepalive(socket: Socket): void {
    const { clock, pingIntervalMs, pingTimeoutMs } = this.cfg;
    if (pingIntervalMs <= 0) return;
    this.stopKeepalive = startKeepalive({
      clock,
      intervalMs: pingIntervalMs,
      ping: () => this.send('action', { action: 'Ping' }, pingTimeoutMs),
      isLive: () => this.socket === socket && this.ready,
      onUnanswered: (err) => {
        if (!(err instanceof AmiTimeoutError)) return;
        this.log.warn({ timeoutMs: pingTimeoutMs }, 'keepalive Ping unanswered: dropping the link');
        socket.destroy(new AmiDisconnectedError(this.name, 'keepalive Ping unanswered'));
      },
    });
  }

  private onClosed(socket: Socket, cause: Error | undefined): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    const wasReady = this.ready;
    this.ready = false;
    this.authenticated = false;
    this.stopKeepalive?.();
    this.stopKeepalive = undefined;
    const reason = new AmiDisconnectedError(this.name, `connection lost${cause ? `: ${cause.message}` : ''}`, cause);
    // Every pending action fails; none is re-sent, since a side effect may already have happened.
    const failedActions = this.pending.failAll(reason);
    if (!wasReady) return;
    if (this.stopping) {
      this.log.debug({ failedActions }, 'AMI link closed by stop()');
      return;
    }
    this.log.warn({ err: cause, failedActions }, 'AMI disconnected');
    this.setState({ status: 'down', since: this.cfg.clock.now(), error: reason });
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
    if (msg.event !== undefined) {
      if (this.pending.claimEvent(msg)) return;
      if (msg.event === 'FullyBooted') this.boot?.noteBooted(this.ready);
      this.emitEvent(msg);
      return;
    }
    if (msg.response !== undefined) this.pending.answer(msg);
  }

  /** Raw 'event' listeners, then typed ones for that name. */
  private emitEvent(msg: AmiMessage): void {
    this.safeEmit('event', msg);
    this.typedListeners.dispatch(msg, this);
  }

  private safeEmit<K extends keyof AmiClientEvents>(event: K, ...args: AmiClientEvents[K]): void {
    for (const listener of this.rawListeners(event)) callSafely(this.log, event, listener, this, args);
  }
}
