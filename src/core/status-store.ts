import type { Room } from '../conference/types.ts';
import { toBotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store, WatchRecord } from '../store/types.ts';
import type { Conversation, MessageRef } from './adapter.ts';
import type { Clock } from './clock.ts';
import { historyFromRoom, isOpenSession, parseHistory, serializeHistory, type RoomHistory } from './room-history.ts';
import { roomKeyOf, watchKeyOf } from './status-watch.ts';

/**
 * What the status service keeps in the store, and the room histories it holds in memory: watch
 * records, each room's history (for its summary) and what each message shows (its view key), so a
 * restarted bot edits its messages in place, summarizes rooms that ended meanwhile, and does not
 * send an edit that changes nothing. Writes run one after another, in order; a failed write is
 * logged and never stops the edits.
 */

function historyKvKey(pbx: string, room: string): string {
  return `status.history:${pbx}:${room}`;
}

/** Per (pbx, room, conversation) like the watch record; the value names the message it is for. */
function sentKvKey(pbx: string, room: string, c: Conversation): string {
  return `status.sent:${watchKeyOf(pbx, room, c)}`;
}

function parseSent(text: string | undefined, ref: MessageRef): string | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { id, key } = parsed as { id?: unknown; key?: unknown };
    return id === ref.id && typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}

export class StatusStore {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #histories = new Map<string, RoomHistory>();
  #writes: Promise<void> = Promise.resolve();

  constructor(store: Store, clock: Clock, log: Logger) {
    this.#store = store;
    this.#clock = clock;
    this.#log = log;
  }

  /** Resolves once every write queued so far is done. */
  settled(): Promise<void> {
    return this.#writes;
  }

  list(): Promise<WatchRecord[]> {
    return this.#store.watches.list();
  }

  /** After the queued writes, so a record just removed is not found. */
  async find(pbx: string, room: string, conversation: Conversation): Promise<WatchRecord | undefined> {
    await this.#writes;
    return this.#store.watches.find(pbx, room, conversation);
  }

  saveRecord(record: WatchRecord): Promise<void> {
    return this.#persist('save status message', () => this.#store.watches.put(record));
  }

  /** Forgets a message: its record and what it shows. */
  removeRecord(what: string, pbx: string, room: string, conversation: Conversation): Promise<void> {
    return this.#persist(what, async () => {
      await this.#store.watches.remove(pbx, room, conversation);
      await this.#store.kv.delete(sentKvKey(pbx, room, conversation));
    });
  }

  /** Remembers what the message of `record` shows now. */
  saveSentKey(record: WatchRecord, key: string): void {
    const text = JSON.stringify({ id: record.ref.id, key });
    this.#persist('save status message view key', () => this.#store.kv.set(sentKvKey(record.pbx, record.room, record.conversation), text));
  }

  /** Undefined when the store has none for this message (or cannot be read): the next edit then goes out. */
  async loadSentKey(record: WatchRecord): Promise<string | undefined> {
    try {
      return parseSent(await this.#store.kv.get(sentKvKey(record.pbx, record.room, record.conversation)), record.ref);
    } catch (err) {
      this.#log.warn({ pbx: record.pbx, room: record.room, err: toBotError(err) }, 'could not load what the status message shows');
      return undefined;
    }
  }

  history(roomKey: string): RoomHistory | undefined {
    return this.#histories.get(roomKey);
  }

  /**
   * The room's history in memory, loading it from the store (or starting one) when first needed.
   * Undefined when `stopped()` says the service stopped while the store was read: then nothing is
   * kept or saved.
   */
  async loadHistory(pbx: string, room: string, current: Room | undefined, stopped: () => boolean): Promise<RoomHistory | undefined> {
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
    if (stopped()) return undefined;
    const raced = this.#histories.get(roomKey);
    if (raced !== undefined) return raced;
    // An ended history still serves a room that is not running again (its summary), never a new session.
    const usable = stored !== undefined && (isOpenSession(stored) || current === undefined) ? stored : undefined;
    const history = usable ?? historyFromRoom(pbx, room, current, this.#clock.now());
    this.setHistory(roomKey, history, usable === undefined);
    return history;
  }

  setHistory(roomKey: string, history: RoomHistory, save: boolean): void {
    this.#histories.set(roomKey, history);
    if (save) this.#persist('save room history', () => this.#store.kv.set(historyKvKey(history.pbx, history.room), serializeHistory(history)));
  }

  /** Drops a room's history, stored copy included, so a later session starts afresh. */
  forgetHistory(pbx: string, room: string): void {
    this.#histories.delete(roomKeyOf(pbx, room));
    this.#persist('forget room history', () => this.#store.kv.delete(historyKvKey(pbx, room)));
  }

  /** Forgets the histories in memory only (shutdown): the stored ones serve the next start. */
  clearMemory(): void {
    this.#histories.clear();
  }

  /** The returned promise (never rejected) settles when this write is done. */
  #persist(what: string, write: () => Promise<void>): Promise<void> {
    this.#writes = this.#writes.then(write).catch((err: unknown) => {
      this.#log.error({ err: toBotError(err) }, `${what} failed`);
    });
    return this.#writes;
  }
}
