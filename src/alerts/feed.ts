import type { ConferenceDirectory } from '../conference/backend.ts';
import type { PbxState, RoomChange } from '../conference/types.ts';
import type { AlertService } from './service.ts';

/**
 * Feeds every PBX's change records into the alert service, each with the room as it was before
 * the change (a leave that emptied the room, the music channel that just died). The directory
 * announces changes after the state moved on, so the last state seen per PBX is kept here; the
 * states are persistent maps, so keeping one costs nothing.
 */
export function feedAlerts(directory: ConferenceDirectory, service: AlertService): () => void {
  const seen = new Map<string, PbxState>();
  for (const pbx of directory.pbxIds()) seen.set(pbx, directory.backend(pbx).state());
  return directory.onChange((changes: readonly RoomChange[]) => {
    const pbx = changes[0]?.pbx;
    if (pbx === undefined) return;
    const before = seen.get(pbx);
    for (const change of changes) service.observe(change, 'room' in change ? before?.rooms.get(change.room) : undefined);
    seen.set(pbx, directory.backend(pbx).state());
  });
}
