import { readFileSync } from 'node:fs';
import { AmiClient, type AmiClientOptions } from '../ami/client.ts';
import type { PbxConfig } from '../config.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { ConferenceBackend, InviteProgress, QueuedCaller, TransferTarget, Who } from './backend.ts';
import { ArrivalTracker, type MohLobby } from './lobby.ts';
import { AmiLoginError } from '../ami/errors.ts';
import type { AmiLinkState } from '../ami/link-state.ts';
import { emptyPbxState, setAvailability, setLinkProblem, setRoomsKnown } from './model.ts';
import { Injections } from './pbx-inject.ts';
import { ChannelIndex, EventFanout, LinkSubscription, PbxFeed, type ChangeListener, type ManagedLink } from './pbx-link.ts';
import { RoomOps } from './pbx-rooms.ts';
import { chain, DEFAULT_RESYNC_RETRY, PbxSync, type ResyncRetryOptions } from './pbx-sync.ts';
import { RoomMemory, type KeyValue } from './room-memory.ts';
import type { Dialect, LinkProblem, Participant, PbxState, Room } from './types.ts';

/**
 * One PBX: its AMI link, the room state folded from its events, the dialect backend, and
 * reconciliation on every (re)connect and on timers. The jobs live in their own modules: link state
 * and fan-out (pbx-link), sync, retry and dialect detection (pbx-sync), room operations and error
 * mapping (pbx-rooms), Originate-based injection (pbx-inject). Timers run on the injected Clock.
 */

export type { ManagedLink } from './pbx-link.ts';
export type { ResyncRetryOptions } from './pbx-sync.ts';

export interface PbxConnectionOptions {
  readonly config: PbxConfig;
  readonly link: ManagedLink;
  /** Time and timers; default the system clock. */
  readonly clock?: Clock;
  /** Epoch ms, when only the time is to be replaced (timers stay the system's). */
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly resyncRetry?: ResyncRetryOptions;
  /** Jitter source in [0, 1); default `Math.random`. */
  readonly random?: () => number;
  /** How long an answered invite may take to appear in the room; default 5 s. */
  readonly inviteJoinWaitMs?: number;
  /** Where room start times and who muted whom are kept across restarts; default nowhere. */
  readonly memory?: KeyValue;
}

/** Answer to join is the dialplan's entry prompts at most; a callee not in the room by then is not coming. */
const DEFAULT_INVITE_JOIN_WAIT_MS = 5000;

function clockOf(opts: { readonly clock?: Clock; readonly now?: () => number }): Clock {
  if (opts.clock !== undefined) return opts.clock;
  return opts.now === undefined ? systemClock : { ...systemClock, now: opts.now };
}

export class PbxConnection implements ConferenceBackend {
  readonly pbx: string;
  private readonly config: PbxConfig;
  private readonly link: ManagedLink;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly feed: PbxFeed;
  private readonly channels = new ChannelIndex();
  private readonly sync: PbxSync;
  private readonly ops: RoomOps;
  private readonly injections: Injections;
  private readonly subscription: LinkSubscription;
  private readonly memory: RoomMemory | undefined;

