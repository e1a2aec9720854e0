import { confbridgeListRooms, meetmeListRooms } from '../ami/actions.ts';
import { AmiActionError, AmiPermissionDeniedError } from '../ami/errors.ts';
import type { AmiLink } from '../ami/types.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Logger } from '../log.ts';
import { confbridgeDialect } from './confbridge.ts';
import { UNKNOWN_ACTION, type DialectOps } from './dialect.ts';
import { PbxUnavailableError } from './errors.ts';
import { meetmeDialect } from './meetme.ts';
import { writeClassFor } from './link-problem.ts';
import { setAvailability, setDialect, setLinkProblem, setRoomLocked, setRoomsKnown, type InjectionKind, type Reduction } from './model.ts';
import type { ChannelIndex, EventFanout, ManagedLink, PbxFeed } from './pbx-link.ts';
import { reconcile, type RememberedRooms } from './reconcile.ts';
import type { Dialect, LinkProblem, PbxState, RoomChange } from './types.ts';

/**
 * Sync, retry and dialect detection: lists the rooms on every (re)connect, on the resync timer and
 * after MeetMe join bursts; retries a failed listing while the link is up; reads lock state, which
 * Asterisk announces by no event, before answering "already", after a lock action and on its timer.
 */

/** How a failed reconciliation is retried while the link stays up: doubling delays, capped, with jitter. */
export interface ResyncRetryOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RESYNC_RETRY: ResyncRetryOptions = { initialDelayMs: 1000, maxDelayMs: 30_000 };

const MEETME_JOIN_RELIST_MS = 100;

export interface SyncDeps {
  readonly pbx: string;
  readonly link: ManagedLink;
  readonly clock: Clock;
  readonly log: Logger;
  readonly feed: PbxFeed;
  readonly fanout: EventFanout;
  readonly channels: ChannelIndex;
  readonly retry: ResyncRetryOptions;
  /** Jitter source in [0, 1). */
  readonly random: () => number;
  /** Configured dialect, or undefined for `auto`. */
  readonly configuredDialect: Dialect | undefined;
  /** 0: only on (re)connect. */
  readonly resyncIntervalMs: number;
  /** 0: only before "already" answers and after lock actions. */
  readonly lockRefreshMs: number;
  readonly injectionByTarget: (room: string, channel: string) => InjectionKind | undefined;
  readonly remembered?: RememberedRooms;
}

export class PbxSync {
  #ops: DialectOps | undefined;
  #syncing: Promise<void> | undefined;
  #retryTimer: TimerHandle | undefined;
  #retryDelayMs: number;
  #relistTimer: TimerHandle | undefined;
  /** Rooms a MeetMe join (or a mute the bot did not make) touched since the last re-list. */
  readonly #relistRooms = new Set<string>();
  /** Auto-detection found both ConfBridge and MeetMe loaded: an empty listing re-checks the other one. */
  #bothDialects = false;
  readonly #periodic = new Map<string, TimerHandle>();
  #running = false;

  constructor(private readonly d: SyncDeps) {
    this.#retryDelayMs = d.retry.initialDelayMs;
  }

  /** Starts the resync and lock-refresh timers. */
  start(): void {
    this.#running = true;
    this.every('resync', this.d.resyncIntervalMs, () => this.sync());
    this.every('locks', this.d.lockRefreshMs, () => this.refreshLocks());
  }

  stop(): void {
    this.#running = false;
    for (const t of this.#periodic.values()) this.d.clock.clearTimeout(t);
    this.#periodic.clear();
    if (this.#relistTimer !== undefined) this.d.clock.clearTimeout(this.#relistTimer);
    this.#relistTimer = undefined;
    this.cancelRetry();
  }

  /** Waits for a listing under way, if any. */
  async settled(): Promise<void> {
    await this.#syncing?.catch(() => undefined);
  }

  private every(name: string, ms: number, run: () => Promise<void>): void {
    if (ms <= 0) return;
    const arm = (): void => {
      this.#periodic.set(name, this.d.clock.setTimeout(() => {
        if (!this.#running) return;
        if (this.d.link.connected) void run().catch((err: unknown) => this.d.log.warn({ err }, `periodic ${name} failed`));
        arm();
      }, ms));
    };
    arm();
  }

