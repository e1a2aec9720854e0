import type { RoomSnapshot } from '../../src/sim/pbx/index.ts';
import type { FakePlatform } from './platform.ts';
import { truePeople } from './status-reading.ts';

/**
 * Each watched room should have exactly one status message per platform, showing who is there now.
 * `history` says what is known of a wrong message's edits, appended to its line.
 */
export function checkMessages(platforms: readonly FakePlatform[], watched: readonly string[], truth: ReadonlyMap<string, RoomSnapshot>, history?: (messageId: string) => string): { wrong: string[]; duplicates: number } {
  const more = (id: string): string => (history === undefined ? '' : `; ${history(id)}`);
  const wrong: string[] = [];
  let duplicates = 0;
  for (const p of platforms) {
    const byRoom = new Map<string, number>();
    for (const m of p.statusMessages()) {
      byRoom.set(m.status.room, (byRoom.get(m.status.room) ?? 0) + 1);
      const expected = truePeople(truth.get(m.status.room));
      const shown = m.status.people;
      if (m.status.ended && expected.length > 0) wrong.push(`${p.name} ${m.id} (room ${m.status.room}) says ended; the room has ${expected.length}${more(m.id)}`);
      else if (!m.status.ended && shown.join('|') !== expected.join('|')) {
        wrong.push(`${p.name} ${m.id} (room ${m.status.room}) shows [${shown.join(', ')}]; the PBX has [${expected.join(', ')}]${more(m.id)}`);
      }
    }
    for (const room of watched) {
      const n = byRoom.get(room) ?? 0;
      if (n === 0) wrong.push(`${p.name}: no status message for room ${room}`);
      if (n > 1) duplicates += n - 1;
    }
  }
  return { wrong, duplicates };
}
