import type { ListedRoom } from './reconcile.ts';
import type { Dialect, Participant } from './types.ts';

/**
 * What differs between ConfBridge and MeetMe: how rooms are listed and how the room-level actions
 * are sent. Everything else (originate, redirect, variables) is the same AMI for both.
 */
export interface DialectOps {
  readonly dialect: Dialect;
  /** Every active room with its participants, for reconciliation. */
  listRooms(): Promise<ListedRoom[]>;
  /**
   * Just these rooms (none listed: a room has ended), for dialects whose join events leave flags
   * out and need a re-list of the rooms a join touched. Reconcile the answer with `only: rooms`.
   */
  listSomeRooms?(rooms: readonly string[]): Promise<ListedRoom[]>;
  /** Every active room's lock state: Asterisk sends no event when a room is locked or unlocked. */
  roomLocks(): Promise<ReadonlyMap<string, boolean>>;
  /** Mute or unmute one participant, or everyone (`all`: on mute, everyone but admins). */
  mute(room: string, target: Participant | 'all', on: boolean): Promise<void>;
  kick(room: string, target: Participant | 'all'): Promise<void>;
  lock(room: string, on: boolean): Promise<void>;
  record(room: string, on: boolean): Promise<void>;
}

/** Asterisk's answer to an action it does not have (a dialect it does not run). */
export const UNKNOWN_ACTION = /invalid\/unknown command|unknown command|no such command/i;