  constructor(opts: PbxConnectionOptions) {
    this.config = opts.config;
    this.pbx = opts.config.id;
    this.link = opts.link;
    this.clock = clockOf(opts);
    this.log = (opts.logger ?? silentLogger()).child({ component: 'conference', pbx: this.pbx });
    const configuredDialect = opts.config.dialect === 'auto' ? undefined : opts.config.dialect;
    this.feed = new PbxFeed(emptyPbxState(this.pbx, configuredDialect, this.clock.now()), this.log);
    const memory = opts.memory === undefined ? undefined : new RoomMemory(opts.memory, this.pbx, this.log);
    this.memory = memory;
    if (memory) this.feed.onChange((changes) => memory.note(this.feed.state, changes));
    const mohLobbies = Object.values(opts.config.lobbies).filter((l): l is MohLobby => l.type === 'moh');
    const arrivals = new ArrivalTracker(mohLobbies);
    const base = { pbx: this.pbx, config: this.config, link: this.link, clock: this.clock, feed: this.feed };
    const fanout = new EventFanout(this.feed, this.clock, {
      injectionByTarget: (room, channel) => this.injections.injectionByTarget(room, channel),
      relistSoon: (room) => this.sync.relistSoon(room),
      takeMutedByBot: (uniqueid) => this.ops.takeMutedByBot(uniqueid),
    }, this.channels, arrivals);
    this.sync = new PbxSync({
      ...base, log: this.log, fanout, channels: this.channels, configuredDialect,
      retry: opts.resyncRetry ?? DEFAULT_RESYNC_RETRY,
      random: opts.random ?? Math.random,
      resyncIntervalMs: opts.config.resyncIntervalSec * 1000,
      lockRefreshMs: opts.config.lockRefreshSec * 1000,
      injectionByTarget: (room, channel) => this.injections.injectionByTarget(room, channel),
      ...(memory === undefined ? {} : { remembered: memory }),
    });
    this.ops = new RoomOps({ ...base, sync: this.sync, arrivals });
    this.injections = new Injections({ ...base, rooms: this.ops, inviteJoinWaitMs: opts.inviteJoinWaitMs ?? DEFAULT_INVITE_JOIN_WAIT_MS });
    this.subscription = new LinkSubscription(this.link, {
      event: fanout.onEvent,
      connected: () => this.onConnected(),
      disconnected: (reason) => this.onDisconnected(reason),
    });
  }

  get dialect(): Dialect | undefined {
    return this.feed.state.dialect;
  }

  get available(): boolean {
    return this.feed.state.available;
  }

  state(): PbxState {
    return this.feed.state;
  }

  /** The AMI link, for observers that only listen (metrics: events, link state). */
  get amiLink(): Pick<ManagedLink, 'on' | 'off' | 'linkState'> {
    return this.link;
  }

  /** Connects (first login, then detection and reconciliation); rejects if the first login fails, but keeps retrying. */
  async start(): Promise<void> {
    await this.memory?.load();
    this.link.on('state', this.onLinkState);
    this.subscription.attach();
    this.sync.start();
    try {
      await this.link.start();
    } catch (err) {
      // Only the first attempt's failure reaches here; the link keeps retrying in the background.
      const problem: LinkProblem = err instanceof AmiLoginError ? { kind: 'login_refused' } : { kind: 'unreachable' };
      this.feed.commit(setLinkProblem(this.feed.state, problem));
      throw err;
    }
    if (this.link.connected) await this.sync.sync();
  }

  async stop(): Promise<void> {
    this.link.off('state', this.onLinkState);
    this.sync.stop();
    this.subscription.detach();
    await this.link.stop();
    await this.sync.settled();
    this.feed.commit(setAvailability(this.feed.state, false, this.clock.now()));
    await this.memory?.settled();
  }

  onChange(listener: ChangeListener): () => void {
    return this.feed.onChange(listener);
  }

  /** Re-lists every room now and emits the differences (also runs on connect and on the timer). */
  resync(): Promise<void> {
    return this.sync.sync();
  }

  /** A later attempt refused (the secret changed while running) or unreachable says so, not only the first. */
  private readonly onLinkState = (state: AmiLinkState): void => {
    if (state.status !== 'login_refused' && state.status !== 'unreachable') return;
    if (this.feed.state.problem?.kind === state.status) return;
    this.feed.commit(setLinkProblem(this.feed.state, { kind: state.status }));
  };

  private onConnected(): void {
    const kind = this.feed.state.problem?.kind;
    // Logged in: whatever kept the link down is over; a listing problem stays until a listing works.
    if (kind === 'login_refused' || kind === 'unreachable') this.feed.commit(setLinkProblem(this.feed.state, undefined));
    void this.sync.sync();
  }

  private onDisconnected(reason: Error): void {
    this.log.warn({ err: reason }, 'PBX link down; rooms shown as unavailable');
    // The reconnect reconciles anyway; names seen before the drop may have been hung up meanwhile.
    this.sync.cancelRetry();
    this.channels.clear();
    this.feed.commit(chain(setAvailability(this.feed.state, false, this.clock.now()), (s) => setRoomsKnown(s, false)));
  }

