import { randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { systemClock, type Clock } from '../core/clock.ts';
import { silentLogger, type Logger } from '../log.ts';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import type { AmiDisconnectedError } from './errors.ts';
import type { AmiLinkState } from './link-state.ts';
import type { AmiMessage } from './message.ts';
import type { AmiActionSettled } from './types.ts';

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
  /** Every timer of the client (timeouts, keepalive, boot wait, reconnect backoff); default the system clock. */
  clock?: Clock;
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
  /** The link state changed (see `AmiLinkState`), or a failed state got its next attempt time. */
  state: [state: AmiLinkState];
  /** An action was answered, refused, timed out or failed with the link (Login and Ping included). */
  actionSettled: [settled: AmiActionSettled];
}

/** The options with every default filled in. */
export interface AmiClientSettings {
  readonly events: string;
  readonly actionTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly bootWaitMs: number;
  readonly loginRetryMs: number;
  readonly backoff: BackoffOptions;
  readonly clock: Clock;
  readonly log: Logger;
  readonly nextActionId: () => string;
}

function defaultActionIdGenerator(name: string): () => string {
  // A random per-client prefix: ids stay unique across clients and restarts, which keeps logs unambiguous.
  const prefix = `${name}-${randomBytes(4).toString('hex')}-`;
  let counter = 0;
  return () => `${prefix}${++counter}`;
}

export function clientSettings(opts: AmiClientOptions): AmiClientSettings {
  return {
    events: opts.events ?? 'on',
    actionTimeoutMs: opts.actionTimeoutMs ?? 10_000,
    pingIntervalMs: opts.pingIntervalMs ?? 15_000,
    pingTimeoutMs: opts.pingTimeoutMs ?? 5_000,
    connectTimeoutMs: opts.connectTimeoutMs ?? 5_000,
    bootWaitMs: opts.bootWaitMs ?? 2_000,
    loginRetryMs: opts.loginRetryMs ?? 60_000,
    backoff: {
      initialDelayMs: opts.reconnect?.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
      maxDelayMs: opts.reconnect?.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
      factor: opts.reconnect?.factor ?? DEFAULT_BACKOFF.factor,
      jitter: opts.reconnect?.jitter ?? DEFAULT_BACKOFF.jitter,
    },
    clock: opts.clock ?? systemClock,
    log: (opts.logger ?? silentLogger()).child({ component: 'ami', pbx: opts.name }),
    nextActionId: opts.actionIdGenerator ?? defaultActionIdGenerator(opts.name),
  };
}
