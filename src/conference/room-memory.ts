import { z } from 'zod';
import type { Logger } from '../log.ts';
import type { RememberedRooms } from './reconcile.ts';
import type { PbxState, RoomChange } from './types.ts';

/**
 * What no list action tells a restarted bot: when each room started (its first participant may have
 * left) and who muted whom (`muted(admin)` vs `muted`). Kept in the store's key-value space, one
 * key per PBX, written when rooms or mutes change.
 */

/** The part of the store's key-value space this needs (the store's `kv` has it). */
export interface KeyValue {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

const snapshotSchema = z.object({
  rooms: z.record(z.string(), z.object({ startedAt: z.number(), members: z.array(z.string()) })),
  mutedBy: z.record(z.string(), z.enum(['self', 'admin'])),
});

type Snapshot = z.infer<typeof snapshotSchema>;

/** The change records that can change what is kept. */
const KEPT: ReadonlySet<RoomChange['type']> = new Set(['room_started', 'room_ended', 'joined', 'left', 'muted', 'updated']);

export function roomMemoryKey(pbx: string): string {
  return `conference.rooms.${pbx}`;
}

export class RoomMemory implements RememberedRooms {
  #snapshot: Snapshot = { rooms: {}, mutedBy: {} };
  #written = '';
  #saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: KeyValue,
    private readonly pbx: string,
    private readonly log: Logger,
  ) {}

  /** Reads what an earlier run kept; an unreadable value is logged and ignored (it only backdates). */
  async load(): Promise<void> {
    try {
      const text = await this.kv.get(roomMemoryKey(this.pbx));
      if (text === undefined) return;
      this.#snapshot = snapshotSchema.parse(JSON.parse(text));
      this.#written = text;
    } catch (err) {
      this.log.warn({ err }, 'kept room start times and mutes unreadable; starting without them');
    }
  }

  startedAt(room: string, present: readonly string[]): number | undefined {
    const kept = this.#snapshot.rooms[room];
    return kept !== undefined && present.some((id) => kept.members.includes(id)) ? kept.startedAt : undefined;
  }

  mutedBy(uniqueid: string): 'self' | 'admin' | undefined {
    return this.#snapshot.mutedBy[uniqueid];
  }

  /** Keeps what `state` holds now, when `changes` may have changed it. */
  note(state: PbxState, changes: readonly RoomChange[]): void {
    if (!changes.some((c) => KEPT.has(c.type))) return;
    const snapshot: Snapshot = { rooms: {}, mutedBy: {} };
    for (const room of state.rooms.values()) {
      snapshot.rooms[room.name] = { startedAt: room.startedAt, members: [...room.participants.keys()] };
      for (const p of room.participants.values()) if (p.muted && p.mutedBy !== undefined) snapshot.mutedBy[p.uniqueid] = p.mutedBy;
    }
    this.#snapshot = snapshot;
    const text = JSON.stringify(snapshot);
    if (text === this.#written) return;
    this.#written = text;
    this.#saving = this.#saving
      .then(() => this.kv.set(roomMemoryKey(this.pbx), text))
      .catch((err: unknown) => this.log.warn({ err }, 'could not keep room start times and mutes'));
  }

  /** Waits for the writes under way. */
  settled(): Promise<void> {
    return this.#saving;
  }
}
