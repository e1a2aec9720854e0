import type { PbxState, Room } from '../conference/types.ts';
import type { Logger } from '../log.ts';
import type { Clock } from './clock.ts';
import type { EditUrgency } from './edit-scheduler.ts';
import { endedRoomFromHistory, withLineQuality, type LineMarkSource, type LineQualityNote, type RoomHistory } from './room-history.ts';
import type { StatusStore } from './status-store.ts';
import { roomKeyOf, unref, type LiveWatch } from './status-watch.ts';

export type { LineQualityNote } from './room-history.ts';

/**
 * When a watched room has ended, and for how long its summary is kept: a room seen ending arrives
 * as `room_ended`; one missing from its PBX's reconciled state although it was seen running ended
 * unseen. Owns each watch's recheck and cleanup timers, and the line-quality spells the summary
 * reports (the worst line and how long it was poor).
 */

export interface EndingsHost {
  pbxState(pbx: string): PbxState | undefined;
  watchesOfRoom(roomKey: string): Iterable<LiveWatch>;
  /** Asks for an edit of `w` (a no-op while it is being posted). */
  request(w: LiveWatch, urgency: EditUrgency): void;
  /** The summary of `w` has been kept long enough: stop tracking the message. */
  expire(w: LiveWatch): void;
}

export interface EndingsOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly saved: StatusStore;
  readonly host: EndingsHost;
  /** How long an ended room's summary is kept. */
  readonly keepEndedMs: number;
  /** After a PBX link comes up, how long before a missing room is taken as ended. */
  readonly graceMs: number;
  /** Line-quality marks, folded into the history of each watched room. */
  readonly lineMarks?: LineMarkSource | undefined;
}

export class RoomEndings {
  readonly #o: EndingsOptions;

  constructor(options: EndingsOptions) {
    this.#o = options;
    // For the process's life, like the service: past stop() the histories are gone and a mark is a no-op.
    options.lineMarks?.((pbx, room, note) => this.noteLineQuality(pbx, room, note));
  }

  /**
   * Moves a live watch to its final summary when its room ended unseen. Returns 'reconciling'
   * while such a room's PBX has only just come up and its state may not be complete yet: showing
   * the room then would show a guess (a recheck asks for an edit once it can be trusted).
   */
  evaluate(w: LiveWatch): 'known' | 'reconciling' {
    if (w.final !== undefined || w.closing !== undefined) return 'known';
    const state = this.#o.host.pbxState(w.record.pbx);
    const room = state?.rooms.get(w.record.room);
    const history = this.#o.saved.history(w.roomKey);
    if (room !== undefined || state === undefined || !state.available || history?.startedAt === undefined) return 'known';
    const now = this.#o.clock.now();
    const trustedAt = state.since + this.#o.graceMs;
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

  /** `w` shows its summary from now on, and is forgotten `keepEndedMs` after the room's end. */
  enterFinal(w: LiveWatch, room: Room, history: RoomHistory): void {
    if (w.final !== undefined) return;
    w.final = { room, history };
    this.#clearRecheck(w);
    const { clock } = this.#o;
    const endedAt = room.endedAt ?? clock.now();
    const keepFor = Math.max(0, endedAt + this.#o.keepEndedMs - clock.now());
    w.cleanupTimer = unref(clock.setTimeout(() => {
      w.cleanupTimer = undefined;
      this.#o.host.expire(w);
    }, keepFor));
    this.#o.log.info({ pbx: w.record.pbx, room: w.record.room, conversation: w.record.conversation.id }, 'room ended; showing summary');
  }

  /** A participant's line-quality mark: kept in the room's history, for a watched room that is running. */
  noteLineQuality(pbx: string, room: string, note: LineQualityNote): void {
    const roomKey = roomKeyOf(pbx, room);
    const history = this.#o.saved.history(roomKey);
    if (history === undefined || history.endedAt !== undefined) return;
    const next = withLineQuality(history, note, this.#o.clock.now());
    // Poor spells and the worst MOS change seldom: a steady line costs no store write.
    if (next !== history) this.#o.saved.setHistory(roomKey, next, true);
  }

  clearTimers(w: LiveWatch): void {
    this.#clearRecheck(w);
    if (w.cleanupTimer !== undefined) this.#o.clock.clearTimeout(w.cleanupTimer);
    w.cleanupTimer = undefined;
  }

  /** `w` may not be registered yet (a post in progress), so it is ended explicitly too. */
  #endRoom(w: LiveWatch, room: Room, history: RoomHistory): void {
    this.#o.saved.setHistory(w.roomKey, history, true);
    for (const other of [w, ...this.#o.host.watchesOfRoom(w.roomKey)]) {
      if (other.final !== undefined) continue;
      this.enterFinal(other, room, history);
      this.#o.host.request(other, 'major');
    }
  }

  #scheduleRecheck(w: LiveWatch, delayMs: number): void {
    if (w.recheckTimer !== undefined) return;
    w.recheckTimer = unref(this.#o.clock.setTimeout(() => {
      w.recheckTimer = undefined;
      if (this.evaluate(w) === 'known') this.#o.host.request(w, 'major');
    }, delayMs));
  }

  #clearRecheck(w: LiveWatch): void {
    if (w.recheckTimer === undefined) return;
    this.#o.clock.clearTimeout(w.recheckTimer);
    w.recheckTimer = undefined;
  }
}
