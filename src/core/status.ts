import type { ConferenceDirectory } from '../conference/backend.ts';
import type { PbxState, Room, RoomChange } from '../conference/types.ts';
import { BotError, toBotError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { Store, WatchRecord } from '../store/types.ts';
import type { Actor, ChatAdapter, Conversation } from './adapter.ts';
import { PlatformError, type MessageGoneError } from './adapter-errors.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import { EditScheduler, SharedBackoff, type EditUrgency } from './edit-scheduler.ts';
import {
  applyChange, changesSummary, endedRoomFromHistory, historyFromRoom, isOpenSession, parseHistory, serializeHistory,
  summaryOf, withAction, type RoomHistory,
} from './room-history.ts';
import type { WatchService } from './services.ts';
import { buildStatusView, type StatusView, type StatusViewInput } from './views.ts';

/**
 * Live status messages: one per (room, conversation). Room changes schedule edits through one
 * EditScheduler per message; the message shows the room live, a banner while its PBX is
 * unreachable, and a final summary once the room ends. Watches are kept in the store so a restarted
 * bot edits its existing messages instead of posting new ones.
 */

export interface StatusServiceDeps {
  readonly directory: ConferenceDirectory;
  /** By platform name (`ChatAdapter.name`, `Conversation.platform`). */
  readonly adapters: ReadonlyMap<string, ChatAdapter>;
  readonly store: Store;
  readonly render?: (input: StatusViewInput) => StatusView;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Keep an ended room's summary watch this long before forgetting it (config `status.keepEndedSec`). */
  readonly keepEndedSec?: number;
  /** Talking-only edits wait at least this long after the previous edit (default 3000 ms). */
  readonly talkingIntervalMs?: number;
  /** After a PBX link comes up, a watched room missing from its state is taken as ended after this long (default 5000 ms). */
  readonly reconcileGraceMs?: number;
  /** Cap on the backoff after transient platform errors (default 30000 ms). */
  readonly maxBackoffMs?: number;
  /** In [0, 1), for backoff jitter. */
  readonly random?: () => number;
}

/** Banners of a message that is no longer edited. */
export const MOVED_BELOW_BANNER = 'Moved below: this message is no longer updated.';
export const UNWATCHED_BANNER = 'No longer updated.';

interface FinalState {
  readonly room: Room;
  readonly history: RoomHistory;
}

interface LiveWatch {
  readonly key: string;
  readonly roomKey: string;
  readonly adapter: ChatAdapter;
  record: WatchRecord;
  /** Set once the room has ended: the message shows this summary and ignores later changes. */
  final: FinalState | undefined;
  /** Set when the message is retired: one last edit with this banner and no buttons, then nothing. */
  closing: string | undefined;
  /** Whether the edit last sent carried the closing banner (an earlier one may still be in flight at retire). */
  bannerSent: boolean;
  /** Undefined only while the message is being posted. */
  scheduler: EditScheduler | undefined;
  cleanupTimer: TimerHandle | undefined;
  recheckTimer: TimerHandle | undefined;
}

function roomKeyOf(pbx: string, room: string): string {
  return JSON.stringify([pbx, room]);
}

function watchKeyOf(pbx: string, room: string, c: Conversation): string {
  return JSON.stringify([pbx, room, c.platform, c.workspace ?? '', c.id]);
}

function historyKvKey(pbx: string, room: string): string {
  return `status.history:${pbx}:${room}`;
}

/**
 * `watch()` or `resume()` found the service stopped when an await returned (a shutdown overtook a
 * command): nothing was registered or stored, so the message, if posted, is not kept up to date.
 */
export class StatusStoppedError extends BotError {
  readonly code = 'not_available_yet' as const;
  constructor(pbx: string, room: string) {
    super('The bot is restarting, so live status is paused. Run the command again in a moment.', {
      detail: `status service stopped while watching ${pbx}/${room}`,
    });
  }
}

/**
 * Status timers run for as long as a summary is kept (an hour by default): one must never hold a
 * process open that has nothing else to do, e.g. a watch that slipped past stop().
 */
function unref(handle: TimerHandle): TimerHandle {
  (handle as { unref?: () => void }).unref?.();
  return handle;
}

function withoutButtons(view: StatusView): StatusView {
  return { ...view, buttons: [], rows: view.rows.map((r) => ({ ...r, buttons: [] })) };
}

export class StatusService implements WatchService {
  readonly #directory: ConferenceDirectory;
  readonly #adapters: ReadonlyMap<string, ChatAdapter>;
  readonly #store: Store;
  readonly #render: (input: StatusViewInput) => StatusView;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #keepEndedMs: number;
  readonly #talkingIntervalMs: number;
  readonly #graceMs: number;
  readonly #maxBackoffMs: number;
  readonly #random: () => number;

  /** Watches being edited, by (pbx, room, conversation). */
  readonly #watches = new Map<string, LiveWatch>();
  /** Retired watches still delivering their last edit. */
  readonly #closing = new Set<LiveWatch>();
  readonly #histories = new Map<string, RoomHistory>();
  /** One 429 block per rate-limit scope (adapter and workspace), shared by the messages in it. */
  readonly #backoffs = new Map<string, SharedBackoff>();
  /** Counts change records, to notice one that raced a post. */
  #changeCount = 0;
  #unsubscribe: (() => void) | undefined;
  #writes: Promise<void> = Promise.resolve();
  /**
   * Set by stop(). A watch() or resume() awaiting the store or the platform when stop() runs checks
   * it after each await: past stop() there is no one to clear its timers or scheduler, and the
   * store is about to close.
   */
  #stopped = false;

  constructor(deps: StatusServiceDeps) {
    this.#directory = deps.directory;
    this.#adapters = deps.adapters;
    this.#store = deps.store;
    this.#render = deps.render ?? buildStatusView;
    this.#clock = deps.clock ?? systemClock;
    this.#log = (deps.logger ?? silentLogger()).child({ component: 'status' });
    this.#keepEndedMs = (deps.keepEndedSec ?? 3600) * 1000;
    this.#talkingIntervalMs = deps.talkingIntervalMs ?? 3000;
    this.#graceMs = deps.reconcileGraceMs ?? 5000;
    this.#maxBackoffMs = deps.maxBackoffMs ?? 30_000;
    this.#random = deps.random ?? Math.random;
  }

  /** Subscribes to room changes, then resumes the watches kept in the store. */
  async start(): Promise<void> {
    this.#stopped = false;
    this.#unsubscribe ??= this.#directory.onChange((changes) => this.#onChanges(changes));
    await this.resume();
  }

  /** Sends pending edits once (best effort), then stops all timers and the change subscription. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    const all = [...this.#watches.values(), ...this.#closing];
    for (const w of all) this.#clearTimers(w);
    await Promise.all(all.map((w) => w.scheduler?.flush()));
    for (const w of all) w.scheduler?.close();
    await Promise.all(all.map((w) => w.scheduler?.settled()));
    this.#watches.clear();
    this.#closing.clear();
    this.#histories.clear();
    this.#backoffs.clear();
    await this.#writes;
  }

  /** Resolves once no edit is pending or in flight and the store writes are done (tests, bench). */
  async idle(): Promise<void> {
    for (;;) {
      const all = [...this.#watches.values(), ...this.#closing];
      await Promise.all(all.map((w) => w.scheduler?.idle()));
      await this.#writes;
      const again = [...this.#watches.values(), ...this.#closing];
      const settled = again.length === all.length && again.every((w) => all.includes(w));
      if (settled) return;
    }
  }

  /**
   * Picks up the watches kept in the store: each message is re-rendered from the current state and
   * edited in place. A room that ended meanwhile gets its summary; one that ended longer ago than
   * `keepEndedSec` is forgotten.
   */
  async resume(): Promise<void> {
    const records = await this.#store.watches.list();
    for (const record of records) {
      if (this.#stopped) return;
      const key = watchKeyOf(record.pbx, record.room, record.conversation);
      if (this.#watches.has(key)) continue;
      const adapter = this.#adapters.get(record.conversation.platform);
      if (adapter === undefined) {
        this.#log.warn({ pbx: record.pbx, room: record.room, platform: record.conversation.platform }, 'no adapter for a stored status message; leaving it as is');
        continue;
      }
      const state = this.#pbxState(record.pbx);
      if (state === undefined) {
        this.#log.warn({ pbx: record.pbx, room: record.room }, 'stored status message for an unknown PBX; forgetting it');
        await this.#persist('forget status message', () => this.#store.watches.remove(record.pbx, record.room, record.conversation));
        continue;
      }
      const history = await this.#loadHistory(record.pbx, record.room, state.rooms.get(record.room));
      if (history === undefined) return;
      const now = this.#clock.now();
      if (history.endedAt !== undefined && now - history.endedAt >= this.#keepEndedMs) {
        await this.#persist('forget ended status message', () => this.#store.watches.remove(record.pbx, record.room, record.conversation));
        if (this.#stopped) return;
        this.#forgetHistoryIfUnused(record.pbx, record.room);
        continue;
      }
      const w = this.#newWatch(key, record, adapter);
      this.#watches.set(key, w);
      if (history.endedAt !== undefined) this.#enterFinal(w, endedRoomFromHistory(history, history.endedAt), history);
      else this.#evaluate(w);
      this.#startScheduler(w, record.updatedAt);
      w.scheduler?.request('major');
      this.#log.info({ pbx: record.pbx, room: record.room, conversation: record.conversation.id }, 'resumed status message');
    }
  }

  async watch(pbx: string, room: string, conversation: Conversation, actor: Actor): Promise<void> {
    const adapter = this.#adapters.get(conversation.platform);
    if (adapter === undefined) throw new PlatformError(conversation.platform, 'no adapter for this platform', false);
    if (this.#stopped) throw new StatusStoppedError(pbx, room);
    const state = this.#directory.backend(pbx).state();
    if (await this.#loadHistory(pbx, room, state.rooms.get(room)) === undefined) throw new StatusStoppedError(pbx, room);
    const key = watchKeyOf(pbx, room, conversation);
    const now = this.#clock.now();
    const draft: WatchRecord = {
      pbx, room, conversation, ref: { platform: conversation.platform, conversation: conversation.id, id: '' },
      createdAt: now, updatedAt: now, createdBy: actor.userId,
    };
    const w = this.#newWatch(key, draft, adapter);
    this.#evaluate(w);
    const changesBefore = this.#changeCount;
    let ref;
    try {
      ref = await adapter.post(conversation, this.#viewFor(w));
    } catch (err) {
      this.#clearTimers(w);
      // Once stopped, the histories in memory are gone: "unused" would wrongly delete a stored one.
      if (!this.#stopped) this.#forgetHistoryIfUnused(pbx, room);
      throw err;
    }
    if (this.#stopped) {
      this.#clearTimers(w);
      throw new StatusStoppedError(pbx, room);
    }
    w.record = { ...draft, ref, updatedAt: this.#clock.now() };
    const previous = this.#watches.get(key);
    if (previous !== undefined) this.#retire(previous, MOVED_BELOW_BANNER);
    this.#watches.set(key, w);
    const saved = this.#persist('save status message', () => this.#store.watches.put(w.record));
    this.#startScheduler(w, w.record.updatedAt);
    if (this.#changeCount !== changesBefore) w.scheduler?.request('major');
    this.#log.info({ pbx, room, conversation: conversation.id, reposted: previous !== undefined }, 'posted status message');
    await saved;
  }

  async unwatch(pbx: string, room: string, conversation: Conversation): Promise<boolean> {
    const key = watchKeyOf(pbx, room, conversation);
    const w = this.#watches.get(key);
    if (w === undefined) {
      await this.#writes;
      const stored = await this.#store.watches.find(pbx, room, conversation);
      if (stored === undefined) return false;
      await this.#persist('remove status message', () => this.#store.watches.remove(pbx, room, conversation));
      return true;
    }
    this.#retire(w, UNWATCHED_BANNER);
    this.#forgetHistoryIfUnused(pbx, room);
    await this.#persist('remove status message', () => this.#store.watches.remove(pbx, room, conversation));
    return true;
  }

  noteAction(pbx: string, room: string, text: string): void {
    const roomKey = roomKeyOf(pbx, room);
    const history = this.#histories.get(roomKey);
    if (history !== undefined) this.#setHistory(roomKey, withAction(history, text, this.#clock.now()), true);
    for (const w of this.#watches.values()) {
      if (w.roomKey !== roomKey || w.adapter.postThreadNote === undefined) continue;
      w.adapter.postThreadNote(w.record.ref, text).catch((err: unknown) => {
        this.#log.warn({ err, pbx, room }, 'could not post the audit line in the status thread');
      });
    }
  }

  #newWatch(key: string, record: WatchRecord, adapter: ChatAdapter): LiveWatch {
    return {
      key, roomKey: roomKeyOf(record.pbx, record.room), adapter, record, final: undefined, closing: undefined,
      bannerSent: false, scheduler: undefined, cleanupTimer: undefined, recheckTimer: undefined,
    };
  }

  #startScheduler(w: LiveWatch, lastWriteAt: number): void {
    const minIntervalMs = Math.max(0, w.adapter.limits.minEditIntervalMs);
    w.scheduler = new EditScheduler({
      clock: this.#clock,
      minIntervalMs,
      minorIntervalMs: Math.max(minIntervalMs, this.#talkingIntervalMs),
      backoffBaseMs: Math.max(minIntervalMs, 500),
      maxBackoffMs: this.#maxBackoffMs,
      random: this.#random,
      sharedBackoff: this.#backoffFor(w),
      lastWriteAt,
      send: () => this.#sendEdit(w),
      onGone: (err) => this.#gone(w, err),
      onFailure: (err, retryInMs) => this.#editFailed(w, err, retryInMs),
    });
  }

  /**
   * Platforms rate-limit edits per app and workspace, so a 429 on one message holds back every
   * message of that adapter in the same workspace (or all of the adapter's where it has none).
   */
  #backoffFor(w: LiveWatch): SharedBackoff {
    const scope = JSON.stringify([w.adapter.name, w.record.conversation.workspace ?? '']);
    let backoff = this.#backoffs.get(scope);
    if (backoff === undefined) {
      backoff = new SharedBackoff();
      this.#backoffs.set(scope, backoff);
    }
    return backoff;
  }

  #onChanges(changes: readonly RoomChange[]): void {
    this.#changeCount += 1;
    for (const change of changes) {
      try {
        this.#onChange(change);
      } catch (err) {
        this.#log.error({ err: toBotError(err), change: change.type, pbx: change.pbx }, 'status update failed');
      }
    }
  }

  #onChange(change: RoomChange): void {
    if (change.type === 'hangup') return;
    if (change.type === 'pbx_down' || change.type === 'pbx_up' || change.type === 'pbx_info') {
      for (const w of this.#watches.values()) {
        if (w.record.pbx !== change.pbx || w.final !== undefined) continue;
        this.#evaluate(w);
        this.#request(w, 'major');
      }
      return;
    }
    const roomKey = roomKeyOf(change.pbx, change.room);
    const history = this.#histories.get(roomKey);
    if (history === undefined) return;
    const room = this.#pbxState(change.pbx)?.rooms.get(change.room);
    const next = applyChange(history, change, room, this.#clock.now());
    this.#setHistory(roomKey, next, changesSummary(change));
    const urgency: EditUrgency = change.type === 'talking' ? 'minor' : 'major';
    for (const w of this.#watchesOfRoom(roomKey)) {
      // A summary is final: later sessions of the room get a new message from `show`.
      if (w.final !== undefined) continue;
      if (change.type === 'room_ended') this.#enterFinal(w, change.final, next);
      this.#request(w, urgency);
    }
  }

  /** A watch still being posted has no scheduler yet; `watch()` catches up after the post. */
  #request(w: LiveWatch, urgency: EditUrgency): void {
    w.scheduler?.request(urgency);
  }

  *#watchesOfRoom(roomKey: string): Generator<LiveWatch, void, undefined> {
    for (const w of this.#watches.values()) if (w.roomKey === roomKey) yield w;
  }

  #pbxState(pbx: string): PbxState | undefined {
    try {
      return this.#directory.backend(pbx).state();
    } catch {
      return undefined;
    }
  }

  /**
   * Moves a live watch to its final summary when its room is missing from its PBX's reconciled
   * state although it was seen running (it ended unseen; a room seen ending arrives as `room_ended`).
   * Returns 'reconciling' while such a room's PBX has only just come up and its state may not be
   * complete yet: showing the room then would show a guess.
   */
  #evaluate(w: LiveWatch): 'known' | 'reconciling' {
    if (w.final !== undefined || w.closing !== undefined) return 'known';
    const state = this.#pbxState(w.record.pbx);
    const room = state?.rooms.get(w.record.room);
    const history = this.#histories.get(w.roomKey);
    if (room !== undefined || state === undefined || !state.available || history?.startedAt === undefined) return 'known';
    const now = this.#clock.now();
    const trustedAt = state.since + this.#graceMs;
    if (now < trustedAt) {
      this.#scheduleRecheck(w, trustedAt - now);
      return 'reconciling';
    }
    // The end time is unknown: the last moment the room was seen alive, in its history or in an edit
    // showing it running (`updatedAt`), is the best estimate.
    const endedAt = history.endedAt ?? Math.max(history.lastSeenAt, w.record.updatedAt);
    const ended = { ...history, endedAt };
    this.#endRoom(w, endedRoomFromHistory(ended, endedAt), ended);
    return 'known';
  }

  /** `w` may not be registered yet (a post in progress), so it is ended explicitly too. */
  #endRoom(w: LiveWatch, room: Room, history: RoomHistory): void {
    this.#setHistory(w.roomKey, history, true);
    for (const other of [w, ...this.#watchesOfRoom(w.roomKey)]) {
      if (other.final !== undefined) continue;
      this.#enterFinal(other, room, history);
      this.#request(other, 'major');
    }
  }

  #enterFinal(w: LiveWatch, room: Room, history: RoomHistory): void {
    if (w.final !== undefined) return;
    w.final = { room, history };
    this.#clearRecheck(w);
    const endedAt = room.endedAt ?? this.#clock.now();
    const keepFor = Math.max(0, endedAt + this.#keepEndedMs - this.#clock.now());
    w.cleanupTimer = unref(this.#clock.setTimeout(() => this.#cleanup(w), keepFor));
    this.#log.info({ pbx: w.record.pbx, room: w.record.room, conversation: w.record.conversation.id }, 'room ended; showing summary');
  }

  #scheduleRecheck(w: LiveWatch, delayMs: number): void {
    if (w.recheckTimer !== undefined) return;
    w.recheckTimer = unref(this.#clock.setTimeout(() => {
      w.recheckTimer = undefined;
      if (this.#evaluate(w) === 'known') this.#request(w, 'major');
    }, delayMs));
  }

  #clearRecheck(w: LiveWatch): void {
    if (w.recheckTimer === undefined) return;
    this.#clock.clearTimeout(w.recheckTimer);
    w.recheckTimer = undefined;
  }

  #clearTimers(w: LiveWatch): void {
    this.#clearRecheck(w);
    if (w.cleanupTimer !== undefined) this.#clock.clearTimeout(w.cleanupTimer);
    w.cleanupTimer = undefined;
  }

  /** The summary has been kept long enough: stop tracking the message. */
  #cleanup(w: LiveWatch): void {
    w.cleanupTimer = undefined;
    if (this.#watches.get(w.key) !== w) return;
    this.#watches.delete(w.key);
    w.scheduler?.close();
    this.#clearTimers(w);
    const { pbx, room, conversation } = w.record;
    this.#persist('forget ended status message', () => this.#store.watches.remove(pbx, room, conversation));
    this.#forgetHistoryIfUnused(pbx, room);
  }

  /** One last edit (banner, no buttons), then the message is left alone. */
  #retire(w: LiveWatch, banner: string): void {
    if (this.#watches.get(w.key) === w) this.#watches.delete(w.key);
    this.#clearTimers(w);
    w.closing = banner;
    this.#closing.add(w);
    if (w.scheduler === undefined) this.#finishClosing(w);
    else w.scheduler.request('major');
  }

  #finishClosing(w: LiveWatch): void {
    w.scheduler?.close();
    this.#closing.delete(w);
  }

  #viewFor(w: LiveWatch): StatusView {
    const now = this.#clock.now();
    const state = this.#pbxState(w.record.pbx);
    let view: StatusView;
    if (w.final !== undefined) {
      // A summary needs nothing from the PBX, so it shows no "unreachable" banner.
      view = withoutButtons(this.#render({
        pbx: w.record.pbx, roomName: w.record.room, room: w.final.room, available: true,
        since: state?.since ?? now, now, history: summaryOf(w.final.history),
      }));
    } else {
      const history = this.#histories.get(w.roomKey);
      const input: StatusViewInput = {
        pbx: w.record.pbx, roomName: w.record.room, room: state?.rooms.get(w.record.room),
        available: state?.available ?? false, since: state?.since ?? now, now,
      };
      view = this.#render(history === undefined ? input : { ...input, history: summaryOf(history) });
    }
    return w.closing === undefined ? view : { ...withoutButtons(view), banner: w.closing };
  }

  async #sendEdit(w: LiveWatch): Promise<void> {
    // The recheck asks for this edit again once the state can be trusted.
    if (this.#evaluate(w) === 'reconciling') return;
    // Taken at render time: a retire landing while this edit is in flight has requested the banner
    // edit, which must still go out after this one, not be mistaken for it.
    const withBanner = w.closing !== undefined;
    const showsRunning = !withBanner && this.#showsRoomRunning(w);
    w.bannerSent = withBanner;
    await w.adapter.update(w.record.ref, this.#viewFor(w));
    if (withBanner) {
      this.#finishClosing(w);
      return;
    }
    // Retired meanwhile: its record is already removed from the store and must stay so.
    if (w.closing !== undefined || !showsRunning) return;
    // Only an edit showing the room running proves it was alive then; a banner or a summary does not,
    // so they leave `updatedAt` alone and cannot push back the end estimate of a room that ends unseen.
    w.record = { ...w.record, updatedAt: this.#clock.now() };
    const record = w.record;
    this.#persist('save status message', () => this.#store.watches.put(record));
  }

  #showsRoomRunning(w: LiveWatch): boolean {
    if (w.final !== undefined) return false;
    const state = this.#pbxState(w.record.pbx);
    return state?.available === true && state.rooms.has(w.record.room);
  }

  #gone(w: LiveWatch, err: MessageGoneError): void {
    const { pbx, room, conversation } = w.record;
    this.#log.info({ pbx, room, conversation: conversation.id, err }, 'status message was deleted; watch ended');
    this.#clearTimers(w);
    if (w.closing !== undefined) {
      this.#finishClosing(w);
      return;
    }
    if (this.#watches.get(w.key) === w) this.#watches.delete(w.key);
    this.#persist('remove deleted status message', () => this.#store.watches.remove(pbx, room, conversation));
    this.#forgetHistoryIfUnused(pbx, room);
  }

  #editFailed(w: LiveWatch, err: BotError, retryInMs: number | undefined): void {
    const ctx = { pbx: w.record.pbx, room: w.record.room, conversation: w.record.conversation.id, err };
    if (retryInMs !== undefined) {
      this.#log.warn({ ...ctx, retryInMs }, 'status edit failed; retrying');
      return;
    }
    this.#log.error(ctx, 'status edit refused; waiting for the next change');
    // A refused live edit that raced a retire leaves the banner edit pending: that one still goes out.
    if (w.bannerSent) this.#finishClosing(w);
  }

  /**
   * The room's history in memory, loading it from the store (or starting one) when first needed.
   * Undefined when the service stopped while the store was read: then nothing is kept or saved.
   */
  async #loadHistory(pbx: string, room: string, current: Room | undefined): Promise<RoomHistory | undefined> {
    const roomKey = roomKeyOf(pbx, room);
    const held = this.#histories.get(roomKey);
    if (held !== undefined) return held;
    let stored: RoomHistory | undefined;
    try {
      const text = await this.#store.kv.get(historyKvKey(pbx, room));
      stored = text === undefined ? undefined : parseHistory(text);
    } catch (err) {
      this.#log.error({ pbx, room, err: toBotError(err) }, 'could not load room history; starting a new one');
    }
    if (this.#stopped) return undefined;
    const raced = this.#histories.get(roomKey);
    if (raced !== undefined) return raced;
    // An ended history still serves a room that is not running again (its summary), never a new session.
    const usable = stored !== undefined && (isOpenSession(stored) || current === undefined) ? stored : undefined;
    const history = usable ?? historyFromRoom(pbx, room, current, this.#clock.now());
    this.#setHistory(roomKey, history, usable === undefined);
    return history;
  }

  #setHistory(roomKey: string, history: RoomHistory, save: boolean): void {
    this.#histories.set(roomKey, history);
    if (save) this.#persist('save room history', () => this.#store.kv.set(historyKvKey(history.pbx, history.room), serializeHistory(history)));
  }

  /** Drops a room's history once no message shows it, stored copy included, so a later session starts afresh. */
  #forgetHistoryIfUnused(pbx: string, room: string): void {
    const roomKey = roomKeyOf(pbx, room);
    if (!this.#watchesOfRoom(roomKey).next().done) return;
    this.#histories.delete(roomKey);
    this.#persist('forget room history', () => this.#store.kv.delete(historyKvKey(pbx, room)));
  }

  /**
   * Store writes run one after another, in order; a failure is logged and never stops the edits.
   * The returned promise (never rejected) settles when this write is done.
   */
  #persist(what: string, write: () => Promise<void>): Promise<void> {
    this.#writes = this.#writes.then(write).catch((err: unknown) => {
      this.#log.error({ err: toBotError(err) }, `${what} failed`);
    });
    return this.#writes;
  }
}