  /**
   * Lists every room (or just `rooms`) and reconciles. While one runs, another request joins it:
   * events buffered meanwhile are applied after it and ask for their own re-list if they need one.
   */
  sync(rooms?: readonly string[]): Promise<void> {
    if (this.#syncing) return this.#syncing;
    this.d.fanout.hold();
    this.#syncing = this.runSync(rooms).finally(() => {
      this.#syncing = undefined;
      this.d.fanout.release();
    });
    return this.#syncing;
  }

  private async runSync(rooms: readonly string[] | undefined): Promise<void> {
    const { feed, clock } = this.d;
    try {
      let ops = await this.dialectOps();
      const some = ops.listSomeRooms === undefined ? undefined : rooms;
      let listed = some !== undefined && ops.listSomeRooms ? await ops.listSomeRooms(some) : await ops.listRooms();
      if (some === undefined && listed.length === 0 && this.#bothDialects) {
        const other = await this.otherDialectIfBusy(ops.dialect);
        if (other !== undefined) {
          ops = other;
          listed = await ops.listRooms();
        }
      }
      const r = reconcile(feed.state, listed, clock.now(), {
        dialect: ops.dialect,
        injectionByTarget: this.d.injectionByTarget,
        ...(this.d.remembered === undefined ? {} : { remembered: this.d.remembered }),
        ...(some === undefined ? {} : { only: new Set(some) }),
      });
      if (some !== undefined) {
        feed.commit(r);
        return;
      }
      // Only a full listing shows the whole PBX again.
      this.#retryDelayMs = this.d.retry.initialDelayMs;
      feed.commit(chain(r, (s) => setAvailability(s, true, clock.now()), (s) => setRoomsKnown(s, true), (s) => setLinkProblem(s, undefined)));
    } catch (err) {
      // A link that dropped mid-listing reconciles again on reconnect. Anything else (a malformed
      // answer, a timeout) would leave the PBX shown unavailable, or stale, until the next
      // reconnect, which may never come: retry while the link is up.
      if (!this.d.link.connected) return;
      this.d.log.error({ err, retryInMs: this.#retryDelayMs }, 'reconciliation failed; retrying');
      const problem = this.setupProblem(err);
      // The link is up and events may well arrive (a read-only user): not an outage, a setup problem.
      if (problem !== undefined) feed.commit(chain(setLinkProblem(feed.state, problem), (s) => setAvailability(s, true, clock.now())));
      this.scheduleRetry();
    }
  }

  /** A listing refused for a reason an admin must fix, rather than a glitch. */
  private setupProblem(err: unknown): LinkProblem | undefined {
    if (err instanceof AmiPermissionDeniedError) return { kind: 'permission_denied', action: err.action, writeClass: writeClassFor(err.action) };
    if (!(err instanceof AmiActionError)) return undefined;
    const forced = this.d.configuredDialect;
    if (forced !== undefined && UNKNOWN_ACTION.test(err.amiMessage)) return { kind: 'dialect_refused', dialect: forced };
    return undefined;
  }

  /**
   * Reads every room's lock state (or just `rooms`') from the PBX and commits what changed: nothing
   * else tells the bot about a lock made at the PBX.
   */
  async refreshLocks(rooms?: readonly string[]): Promise<void> {
    if ((rooms ?? [...this.d.feed.state.rooms.keys()]).length === 0) return;
    const ops = await this.dialectOps();
    const locks = await ops.roomLocks();
    const changes: RoomChange[] = [];
    let state = this.d.feed.state;
    for (const name of rooms ?? [...state.rooms.keys()]) {
      const locked = locks.get(name);
      if (locked === undefined) continue;
      const r = setRoomLocked(state, name, locked);
      state = r.state;
      changes.push(...r.changes);
    }
    this.d.feed.commit({ state, changes });
  }

  /**
   * MeetmeJoin carries no admin or marked flag, and MeetmeMute no author: a re-list of just the rooms
   * concerned, shortly after a burst of such events, learns them.
   */
  relistSoon(room: string): void {
    this.#relistRooms.add(room);
    if (this.#relistTimer !== undefined) return;
    this.#relistTimer = this.d.clock.setTimeout(() => {
      this.#relistTimer = undefined;
      const rooms = [...this.#relistRooms];
      this.#relistRooms.clear();
      if (this.d.link.connected) void this.sync(rooms);
    }, MEETME_JOIN_RELIST_MS);
  }

  private scheduleRetry(): void {
    if (this.#retryTimer !== undefined || !this.#running) return;
    const delay = Math.round(this.#retryDelayMs * (1 + 0.2 * this.d.random()));
    this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, this.d.retry.maxDelayMs);
    this.#retryTimer = this.d.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.d.link.connected) void this.sync();
    }, delay);
  }

  cancelRetry(): void {
    if (this.#retryTimer !== undefined) this.d.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#retryDelayMs = this.d.retry.initialDelayMs;
  }

  /** The dialect's operations, detecting the dialect first if need be; a failure means the PBX is unavailable. */
  async requireOps(): Promise<DialectOps> {
    if (this.#ops) return this.#ops;
    try {
      return await this.dialectOps();
    } catch (err) {
      throw new PbxUnavailableError(this.d.pbx, { detail: `dialect detection failed: ${String(err)}`, cause: err });
    }
  }

  private async dialectOps(): Promise<DialectOps> {
    if (this.#ops) return this.#ops;
    return this.useDialect(this.d.configuredDialect ?? (await this.detectDialect()));
  }

  private useDialect(dialect: Dialect): DialectOps {
    const { link, feed } = this.d;
    this.#ops = dialect === 'confbridge'
      ? confbridgeDialect(link)
      : meetmeDialect(link, { knownUniqueid: (channel) => this.uniqueidOfChannel(channel) });
    feed.commit(setDialect(feed.state, dialect));
    this.d.log.info({ dialect }, 'conference dialect');
    return this.#ops;
  }

  /**
   * Room count from a dialect's list action, or undefined when the PBX does not know the action.
   * Asterisk looks an action up before checking the user's classes: `Permission denied` means the
   * application is loaded (count 0: not known).
   */
  private async roomCount(list: (link: AmiLink) => Promise<readonly unknown[]>): Promise<number | undefined> {
    try {
      return (await list(this.d.link)).length;
    } catch (err) {
      if (err instanceof AmiActionError && UNKNOWN_ACTION.test(err.amiMessage)) return undefined;
      if (err instanceof AmiPermissionDeniedError) return 0;
      throw err;
    }
  }

  /**
   * The PBX runs whichever conference application knows its list action. Asterisk 11–18 often loads
   * both: then the one with active rooms wins, ConfBridge when neither has any (and an empty listing
   * later re-checks MeetMe). Either way the log says which and why.
   */
  private async detectDialect(): Promise<Dialect> {
    const log = this.d.log;
    const confbridge = await this.roomCount(confbridgeListRooms);
    // Too old for MeetmeListRooms still means MeetMe: the dialect then lists through the CLI.
    if (confbridge === undefined) {
      log.info('PBX does not know ConfbridgeListRooms: using MeetMe');
      return 'meetme';
    }
    const meetme = await this.roomCount(meetmeListRooms);
    if (meetme === undefined) {
      log.info('PBX knows ConfbridgeListRooms but not MeetmeListRooms: using ConfBridge');
      return 'confbridge';
    }
    this.#bothDialects = true;
    const dialect: Dialect = meetme > 0 && confbridge === 0 ? 'meetme' : 'confbridge';
    const why = meetme > 0 && confbridge === 0
      ? 'only MeetMe has active rooms'
      : confbridge > 0 ? 'ConfBridge has active rooms' : 'neither has active rooms (re-checked while ConfBridge stays empty)';
    log.warn({ dialect, confbridgeRooms: confbridge, meetmeRooms: meetme },
      `PBX runs both ConfBridge and MeetMe; using ${dialect}: ${why}. Set pbxs[].dialect to choose for good.`);
    return dialect;
  }

  /** With both applications loaded and the current one empty: switches when the other has rooms. */
  private async otherDialectIfBusy(current: Dialect): Promise<DialectOps | undefined> {
    const other: Dialect = current === 'confbridge' ? 'meetme' : 'confbridge';
    const rooms = await this.roomCount(other === 'confbridge' ? confbridgeListRooms : meetmeListRooms);
    if (rooms === undefined || rooms === 0) return undefined;
    this.d.log.warn({ dialect: other, rooms }, `${current} has no active rooms but ${other} has: switching to ${other}. Set pbxs[].dialect to choose for good.`);
    return this.useDialect(other);
  }

  private uniqueidOfChannel(channel: string): string | undefined {
    const indexed = this.d.channels.get(channel);
    if (indexed !== undefined) return indexed;
    for (const room of this.d.feed.state.rooms.values()) {
      for (const p of room.participants.values()) if (p.channel === channel) return p.uniqueid;
    }
    return undefined;
  }
}

/** Reductions applied in order, as one commit. */
export function chain(first: Reduction, ...steps: ((s: PbxState) => Reduction)[]): Reduction {
  let state = first.state;
  const changes = [...first.changes];
  for (const step of steps) {
    const r = step(state);
    state = r.state;
    changes.push(...r.changes);
  }
  return { state, changes };
}
