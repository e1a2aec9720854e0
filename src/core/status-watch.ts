import type { ConferenceDirectory } from '../conference/backend.ts';
import type { PbxState, Room } from '../conference/types.ts';
import { BotError } from '../errors.ts';
import type { WatchRecord } from '../store/types.ts';
import type { ChatAdapter, Conversation, MessageRef } from './adapter.ts';
import type { TimerHandle } from './clock.ts';
import type { EditScheduler } from './edit-scheduler.ts';
import { pagedStatusView } from './paging.ts';
import { summaryOf, type RoomHistory } from './room-history.ts';
import type { StatusView, StatusViewInput } from './views.ts';

/** One status message as the status service tracks it, and what it shows. */

/** Banners of a message that is no longer edited. */
export const MOVED_BELOW_BANNER = 'Moved below: this message is no longer updated.';
export const UNWATCHED_BANNER = 'No longer updated.';

export interface FinalState {
  readonly room: Room;
  readonly history: RoomHistory;
}

export interface LiveWatch {
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
  /**
   * Zero-based page a reader chose (core/paging.ts). Clamped at each render, not here: a room that
   * shrank and grows again returns to the chosen page.
   */
  page: number;
  /** `viewKey` of what the message shows (its post or last accepted edit), when known. */
  sentKey: string | undefined;
  /** Undefined only while the message is being posted. */
  scheduler: EditScheduler | undefined;
  cleanupTimer: TimerHandle | undefined;
  recheckTimer: TimerHandle | undefined;
}

export function newWatch(record: WatchRecord, adapter: ChatAdapter): LiveWatch {
  return {
    key: watchKeyOf(record.pbx, record.room, record.conversation), roomKey: roomKeyOf(record.pbx, record.room), adapter, record,
    final: undefined, closing: undefined, bannerSent: false, page: 0, sentKey: undefined, scheduler: undefined,
    cleanupTimer: undefined, recheckTimer: undefined,
  };
}

/** Points the watches showing message `previous` at `next` instead; returns their new records. */
export function withReplacedRef(watches: Iterable<LiveWatch>, previous: MessageRef, next: MessageRef): WatchRecord[] {
  const changed: WatchRecord[] = [];
  for (const w of watches) {
    const { ref } = w.record;
    if (ref.platform !== previous.platform || ref.conversation !== previous.conversation || ref.id !== previous.id) continue;
    w.record = { ...w.record, ref: next };
    changed.push(w.record);
  }
  return changed;
}

export function roomKeyOf(pbx: string, room: string): string {
  return JSON.stringify([pbx, room]);
}

export function watchKeyOf(pbx: string, room: string, c: Conversation): string {
  return JSON.stringify([pbx, room, c.platform, c.workspace ?? '', c.id]);
}

/**
 * `watch()` or `resume()` found the service stopped when an await returned (a shutdown overtook a
 * command): nothing was registered or stored, so the message, if posted, is not kept up to date.
 */
export class StatusStoppedError extends BotError {
  readonly code = 'status_stopped' as const;
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
export function unref(handle: TimerHandle): TimerHandle {
  (handle as { unref?: () => void }).unref?.();
  return handle;
}

function withoutButtons(view: StatusView): StatusView {
  const paging = view.paging === undefined ? {} : { paging: { ...view.paging, buttons: [] } };
  return { ...view, buttons: [], rows: view.rows.map((r) => ({ ...r, buttons: [] })), ...paging };
}

/** Whether `ref` names the message of `w`. */
export function showsMessage(w: LiveWatch, ref: MessageRef): boolean {
  const own = w.record.ref;
  return own.platform === ref.platform && own.conversation === ref.conversation && own.id === ref.id;
}

/** Whether the message would show the room running (not its summary, not an unreachable PBX). */
export function showsRoomRunning(w: LiveWatch, state: PbxState | undefined): boolean {
  return w.final === undefined && state?.available === true && state.rooms.has(w.record.room);
}

/** The PBX's state, or undefined for a PBX the directory does not know (any more). */
export function pbxStateOf(directory: ConferenceDirectory, pbx: string): PbxState | undefined {
  try {
    return directory.backend(pbx).state();
  } catch {
    return undefined;
  }
}

/**
 * What the message of `w` shows now: its summary once the room ended (which needs nothing from the
 * PBX, so no "unreachable" banner), else the room live, on the page its reader chose; a retiring
 * message gets its banner and no buttons.
 */
export function watchView(
  w: LiveWatch, state: PbxState | undefined, history: RoomHistory | undefined, now: number,
  render: (input: StatusViewInput) => StatusView,
): StatusView {
  const { pbx, room: roomName } = w.record;
  const since = state?.since ?? now;
  let view: StatusView;
  if (w.final !== undefined) {
    view = withoutButtons(render({ pbx, roomName, room: w.final.room, available: true, since, now, history: summaryOf(w.final.history) }));
  } else {
    const input: StatusViewInput = { pbx, roomName, room: state?.rooms.get(roomName), available: state?.available ?? false, since, now };
    view = render(history === undefined ? input : { ...input, history: summaryOf(history) });
  }
  view = pagedStatusView(view, w.page, w.adapter.limits.maxRowsPerPage);
  return w.closing === undefined ? view : { ...withoutButtons(view), banner: w.closing };
}
