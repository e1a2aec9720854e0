import type { ConferenceDirectory } from '../conference/backend.ts';
import type { PbxState, RoomChange } from '../conference/types.ts';
import { toBotError, type BotError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { WatchRecord } from '../store/types.ts';
import type { ActionNote, Actor, ChatAdapter, Conversation, MessageRef } from './adapter.ts';
import { PlatformError, type MessageGoneError } from './adapter-errors.ts';
import { systemClock, type Clock } from './clock.ts';
import { EditScheduler, type EditOutcome, type EditUrgency } from './edit-scheduler.ts';
import { RateLimitScopes } from './rate-limit-scopes.ts';
import { applyChange, changesSummary, endedRoomFromHistory, withAction } from './room-history.ts';
import type { WatchService } from './services.ts';
import type { StatusServiceDeps } from './status-deps.ts';
import { RoomEndings } from './status-endings.ts';
import { StatusStore } from './status-store.ts';
import { viewKey } from './status-view-key.ts';
import {
  MOVED_BELOW_BANNER, newWatch, pbxStateOf, roomKeyOf, showsMessage, showsRoomRunning, StatusStoppedError, UNWATCHED_BANNER, watchKeyOf, watchView,
  withReplacedRef, type LiveWatch,
} from './status-watch.ts';
import { buildStatusView, type StatusView, type StatusViewInput } from './views.ts';

export type { StatusServiceDeps } from './status-deps.ts';
export { MOVED_BELOW_BANNER, StatusStoppedError, UNWATCHED_BANNER } from './status-watch.ts';

/**
 * Live status messages: one per (room, conversation). Room changes schedule edits through one
 * EditScheduler per message; the message shows the room live, a banner while its PBX is
 * unreachable, and a final summary once the room ends. An edit that would show what the message
 * already shows is not sent. Watches are kept in the store (status-store.ts) so a restarted bot
 * edits its existing messages instead of posting new ones.
 */

export class StatusService implements WatchService {
  readonly #directory: ConferenceDirectory;
  readonly #adapters: ReadonlyMap<string, ChatAdapter>;
  readonly #saved: StatusStore;
  readonly #endings: RoomEndings;
  readonly #render: (input: StatusViewInput) => StatusView;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #keepEndedMs: number;
  readonly #talkingIntervalMs: number;
  readonly #maxBackoffMs: number;
  readonly #random: () => number;
  readonly #ownership: StatusServiceDeps['ownership'];

  /** Watches being edited, by (pbx, room, conversation). */
  readonly #watches = new Map<string, LiveWatch>();
  /** Retired watches still delivering their last edit. */
  readonly #closing = new Set<LiveWatch>();
  /** 429 blocks by rate-limit scope (workspace, channel or route bucket), shared by the messages in each. */
  readonly #rateLimits: RateLimitScopes;
  /** Counts change records, to notice one that raced a post. */
  #changeCount = 0;
  #unsubscribe: (() => void) | undefined;
  /**
   * Set by stop(). A watch() or resume() awaiting the store or the platform when stop() runs checks
   * it after each await: past stop() there is no one to clear its timers or scheduler, and the
   * store is about to close.
   */
  #stopped = false;

  constructor(private readonly deps: StatusServiceDeps) {
    this.#directory = deps.directory;
    this.#adapters = deps.adapters;
    this.#render = deps.render ?? buildStatusView;
    this.#clock = deps.clock ?? systemClock;
    this.#log = (deps.logger ?? silentLogger()).child({ component: 'status' });
    this.#saved = new StatusStore(deps.store, this.#clock, this.#log);
    this.#keepEndedMs = (deps.keepEndedSec ?? 3600) * 1000;
    this.#talkingIntervalMs = deps.talkingIntervalMs ?? 3000;
    this.#maxBackoffMs = deps.maxBackoffMs ?? 30_000;
    this.#random = deps.random ?? Math.random;
    this.#ownership = deps.ownership;
    this.#rateLimits = new RateLimitScopes(this.#clock);
    this.#endings = new RoomEndings({
      clock: this.#clock, log: this.#log, saved: this.#saved, keepEndedMs: this.#keepEndedMs, graceMs: deps.reconcileGraceMs ?? 5000, lineMarks: deps.lineMarks,
      host: {
        pbxState: (pbx) => this.#pbxState(pbx), watchesOfRoom: (roomKey) => this.#watchesOfRoom(roomKey),
        request: (w, urgency) => this.#request(w, urgency), expire: (w) => this.#expire(w),
      },
    });
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
    for (const w of all) this.#endings.clearTimers(w);
    await Promise.all(all.map((w) => w.scheduler?.flush()));
    for (const w of all) w.scheduler?.close();
    await Promise.all(all.map((w) => w.scheduler?.settled()));
    this.#watches.clear();
    this.#closing.clear();
    this.#saved.clearMemory();
    this.#rateLimits.clear();
    await this.#saved.settled();
  }

  /** Resolves once no edit is pending or in flight and the store writes are done (tests, bench). */
  async idle(): Promise<void> {
    for (;;) {
      const all = [...this.#watches.values(), ...this.#closing];
      await Promise.all(all.map((w) => w.scheduler?.idle()));
      await this.#saved.settled();
      const again = [...this.#watches.values(), ...this.#closing];
      if (again.length === all.length && again.every((w) => all.includes(w))) return;
    }
  }

  /**
   * Picks up the watches kept in the store: each message is re-rendered from the current state and
   * edited in place. A room that ended meanwhile gets its summary; one that ended longer ago than
   * `keepEndedSec` is forgotten. `records`: the stored watches, when the caller has just listed them.
   */
  async resume(records?: readonly WatchRecord[]): Promise<void> {
    for (const record of records ?? await this.#saved.list()) {
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
        await this.#saved.removeRecord('forget status message', record.pbx, record.room, record.conversation);
        continue;
      }
      const history = await this.#saved.loadHistory(record.pbx, record.room, state.rooms.get(record.room), () => this.#stopped);
      if (history === undefined) return;
      const now = this.#clock.now();
      if (history.endedAt !== undefined && now - history.endedAt >= this.#keepEndedMs) {
        await this.#saved.removeRecord('forget ended status message', record.pbx, record.room, record.conversation);
        if (this.#stopped) return;
        this.#forgetHistoryIfUnused(record.pbx, record.room);
        continue;
      }
      const w = newWatch(record, adapter);
      w.sentKey = await this.#saved.loadSentKey(record);
      if (this.#stopped) return;
      this.#watches.set(key, w);
      if (history.endedAt !== undefined) this.#endings.enterFinal(w, endedRoomFromHistory(history, history.endedAt), history);
      else this.#endings.evaluate(w);
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
    if (await this.#saved.loadHistory(pbx, room, state.rooms.get(room), () => this.#stopped) === undefined) throw new StatusStoppedError(pbx, room);
    const key = watchKeyOf(pbx, room, conversation);
    const now = this.#clock.now();
    const draft: WatchRecord = {
      pbx, room, conversation, ref: { platform: conversation.platform, conversation: conversation.id, id: '' },
      createdAt: now, updatedAt: now, createdBy: actor.userId,
    };
    const w = newWatch(draft, adapter);
    this.#endings.evaluate(w);
    const changesBefore = this.#changeCount;
    const posted = this.#viewFor(w);
    let ref;
    try {
      ref = await adapter.post(conversation, posted);
    } catch (err) {
      this.#endings.clearTimers(w);
      // Once stopped, the histories in memory are gone: "unused" would wrongly delete a stored one.
      if (!this.#stopped) this.#forgetHistoryIfUnused(pbx, room);
      throw err;
    }
    if (this.#stopped) {
      this.#endings.clearTimers(w);
      throw new StatusStoppedError(pbx, room);
    }
    w.record = { ...draft, ref, updatedAt: this.#clock.now() };
    const previous = this.#watches.get(key);
    if (previous !== undefined) this.#retire(previous, MOVED_BELOW_BANNER);
    this.#watches.set(key, w);
    const saved = this.#saved.saveRecord(w.record);
    w.sentKey = viewKey(posted);
    this.#saved.saveSentKey(w.record, w.sentKey);
    this.#startScheduler(w, w.record.updatedAt);
    if (this.#changeCount !== changesBefore) w.scheduler?.request('major');
    this.#log.info({ pbx, room, conversation: conversation.id, reposted: previous !== undefined }, 'posted status message');
    await saved;
  }

  async unwatch(pbx: string, room: string, conversation: Conversation): Promise<boolean> {
    const key = watchKeyOf(pbx, room, conversation);
    const w = this.#watches.get(key);
    if (w === undefined) {
      if (await this.#saved.find(pbx, room, conversation) === undefined) return false;
      await this.#saved.removeRecord('remove status message', pbx, room, conversation);
      return true;
    }
    this.#retire(w, UNWATCHED_BANNER);
    this.#forgetHistoryIfUnused(pbx, room);
    await this.#saved.removeRecord('remove status message', pbx, room, conversation);
    return true;
  }

  /** A platform re-posted a message (Discord's 30046): later edits, and a restarted bot, use `next`. */
  replaceRef(previous: MessageRef, next: MessageRef): void {
    for (const record of withReplacedRef(this.#watches.values(), previous, next)) void this.#saved.saveRecord(record);
  }

  noteAction(pbx: string, room: string, text: string, note?: ActionNote): void {
    const roomKey = roomKeyOf(pbx, room);
    const history = this.#saved.history(roomKey);
    if (history !== undefined) this.#saved.setHistory(roomKey, withAction(history, text, this.#clock.now()), true);
    for (const w of this.#watches.values()) {
      if (w.roomKey !== roomKey || w.adapter.postThreadNote === undefined) continue;
      w.adapter.postThreadNote(w.record.ref, text, note).catch((err: unknown) => {
        this.#log.warn({ err, pbx, room }, 'could not post the audit line in the status thread');
      });
    }
  }

  showPage(message: MessageRef, page: number): boolean {
    const w = [...this.#watches.values(), ...this.#closing].find((shown) => showsMessage(shown, message));
    if (w === undefined) return false;
    // A retiring message keeps its page: it is about to stop being edited.
    if (w.closing === undefined) {
      w.page = page;
      this.#request(w, 'major');
    }
    return true;
  }

  /** Live rooms shown; `refreshRoom` asks their messages for a minor edit, as talking does (a line-quality mark changed). */
  watchedRooms(): { pbx: string; room: string }[] {
    return [...this.#watches.values()].filter((w) => w.final === undefined).map((w) => ({ pbx: w.record.pbx, room: w.record.room }));
  }

  refreshRoom(pbx: string, room: string): void {
    for (const w of this.#watchesOfRoom(roomKeyOf(pbx, room))) if (w.final === undefined) this.#request(w, 'minor');
  }

  #startScheduler(w: LiveWatch, lastWriteAt: number): void {
    const minIntervalMs = Math.max(0, w.adapter.limits.minEditIntervalMs);
    w.scheduler = new EditScheduler({
      clock: this.#clock,
      minIntervalMs,
      minorIntervalMs: Math.max(minIntervalMs, this.#talkingIntervalMs),
      backoffBaseMs: Math.max(minIntervalMs, 500),
      maxBackoffMs: this.#maxBackoffMs,
      random: this.#random, onEvent: (event) => this.deps.onEdit?.(w.adapter.name, event),
      sharedBackoff: this.#rateLimits.forMessage(w.adapter.name, w.record.conversation),
      lastWriteAt,
      send: this.#ownership?.guard(w, () => this.#sendEdit(w)) ?? (() => this.#sendEdit(w)),
      onGone: (err) => this.#gone(w, err),
      onFailure: (err, retryInMs) => this.#editFailed(w, err, retryInMs),
    });
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
        this.#endings.evaluate(w);
        this.#request(w, change.type === 'pbx_up' ? 'prompt' : 'major');
      }
      return;
    }
    const roomKey = roomKeyOf(change.pbx, change.room);
    const history = this.#saved.history(roomKey);
    if (history === undefined) return;
    const room = this.#pbxState(change.pbx)?.rooms.get(change.room);
    const next = applyChange(history, change, room, this.#clock.now());
    this.#saved.setHistory(roomKey, next, changesSummary(change));
    const urgency: EditUrgency = change.type === 'talking' ? 'minor' : 'major';
    for (const w of this.#watchesOfRoom(roomKey)) {
      // A summary is final: later sessions of the room get a new message from `show`.
      if (w.final !== undefined) continue;
      if (change.type === 'room_ended') this.#endings.enterFinal(w, change.final, next);
      this.#request(w, urgency);
    }
  }

  /** A watch still being posted has no scheduler yet; `watch()` catches up after the post. */
  #request = (w: LiveWatch, urgency: EditUrgency): void => w.scheduler?.request(urgency);

  *#watchesOfRoom(roomKey: string): Generator<LiveWatch, void, undefined> {
    for (const w of this.#watches.values()) if (w.roomKey === roomKey) yield w;
  }

  #pbxState = (pbx: string): PbxState | undefined => pbxStateOf(this.#directory, pbx);

  /** The summary has been kept long enough: stop tracking the message. */
  #expire(w: LiveWatch): void {
    if (this.#watches.get(w.key) !== w) return;
    this.#watches.delete(w.key);
    w.scheduler?.close();
    this.#endings.clearTimers(w);
    void this.#saved.removeRecord('forget ended status message', w.record.pbx, w.record.room, w.record.conversation);
    this.#forgetHistoryIfUnused(w.record.pbx, w.record.room);
  }

  /** One last edit (banner, no buttons), then the message is left alone. */
  #retire(w: LiveWatch, banner: string): void {
    if (this.#watches.get(w.key) === w) this.#watches.delete(w.key);
    this.#endings.clearTimers(w);
    w.closing = banner;
    this.#closing.add(w);
    if (w.scheduler === undefined) this.#finishClosing(w);
    else w.scheduler.request('major');
  }

  #finishClosing(w: LiveWatch): void {
    w.scheduler?.close();
    this.#closing.delete(w);
  }

  #viewFor = (w: LiveWatch): StatusView => watchView(w, this.#pbxState(w.record.pbx), this.#saved.history(w.roomKey), this.#clock.now(), this.#render);

  async #sendEdit(w: LiveWatch): Promise<EditOutcome> {
    // The recheck asks for this edit again once the state can be trusted.
    if (this.#endings.evaluate(w) === 'reconciling') return 'unchanged';
    // Taken at render time: a retire landing while this edit is in flight has requested the banner
    // edit, which must still go out after this one, not be mistaken for it.
    const withBanner = w.closing !== undefined;
    const showsRunning = !withBanner && showsRoomRunning(w, this.#pbxState(w.record.pbx));
    const view = this.#viewFor(w);
    const key = viewKey(view);
    const unchanged = key === w.sentKey;
    if (!unchanged) {
      w.bannerSent = withBanner;
      await w.adapter.update(w.record.ref, view);
    }
    if (withBanner) {
      this.#finishClosing(w);
      return unchanged ? 'unchanged' : 'sent';
    }
    // Retired meanwhile: its record is already removed from the store and must stay so.
    if (w.closing !== undefined) return 'sent';
    if (unchanged) return 'unchanged';
    // Kept in the store too, so a restarted bot does not send it again.
    w.sentKey = key;
    this.#saved.saveSentKey(w.record, key);
    if (!showsRunning) return 'sent';
    // Only an edit showing the room running proves it was alive then; a banner or a summary does not,
    // so they leave `updatedAt` alone and cannot push back the end estimate of a room that ends unseen.
    w.record = { ...w.record, updatedAt: this.#clock.now() };
    void this.#saved.saveRecord(w.record);
    return 'sent';
  }

  #gone(w: LiveWatch, err: MessageGoneError): void {
    const { pbx, room, conversation } = w.record;
    this.#log.info({ pbx, room, conversation: conversation.id, err }, 'status message was deleted; watch ended');
    this.#endings.clearTimers(w);
    if (w.closing !== undefined) return void this.#finishClosing(w);
    if (this.#watches.get(w.key) === w) this.#watches.delete(w.key);
    void this.#saved.removeRecord('remove deleted status message', pbx, room, conversation);
    this.#forgetHistoryIfUnused(pbx, room);
  }

  #editFailed(w: LiveWatch, err: BotError, retryInMs: number | undefined): void {
    const ctx = { pbx: w.record.pbx, room: w.record.room, conversation: w.record.conversation.id, err };
    if (retryInMs !== undefined) return void this.#log.warn({ ...ctx, retryInMs }, 'status edit failed; retrying');
    this.#log.error(ctx, 'status edit refused; waiting for the next change');
    // A refused live edit that raced a retire leaves the banner edit pending: that one still goes out.
    if (w.bannerSent) this.#finishClosing(w);
  }

  /** Drops a room's history once no message shows it, so a later session starts afresh. */
  #forgetHistoryIfUnused(pbx: string, room: string): void {
    if (!this.#watchesOfRoom(roomKeyOf(pbx, room)).next().done) return;
    this.#saved.forgetHistory(pbx, room);
  }
}
