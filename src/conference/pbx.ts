import { readFileSync } from 'node:fs';
import { confbridgeListRooms, coreShowChannels, getVar, hangup, meetmeListRooms, originateAsync, redirect, setVar, type OriginateParams } from '../ami/actions.ts';
import { AmiClient, type AmiClientOptions } from '../ami/client.ts';
import { AmiActionError } from '../ami/errors.ts';
import { parseAmiEvent } from '../ami/events.ts';
import type { AmiMessage } from '../ami/message.ts';
import type { AmiLink } from '../ami/types.ts';
import type { PbxConfig } from '../config.ts';
import { isBotError, type BotError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { ConferenceBackend, InviteProgress, QueuedCaller, TransferTarget, Who } from './backend.ts';
import { channelMatchesTarget } from './channel.ts';
import { confbridgeDialect } from './confbridge.ts';
import { UNKNOWN_ACTION, type DialectOps } from './dialect.ts';
import {
  ActionRefusedError, BadInputError, OutcomeUnknownError, PbxUnavailableError, RoomNotFoundError,
} from './errors.ts';
import { ArrivalTracker, conferenceQueue, mohQueue, pickQueued, type MohLobby } from './lobby.ts';
import { meetmeDialect } from './meetme.ts';
import {
  claimInjection, emptyPbxState, reduceConference, setAvailability, setDialect, setInjection, setMutedBy, setParticipantTopic,
  setRoomLocked, type InjectionKind, type Reduction,
} from './model.ts';
import { reconcile } from './reconcile.ts';
import type { Dialect, Participant, PbxState, Room, RoomChange } from './types.ts';
import { resolveWho, validateWho } from './who.ts';

/**
 * One PBX: its AMI link, the room state folded from its events, the dialect backend, and
 * reconciliation on every (re)connect and on a timer. Side-effecting operations are sent once: a
 * link that drops while one is pending turns it into `outcome_unknown`, never a retry.
 */

export type ManagedLink = AmiLink & { start(): Promise<void>; stop(): Promise<void> };

/** How a failed reconciliation is retried while the link stays up: doubling delays, capped, with jitter. */
export interface ResyncRetryOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

const DEFAULT_RESYNC_RETRY: ResyncRetryOptions = { initialDelayMs: 1000, maxDelayMs: 30_000 };

export interface PbxConnectionOptions {
  readonly config: PbxConfig;
  readonly link: ManagedLink;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly resyncRetry?: ResyncRetryOptions;
  /** Jitter source in [0, 1); default `Math.random`. */
  readonly random?: () => number;
  /** How long an answered invite may take to appear in the room; default 5 s. */
  readonly inviteJoinWaitMs?: number;
}

type ChangeListener = (changes: readonly RoomChange[]) => void;

const DIAL_NUMBER = /^\+?[0-9*#]{1,32}$/;
const DIALPLAN_NAME = /^[A-Za-z0-9_+*#.-]{1,80}$/;
const VARIABLE_NAME = /^[A-Za-z0-9_()+,.-]{1,80}$/;
const TOPIC_MAX = 200;
const MEETME_JOIN_RELIST_MS = 100;
/** Answer to join is the dialplan's entry prompts at most; a callee not in the room by then is not coming. */
const DEFAULT_INVITE_JOIN_WAIT_MS = 5000;
const CONTROL = /[\x00-\x1f\x7f]/;

function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

export class PbxConnection implements ConferenceBackend {
  readonly pbx: string;
  private readonly config: PbxConfig;
  private readonly link: ManagedLink;
  private readonly now: () => number;
  private readonly log: Logger;
  private st: PbxState;
  private ops: DialectOps | undefined;
  private readonly listeners = new Set<ChangeListener>();
  /** Events that arrive while a reconcile is listing: applied after it, so none is lost to the diff. */
  private buffered: AmiMessage[] | undefined;
  private syncing: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private joinRelistTimer: NodeJS.Timeout | undefined;
  /** Rooms a MeetMe join (or a mute the bot did not make) touched since the last re-list. */
  private readonly relistRooms = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs: number;
  private readonly retry: ResyncRetryOptions;
  private readonly random: () => number;
  /** Configured dialect, or undefined for `auto`. */
  private readonly configuredDialect: Dialect | undefined;
  /** Auto-detection found both ConfBridge and MeetMe loaded: an empty listing re-checks the other one. */
  private bothDialects = false;
  /** Channel name → Uniqueid from Newchannel/MeetmeJoin/Rename/Hangup, so a MeetMe re-list needs no `Status`. */
  private readonly channelIds = new Map<string, string>();
  /** Participants the bot muted, to record `mutedBy: 'admin'` when the event comes. */
  private readonly mutedByBot = new Set<string>();
  private readonly arrivals: ArrivalTracker;
  private readonly inviteJoinWaitMs: number;
  private attached = false;

  constructor(opts: PbxConnectionOptions) {
    this.config = opts.config;
    this.pbx = opts.config.id;
    this.link = opts.link;
    this.now = opts.now ?? Date.now;
    this.log = (opts.logger ?? silentLogger()).child({ component: 'conference', pbx: this.pbx });
    this.configuredDialect = opts.config.dialect === 'auto' ? undefined : opts.config.dialect;
    this.st = emptyPbxState(this.pbx, this.configuredDialect, this.now());
    this.retry = opts.resyncRetry ?? DEFAULT_RESYNC_RETRY;
    this.retryDelayMs = this.retry.initialDelayMs;
    this.random = opts.random ?? Math.random;
    this.inviteJoinWaitMs = opts.inviteJoinWaitMs ?? DEFAULT_INVITE_JOIN_WAIT_MS;
    const mohLobbies = Object.values(opts.config.lobbies).filter((l): l is MohLobby => l.type === 'moh');
    this.arrivals = new ArrivalTracker(mohLobbies);
  }

  get dialect(): Dialect | undefined {
    return this.st.dialect;
  }

  get available(): boolean {
    return this.st.available;
  }

  state(): PbxState {
    return this.st;
  }

  /** Connects (first login, then detection and reconciliation); rejects if the first login fails, but keeps retrying. */
  async start(): Promise<void> {
    this.attach();
    if (this.config.resyncIntervalSec > 0 && this.resyncTimer === undefined) {
      this.resyncTimer = setInterval(() => {
        if (this.link.connected) void this.sync();
      }, this.config.resyncIntervalSec * 1000);
      this.resyncTimer.unref();
    }
    await this.link.start();
    if (this.link.connected) await this.sync();
  }

  async stop(): Promise<void> {
    if (this.resyncTimer !== undefined) clearInterval(this.resyncTimer);
    if (this.joinRelistTimer !== undefined) clearTimeout(this.joinRelistTimer);
    this.resyncTimer = undefined;
    this.joinRelistTimer = undefined;
    this.cancelRetry();
    this.detach();
    await this.link.stop();
    await this.syncing?.catch(() => undefined);
    this.commit(setAvailability(this.st, false, this.now()));
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-lists every room now and emits the differences (also runs on connect and on the timer). */
  resync(): Promise<void> {
    return this.sync();
  }

  // ---- link wiring ----

  private readonly onEvent = (msg: AmiMessage): void => {
    this.arrivals.note(msg, this.now());
    this.indexChannel(msg);
    if (this.buffered) {
      this.buffered.push(msg);
      return;
    }
    this.apply(msg);
  };

  private readonly onConnected = (): void => {
    void this.sync();
  };

  private readonly onDisconnected = (reason: Error): void => {
    this.log.warn({ err: reason }, 'PBX link down; rooms shown as unavailable');
    // The reconnect reconciles anyway; names seen before the drop may have been hung up meanwhile.
    this.cancelRetry();
    this.channelIds.clear();
    this.commit(setAvailability(this.st, false, this.now()));
  };

  /** Keeps `channelIds` current; only MeetMe needs it (ConfBridge lists carry the Uniqueid). */
  private indexChannel(msg: AmiMessage): void {
    if (this.st.dialect === 'confbridge') return;
    const name = msg.event?.toLowerCase();
    const channel = msg.get('Channel');
    const uniqueid = msg.get('Uniqueid');
    if (channel === undefined || uniqueid === undefined) return;
    if (name === 'newchannel' || name === 'meetmejoin') {
      this.channelIds.set(channel, uniqueid);
    } else if (name === 'rename') {
      const newname = msg.get('Newname');
      this.channelIds.delete(channel);
      if (newname !== undefined) this.channelIds.set(newname, uniqueid);
    } else if (name === 'hangup') {
      this.channelIds.delete(channel);
    }
  }

  private attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.link.on('event', this.onEvent);
    this.link.on('connected', this.onConnected);
    this.link.on('disconnected', this.onDisconnected);
  }

  private detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.link.off('event', this.onEvent);
    this.link.off('connected', this.onConnected);
    this.link.off('disconnected', this.onDisconnected);
  }

  private apply(msg: AmiMessage): void {
    const r = reduceConference(this.st, parseAmiEvent(msg), this.now());
    if (r.state === this.st && r.changes.length === 0) return;
    let state = r.state;
    const changes: RoomChange[] = [];
    for (const c of r.changes) {
      if (c.type === 'joined') {
        // A muzak/stream channel whose originate the bot stopped waiting for (a dial slower than
        // the wait, a restart): its template still tells it apart from a caller.
        const kind = this.injectionByTarget(c.room, c.participant.channel);
        if (kind !== undefined && state.rooms.get(c.room)?.[kind] === undefined) {
          state = claimInjection(state, c.room, c.participant.uniqueid, kind, this.now());
          changes.push({ type: kind, pbx: c.pbx, room: c.room, on: true });
          continue;
        }
        if (state.dialect === 'meetme') this.relistSoon(c.room);
      }
      if (c.type === 'muted' && c.on) {
        if (this.mutedByBot.delete(c.participant.uniqueid)) state = setMutedBy(state, c.room, c.participant.uniqueid, 'admin');
        // MeetmeMute does not say who muted; MeetmeList does (`By self` / `By admin`).
        else if (state.dialect === 'meetme') this.relistSoon(c.room);
      }
      changes.push(c);
    }
    this.commit({ state, changes });
  }

  /**
   * MeetmeJoin carries no admin or marked flag, and MeetmeMute no author: a re-list of just the rooms
   * concerned, shortly after a burst of such events, learns them.
   */
  private relistSoon(room: string): void {
    this.relistRooms.add(room);
    if (this.joinRelistTimer !== undefined) return;
    this.joinRelistTimer = setTimeout(() => {
      this.joinRelistTimer = undefined;
      const rooms = [...this.relistRooms];
      this.relistRooms.clear();
      if (this.link.connected) void this.sync(rooms);
    }, MEETME_JOIN_RELIST_MS);
    this.joinRelistTimer.unref();
  }

  private commit(r: Reduction): void {
    this.st = r.state;
    if (r.changes.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(r.changes);
      } catch (err) {
        this.log.error({ err }, 'change listener threw');
      }
    }
  }

  // ---- dialect detection and reconciliation ----

  /**
   * Lists every room (or just `rooms`) and reconciles. While one runs, another request joins it:
   * events buffered meanwhile are applied after it and ask for their own re-list if they need one.
   */
  private sync(rooms?: readonly string[]): Promise<void> {
    if (this.syncing) return this.syncing;
    this.buffered = [];
    this.syncing = this.runSync(rooms).finally(() => {
      const pending = this.buffered ?? [];
      this.buffered = undefined;
      this.syncing = undefined;
      for (const msg of pending) this.apply(msg);
    });
    return this.syncing;
  }

  private async runSync(rooms: readonly string[] | undefined): Promise<void> {
    try {
      let ops = await this.dialectOps();
      const some = ops.listSomeRooms === undefined ? undefined : rooms;
      let listed = some !== undefined && ops.listSomeRooms ? await ops.listSomeRooms(some) : await ops.listRooms();
      if (some === undefined && listed.length === 0 && this.bothDialects) {
        const other = await this.otherDialectIfBusy(ops.dialect);
        if (other !== undefined) {
          ops = other;
          listed = await ops.listRooms();
        }
      }
      const r = reconcile(this.st, listed, this.now(), {
        dialect: ops.dialect,
        injectionByTarget: (room, channel) => this.injectionByTarget(room, channel),
        ...(some === undefined ? {} : { only: new Set(some) }),
      });
      if (some !== undefined) {
        this.commit(r);
        return;
      }
      // Only a full listing shows the whole PBX again.
      const up = setAvailability(r.state, true, this.now());
      this.retryDelayMs = this.retry.initialDelayMs;
      this.commit({ state: up.state, changes: [...r.changes, ...up.changes] });
    } catch (err) {
      // A link that dropped mid-listing reconciles again on reconnect. Anything else (a malformed
      // answer, a timeout) would leave the PBX shown unavailable, or stale, until the next
      // reconnect, which may never come: retry while the link is up.
      if (!this.link.connected) return;
      this.log.error({ err, retryInMs: this.retryDelayMs }, 'reconciliation failed; retrying');
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || !this.attached) return;
    const delay = Math.round(this.retryDelayMs * (1 + 0.2 * this.random()));
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.retry.maxDelayMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.link.connected) void this.sync();
    }, delay);
    this.retryTimer.unref();
  }

  private cancelRetry(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryDelayMs = this.retry.initialDelayMs;
  }

  private async dialectOps(): Promise<DialectOps> {
    if (this.ops) return this.ops;
    return this.useDialect(this.configuredDialect ?? (await this.detectDialect()));
  }

  private useDialect(dialect: Dialect): DialectOps {
    this.ops = dialect === 'confbridge'
      ? confbridgeDialect(this.link)
      : meetmeDialect(this.link, { knownUniqueid: (channel) => this.uniqueidOfChannel(channel) });
    this.st = setDialect(this.st, dialect);
    this.log.info({ dialect }, 'conference dialect');
    return this.ops;
  }

  /** Room count from a dialect's list action, or undefined when the PBX does not know the action. */
  private async roomCount(list: (link: AmiLink) => Promise<readonly unknown[]>): Promise<number | undefined> {
    try {
      return (await list(this.link)).length;
    } catch (err) {
      if (err instanceof AmiActionError && UNKNOWN_ACTION.test(err.amiMessage)) return undefined;
      throw err;
    }
  }

  /**
   * The PBX runs whichever conference application knows its list action. Asterisk 11–18 often loads
   * both: then the one with active rooms wins, ConfBridge when neither has any (and an empty listing
   * later re-checks MeetMe). Either way the log says which and why.
   */
  private async detectDialect(): Promise<Dialect> {
    const confbridge = await this.roomCount(confbridgeListRooms);
    // Too old for MeetmeListRooms still means MeetMe: the dialect then lists through the CLI.
    if (confbridge === undefined) {
      this.log.info('PBX does not know ConfbridgeListRooms: using MeetMe');
      return 'meetme';
    }
    const meetme = await this.roomCount(meetmeListRooms);
    if (meetme === undefined) {
      this.log.info('PBX knows ConfbridgeListRooms but not MeetmeListRooms: using ConfBridge');
      return 'confbridge';
    }
    this.bothDialects = true;
    const dialect: Dialect = meetme > 0 && confbridge === 0 ? 'meetme' : 'confbridge';
    const why = meetme > 0 && confbridge === 0
      ? 'only MeetMe has active rooms'
      : confbridge > 0 ? 'ConfBridge has active rooms' : 'neither has active rooms (re-checked while ConfBridge stays empty)';
    this.log.warn({ dialect, confbridgeRooms: confbridge, meetmeRooms: meetme },
      `PBX runs both ConfBridge and MeetMe; using ${dialect}: ${why}. Set pbxs[].dialect to choose for good.`);
    return dialect;
  }

  /** With both applications loaded and the current one empty: switches when the other has rooms. */
  private async otherDialectIfBusy(current: Dialect): Promise<DialectOps | undefined> {
    const other: Dialect = current === 'confbridge' ? 'meetme' : 'confbridge';
    const rooms = await this.roomCount(other === 'confbridge' ? confbridgeListRooms : meetmeListRooms);
    if (rooms === undefined || rooms === 0) return undefined;
    this.log.warn({ dialect: other, rooms }, `${current} has no active rooms but ${other} has: switching to ${other}. Set pbxs[].dialect to choose for good.`);
    return this.useDialect(other);
  }

  private uniqueidOfChannel(channel: string): string | undefined {
    const indexed = this.channelIds.get(channel);
    if (indexed !== undefined) return indexed;
    for (const room of this.st.rooms.values()) {
      for (const p of room.participants.values()) if (p.channel === channel) return p.uniqueid;
    }
    return undefined;
  }

  private injectionByTarget(room: string, channel: string): InjectionKind | undefined {
    for (const kind of ['muzak', 'stream'] as const) {
      const template = this.config[kind];
      if (template && channelMatchesTarget(channel, fill(template.channel, { room }))) return kind;
    }
    return undefined;
  }

  // ---- error mapping ----

  private requireUp(): void {
    if (!this.link.connected) throw new PbxUnavailableError(this.pbx);
  }

  /** Runs a side-effecting AMI call once; a drop or a timeout while pending makes the outcome unknown. */
  private async effect<T>(room: string, what: string, fn: () => Promise<T>): Promise<T> {
    this.requireUp();
    try {
      return await fn();
    } catch (err) {
      if (isBotError(err, 'ami_disconnected') || isBotError(err, 'ami_timeout')) {
        throw new OutcomeUnknownError(this.pbx, room, what, { detail: `${what} in ${room} on ${this.pbx}: ${(err as BotError).message}`, cause: err });
      }
      throw this.refused(err, `The PBX refused to ${what} in room ${room}.`);
    }
  }

  /** Runs a read-only AMI call; a drop means the PBX is unavailable. */
  private async query<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.requireUp();
    try {
      return await fn();
    } catch (err) {
      if (isBotError(err, 'ami_disconnected') || isBotError(err, 'ami_timeout')) throw new PbxUnavailableError(this.pbx, { detail: (err as BotError).message, cause: err });
      throw this.refused(err, `The PBX could not ${what}.`);
    }
  }

  private refused(err: unknown, userMessage: string): unknown {
    if (err instanceof AmiActionError) return new ActionRefusedError(userMessage, { detail: err.message, cause: err });
    return err;
  }

  // ---- ConferenceBackend: reads ----

  rooms(): Promise<Room[]> {
    return Promise.resolve([...this.st.rooms.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })));
  }

  room(name: string): Promise<Room> {
    try {
      return Promise.resolve(this.heldRoom(name));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private heldRoom(name: string): Room {
    const room = CONTROL.test(name) ? undefined : this.st.rooms.get(name);
    if (room === undefined) throw new RoomNotFoundError(this.pbx, name, [...this.st.rooms.keys()].sort());
    return room;
  }

  async participants(room: string): Promise<Participant[]> {
    return [...(await this.room(room)).participants.values()];
  }

  async resolve(room: string, who: string): Promise<Participant> {
    return resolveWho([...(await this.room(room)).participants.values()], who, { room });
  }

  // ---- ConferenceBackend: room operations ----

  async mute(room: string, who: Who, on: boolean): Promise<Participant[]> {
    const r = this.heldRoom(room);
    const ops = await this.requireOps();
    if (who.kind === 'one') {
      const p = resolveWho([...r.participants.values()], who.text, { room });
      if (on) this.mutedByBot.add(p.uniqueid);
      try {
        await this.effect(room, on ? 'mute' : 'unmute', () => ops.mute(room, p, on));
      } catch (err) {
        this.mutedByBot.delete(p.uniqueid);
        throw err;
      }
      this.st = on ? this.markedMutedByBot(p.uniqueid, room) : this.st;
      return [p];
    }
    const targets = [...r.participants.values()].filter((p) => !(on && p.admin));
    if (on) for (const p of targets) this.mutedByBot.add(p.uniqueid);
    await this.effect(room, on ? 'mute everyone' : 'unmute everyone', () => ops.mute(room, 'all', on));
    if (on) for (const p of targets) this.st = this.markedMutedByBot(p.uniqueid, room);
    return targets;
  }

  /** The mute event may come before the action's answer: mark it now if it already did. */
  private markedMutedByBot(uniqueid: string, room: string): PbxState {
    const next = setMutedBy(this.st, room, uniqueid, 'admin');
    if (next !== this.st) this.mutedByBot.delete(uniqueid);
    return next;
  }

  async kick(room: string, who: Who): Promise<Participant[]> {
    const r = this.heldRoom(room);
    const ops = await this.requireOps();
    if (who.kind === 'one') {
      const p = resolveWho([...r.participants.values()], who.text, { room });
      await this.effect(room, 'kick', () => ops.kick(room, p));
      return [p];
    }
    const everyone = [...r.participants.values()];
    await this.effect(room, 'kick everyone', () => ops.kick(room, 'all'));
    return everyone;
  }

  async lock(room: string, on: boolean): Promise<void> {
    this.heldRoom(room);
    const ops = await this.requireOps();
    await this.effect(room, on ? 'lock' : 'unlock', () => ops.lock(room, on));
    // Asterisk 22 and MeetMe send no lock event: the answer is the only news.
    this.commit(setRoomLocked(this.st, room, on));
  }

  async record(room: string, on: boolean): Promise<void> {
    this.heldRoom(room);
    const ops = await this.requireOps();
    await this.effect(room, on ? 'start recording' : 'stop recording', () => ops.record(room, on));
  }

  private async requireOps(): Promise<DialectOps> {
    this.requireUp();
    if (this.ops) return this.ops;
    try {
      return await this.dialectOps();
    } catch (err) {
      throw new PbxUnavailableError(this.pbx, { detail: `dialect detection failed: ${String(err)}`, cause: err });
    }
  }

  muzak(room: string, on: boolean): Promise<void> {
    return this.inject(room, 'muzak', on);
  }

  stream(room: string, on: boolean): Promise<void> {
    return this.inject(room, 'stream', on);
  }

  /** Muzak and streaming: originate the configured channel into the room; off hangs it up. */
  private async inject(room: string, kind: InjectionKind, on: boolean): Promise<void> {
    const r = this.heldRoom(room);
    const template = this.config[kind];
    if (template === undefined) {
      throw new ActionRefusedError(`${kind === 'muzak' ? 'Music' : 'Streaming'} is not set up for PBX ${this.pbx}; an admin must configure it.`, {
        adminHint: `Set pbxs[].${kind} for PBX ${this.pbx} in the config.`,
      });
    }
    this.requireUp();
    const current = r[kind];
    if (!on) {
      if (current === undefined) return;
      if (current.uniqueid === undefined) throw new ActionRefusedError(`The ${kind} channel of room ${room} is still starting; try again in a moment.`);
      await this.effect(room, `stop ${kind}`, () => hangup(this.link, current.channel));
      return;
    }
    if (current !== undefined) return;
    const values = { room };
    const target = fill(template.channel, values);
    this.st = setInjection(this.st, room, kind, { channel: target, uniqueid: undefined, since: this.now() });
    const params: OriginateParams = {
      channel: target, context: fill(template.context, values), exten: fill(template.exten, values), priority: template.priority,
      // The dial timeout also sets how long the bot waits for OriginateResponse (see AmiClient.originateAsync).
      timeoutMs: template.timeoutMs,
      ...(template.callerId === undefined ? {} : { callerId: fill(template.callerId, values) }),
    };
    let result;
    try {
      result = await this.effect(room, `start ${kind}`, () => originateAsync(this.link, params));
    } catch (err) {
      this.clearPendingInjection(room, kind);
      throw err;
    }
    if (!result.success) {
      this.clearPendingInjection(room, kind);
      throw new ActionRefusedError(`The ${kind} channel for room ${room} did not start (${result.reasonText}).`, { detail: `originate ${target}: reason ${result.reason}` });
    }
    const held = this.st.rooms.get(room)?.[kind];
    if (held !== undefined && held.uniqueid === undefined) {
      this.st = setInjection(this.st, room, kind, { ...held, uniqueid: result.uniqueid, channel: result.channel || held.channel });
    }
  }

  private clearPendingInjection(room: string, kind: InjectionKind): void {
    if (this.st.rooms.get(room)?.[kind]?.uniqueid === undefined) this.st = setInjection(this.st, room, kind, undefined);
  }

  /**
   * ConfBridge and MeetMe turn away a non-admin joining a locked room, and an invited callee or a
   * redirected caller runs the default (non-admin) user profile: the call would be answered, then
   * dropped, while the bot reported success.
   */
  private refuseIfLocked(room: string, what: string): void {
    if (this.st.rooms.get(room)?.locked === true) throw new ActionRefusedError(`Room ${room} is locked: unlock it first to ${what}.`);
  }

  async invite(room: string, number: string, onProgress?: (p: InviteProgress) => void): Promise<InviteProgress> {
    this.heldRoom(room);
    this.refuseIfLocked(room, 'invite someone');
    const digits = number.replace(/[\s().-]/g, '');
    if (!DIAL_NUMBER.test(digits)) throw new BadInputError(`"${number.slice(0, 40)}" is not a phone number: use digits, optionally with a leading +.`);
    const template = this.config.invite;
    if (template === undefined) {
      throw new ActionRefusedError(`Invite is not set up for PBX ${this.pbx}; an admin must configure it.`, {
        adminHint: `Set pbxs[].invite for PBX ${this.pbx} in the config.`,
      });
    }
    this.requireUp();
    const values = { room, number: digits };
    const pending: InviteProgress = { state: 'pending', number: digits, reason: undefined, channel: undefined };
    onProgress?.(pending);
    const callee = this.watchCallee(room);
    let result;
    try {
      result = await this.effect(room, `invite ${digits}`, () => originateAsync(this.link, {
        channel: fill(template.channel, values), context: fill(template.context, values), exten: fill(template.exten, values),
        priority: template.priority, timeoutMs: template.timeoutMs,
        ...(template.callerId === undefined ? {} : { callerId: fill(template.callerId, values) }),
      }));
    } catch (err) {
      callee.cancel();
      throw err;
    }
    let done: InviteProgress;
    if (!result.success) {
      callee.cancel();
      done = { state: 'failed', number: digits, reason: result.reasonText, channel: undefined };
    } else if (await callee.joined(result.uniqueid, result.channel)) {
      done = { state: 'answered', number: digits, reason: undefined, channel: result.channel };
    } else {
      done = { state: 'failed', number: digits, reason: 'answered, but did not join the room', channel: result.channel };
    }
    onProgress?.(done);
    return done;
  }

  /**
   * OriginateResponse says the callee answered, not that the dialplan took them into the room (a
   * room locked meanwhile, a template pointing elsewhere, a callee hanging up at the prompt).
   * Watching starts before the originate: the join or the hangup may arrive before the response,
   * or in the same read, ahead of the code awaiting it. `joined` is true once the channel joins
   * `room`, false when it hangs up first or the wait runs out.
   */
  private watchCallee(room: string): { joined(uniqueid: string, channel: string): Promise<boolean>; cancel(): void } {
    const early: RoomChange[] = [];
    let next: ((c: RoomChange) => void) | undefined;
    const off = this.onChange((changes) => {
      for (const c of changes) {
        if (c.type !== 'hangup' && !(c.type === 'joined' && c.room === room)) continue;
        if (next === undefined) early.push(c);
        else next(c);
      }
    });
    const joined = (uniqueid: string, channel: string): Promise<boolean> => new Promise((resolve) => {
      const verdict = (c: RoomChange): boolean | undefined => {
        if (c.type === 'joined') return c.participant.uniqueid === uniqueid || c.participant.channel === channel ? true : undefined;
        return c.type === 'hangup' && c.uniqueid === uniqueid ? false : undefined;
      };
      const finish = (answer: boolean): void => {
        clearTimeout(timer);
        next = undefined;
        off();
        resolve(answer);
      };
      const timer = setTimeout(() => finish(false), this.inviteJoinWaitMs);
      timer.unref();
      for (const c of early.splice(0)) {
        const v = verdict(c);
        if (v !== undefined) return finish(v);
      }
      next = (c) => {
        const v = verdict(c);
        if (v !== undefined) finish(v);
      };
    });
    return { joined, cancel: () => void off() };
  }

  async transfer(room: string, who: string, target: TransferTarget): Promise<Participant> {
    const p = await this.resolve(room, who);
    const exten = target.exten.trim();
    const context = (target.context ?? this.config.transferContext).trim();
    if (!DIALPLAN_NAME.test(exten) || !DIALPLAN_NAME.test(context)) {
      throw new BadInputError('A transfer target is an extension, optionally @context, made of letters, digits and _+*#.-');
    }
    await this.effect(room, `transfer to ${exten}@${context}`, () => redirect(this.link, { channel: p.channel, context, exten, priority: 1 }));
    return p;
  }

  async getTopic(room: string, who: string): Promise<{ readonly participant: Participant; readonly topic: string | undefined }> {
    const p = await this.resolve(room, who);
    const topic = await this.query('read the topic', () => getVar(this.link, { channel: p.channel, variable: this.config.topicVariable }));
    return { participant: p, topic };
  }

  async setTopic(room: string, who: string, text: string): Promise<Participant> {
    const p = await this.resolve(room, who);
    const topic = text.trim();
    if (CONTROL.test(topic) || topic.length > TOPIC_MAX) throw new BadInputError(`A topic is one line of at most ${TOPIC_MAX} characters.`);
    await this.effect(room, 'set the topic', () => setVar(this.link, { channel: p.channel, variable: this.config.topicVariable, value: topic }));
    const r = setParticipantTopic(this.st, room, p.uniqueid, topic === '' ? undefined : topic);
    this.commit(r);
    return this.st.rooms.get(room)?.participants.get(p.uniqueid) ?? p;
  }

  async queue(room: string): Promise<QueuedCaller[]> {
    const lobby = this.lobbyOf(room);
    // A conference lobby is read from held state, which is stale while the link is down.
    this.requireUp();
    if (lobby.type === 'conference') return conferenceQueue(this.st.rooms.get(lobby.conference));
    const channels = await this.query('list waiting callers', () => coreShowChannels(this.link));
    const queue = mohQueue(channels, lobby, (id) => this.arrivals.get(id), this.now());
    this.arrivals.keepOnly(new Set(queue.map((q) => q.uniqueid)));
    return queue;
  }

  /** The room's configured lobby; a room without one has no caller queue, which `queue` and `bringIn` both say. */
  private lobbyOf(room: string): NonNullable<PbxConfig['lobbies'][string]> {
    const lobby = this.config.lobbies[room];
    if (lobby === undefined) {
      throw new ActionRefusedError(`Room ${room} has no caller queue; an admin must set one up.`, {
        adminHint: `Set pbxs[].lobbies.${room} for PBX ${this.pbx} in the config.`,
      });
    }
    return lobby;
  }

  async bringIn(room: string, who: string): Promise<QueuedCaller> {
    validateWho(who);
    const lobby = this.lobbyOf(room);
    const entry = lobby.target ?? this.config.invite;
    if (entry === undefined) {
      throw new ActionRefusedError(`Bringing callers in is not set up for room ${room}; an admin must configure it.`, {
        adminHint: `Set pbxs[].lobbies.${room}.target, or pbxs[].invite's context and exten, for PBX ${this.pbx} in the config.`,
      });
    }
    this.refuseIfLocked(room, 'bring a caller in');
    const caller = pickQueued(await this.queue(room), who, room);
    const values = { room };
    await this.effect(room, 'bring a caller in', () => redirect(this.link, {
      channel: caller.channel, context: fill(entry.context, values), exten: fill(entry.exten, values), priority: entry.priority,
    }));
    return caller;
  }

  async getChannelVar(channel: string, variable: string): Promise<string | undefined> {
    if (CONTROL.test(channel) || channel.trim() === '' || !VARIABLE_NAME.test(variable)) throw new BadInputError('That channel or variable name cannot be read.');
    return this.query('read a channel variable', () => getVar(this.link, { channel, variable }));
  }
}

/** Builds the AMI client from the PBX's config and wraps it in a PbxConnection. */
/** TLS for AMI: off, the system CAs, a private CA file, or (tlsInsecure) any certificate. */
function amiTlsOptions(config: PbxConfig): NonNullable<AmiClientOptions['tls']> {
  if (!config.tls) return false;
  if (config.tlsInsecure) return { rejectUnauthorized: false };
  if (config.tlsCaFile !== undefined) return { ca: readFileSync(config.tlsCaFile) };
  return true;
}

export function createPbxConnection(
  config: PbxConfig,
  deps: {
    readonly logger?: Logger; readonly now?: () => number; readonly amiOverrides?: Partial<AmiClientOptions>;
    readonly resyncRetry?: ResyncRetryOptions; readonly inviteJoinWaitMs?: number;
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
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(deps.resyncRetry === undefined ? {} : { resyncRetry: deps.resyncRetry }),
    ...(deps.inviteJoinWaitMs === undefined ? {} : { inviteJoinWaitMs: deps.inviteJoinWaitMs }),
  });
}