  // ---- ConferenceBackend: reads ----

  rooms(): Promise<Room[]> {
    return Promise.resolve([...this.feed.state.rooms.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })));
  }

  room(name: string): Promise<Room> {
    return this.attempt(() => this.ops.heldRoom(name));
  }

  async participants(room: string): Promise<Participant[]> {
    return [...(await this.room(room)).participants.values()];
  }

  resolve(room: string, who: string): Promise<Participant> {
    return this.attempt(() => this.ops.resolve(room, who));
  }

  private attempt<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // ---- ConferenceBackend: operations ----

  mute(room: string, who: Who, on: boolean): Promise<Participant[]> {
    return this.ops.mute(room, who, on);
  }

  kick(room: string, who: Who): Promise<Participant[]> {
    return this.ops.kick(room, who);
  }

  refreshLock(room: string): Promise<void> {
    return this.ops.refreshLock(room);
  }

  lock(room: string, on: boolean): Promise<void> {
    return this.ops.lock(room, on);
  }

  record(room: string, on: boolean): Promise<void> {
    return this.ops.record(room, on);
  }

  muzak(room: string, on: boolean): Promise<void> {
    return this.injections.inject(room, 'muzak', on);
  }

  stream(room: string, on: boolean): Promise<void> {
    return this.injections.inject(room, 'stream', on);
  }

  invite(room: string, number: string, onProgress?: (p: InviteProgress) => void): Promise<InviteProgress> {
    return this.injections.invite(room, number, onProgress);
  }

  transfer(room: string, who: string, target: TransferTarget): Promise<Participant> {
    return this.ops.transfer(room, who, target);
  }

  getTopic(room: string, who: string): Promise<{ readonly participant: Participant; readonly topic: string | undefined }> {
    return this.ops.getTopic(room, who);
  }

  setTopic(room: string, who: string, text: string): Promise<Participant> {
    return this.ops.setTopic(room, who, text);
  }

  queue(room: string): Promise<QueuedCaller[]> {
    return this.ops.queue(room);
  }

  bringIn(room: string, who: string): Promise<QueuedCaller> {
    return this.ops.bringIn(room, who);
  }

  getChannelVar(channel: string, variable: string): Promise<string | undefined> {
    return this.ops.getChannelVar(channel, variable);
  }
}

/** TLS for AMI: off, the system CAs, a private CA file, or (tlsInsecure) any certificate. */
function amiTlsOptions(config: PbxConfig): NonNullable<AmiClientOptions['tls']> {
  if (!config.tls) return false;
  if (config.tlsInsecure) return { rejectUnauthorized: false };
  if (config.tlsCaFile !== undefined) return { ca: readFileSync(config.tlsCaFile) };
  return true;
}

/** Builds the AMI client from the PBX's config and wraps it in a PbxConnection. */
export function createPbxConnection(
  config: PbxConfig,
  deps: {
    readonly logger?: Logger; readonly now?: () => number; readonly clock?: Clock; readonly amiOverrides?: Partial<AmiClientOptions>;
    readonly resyncRetry?: ResyncRetryOptions; readonly inviteJoinWaitMs?: number; readonly memory?: KeyValue;
  } = {},
): PbxConnection {
  const options: AmiClientOptions = {
    name: config.id,
    host: config.host,
    port: config.port,
    tls: amiTlsOptions(config),
    username: config.username,
    secret: config.secret,
    authType: config.authType,
    events: config.events,
    actionTimeoutMs: config.actionTimeoutMs,
    pingIntervalMs: config.pingIntervalMs,
    bootWaitMs: config.bootWaitMs,
    loginRetryMs: config.loginRetryMs,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...deps.amiOverrides,
  };
  return new PbxConnection({
    config,
    link: new AmiClient(options),
    ...(deps.now === undefined ? {} : { now: deps.now }),
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(deps.resyncRetry === undefined ? {} : { resyncRetry: deps.resyncRetry }),
    ...(deps.inviteJoinWaitMs === undefined ? {} : { inviteJoinWaitMs: deps.inviteJoinWaitMs }),
    ...(deps.memory === undefined ? {} : { memory: deps.memory }),
  });
}
