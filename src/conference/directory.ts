import { silentLogger, type Logger } from '../log.ts';
import type { ConferenceBackend, ConferenceDirectory } from './backend.ts';
import { PbxNotFoundError } from './errors.ts';
import type { PbxConnection } from './pbx.ts';
import type { Room, RoomChange } from './types.ts';

/**
 * Every PBX the bot serves, each on its own AMI link. One PBX failing to start, or going down later,
 * never affects the others: its rooms stay listed with `available: false` on its state.
 */
export class ConferenceRegistry implements ConferenceDirectory {
  private readonly byId: ReadonlyMap<string, PbxConnection>;
  private readonly listeners = new Set<(changes: readonly RoomChange[]) => void>();
  private readonly unsubscribes: (() => void)[] = [];

  private readonly log: Logger;

  constructor(pbxs: readonly PbxConnection[], opts: { readonly logger?: Logger } = {}) {
    this.byId = new Map(pbxs.map((p) => [p.pbx, p]));
    this.log = (opts.logger ?? silentLogger()).child({ component: 'conference' });
    for (const p of pbxs) {
      this.unsubscribes.push(p.onChange((changes) => this.fanOut(p.pbx, changes)));
    }
  }

  /** One listener that throws (a status service bug) must not keep the others from hearing the change. */
  private fanOut(pbx: string, changes: readonly RoomChange[]): void {
    for (const listener of this.listeners) {
      try {
        listener(changes);
      } catch (err) {
        this.log.error({ err, pbx }, 'room change listener threw');
      }
    }
  }

  /** Starts every PBX at once; resolves when each has connected or failed its first attempt (it keeps retrying). */
  async start(): Promise<{ readonly pbx: string; readonly error: unknown }[]> {
    const results = await Promise.allSettled([...this.byId.values()].map((p) => p.start()));
    const ids = [...this.byId.keys()];
    return results.flatMap((r, i) => (r.status === 'rejected' ? [{ pbx: ids[i] ?? '?', error: r.reason as unknown }] : []));
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.byId.values()].map((p) => p.stop()));
    for (const u of this.unsubscribes.splice(0)) u();
  }

  pbxIds(): readonly string[] {
    return [...this.byId.keys()];
  }

  backend(pbx: string): ConferenceBackend {
    return this.connection(pbx);
  }

  connection(pbx: string): PbxConnection {
    const p = this.byId.get(pbx);
    if (p === undefined) throw new PbxNotFoundError(pbx, this.pbxIds());
    return p;
  }

  onChange(listener: (changes: readonly RoomChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Finds a room by name, or by `pbx/room`. A bare name held by several PBXs resolves to the first in
   * configuration order; `pbx/room` picks one explicitly.
   */
  findRoom(name: string): { pbx: string; room: string } | undefined {
    const slash = name.indexOf('/');
    if (slash > 0) {
      const p = this.byId.get(name.slice(0, slash));
      const room = name.slice(slash + 1);
      if (p?.state().rooms.has(room)) return { pbx: p.pbx, room };
    }
    for (const p of this.byId.values()) if (p.state().rooms.has(name)) return { pbx: p.pbx, room: name };
    return undefined;
  }

  /** Every room of every PBX (those of a PBX that is down included), by PBX then name. */
  allRooms(): Room[] {
    return [...this.byId.values()].flatMap((p) =>
      [...p.state().rooms.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })));
  }
}
