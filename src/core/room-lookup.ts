import { PbxNotReadyError } from '../conference/errors.ts';
import type { RoomDirectory, RoomTarget } from './dispatch-types.ts';
import { AmbiguousRoomError, UnknownPbxError, UnknownRoomError } from './errors.ts';
import { closestMatch } from './suggest.ts';

/** A room the directory knows, with the name people type for it (`pbx/room` when several PBXs). */
interface KnownRoom extends RoomTarget {
  readonly name: string;
}

export type MayView = (scope: { readonly pbx: string; readonly room: string | undefined }) => boolean;

/** What the lookup needs to know of the command naming the room. */
export interface LookupFor {
  readonly name: string;
  /** The command may name a room that is not active (one yet to start, one that ended, a lobby). */
  readonly roomMayBeInactive: boolean;
}

function knownRooms(directory: RoomDirectory): KnownRoom[] {
  const ids = directory.pbxIds();
  const known: KnownRoom[] = [];
  for (const pbx of ids) {
    for (const room of directory.backend(pbx).state().rooms.values()) {
      if (room.endedAt !== undefined) continue;
      known.push({ pbx, room: room.name, name: ids.length > 1 ? `${pbx}/${room.name}` : room.name });
    }
  }
  return known;
}

/**
 * The room a command names, resolved to a PBX. Throws UnknownRoomError with the closest name
 * among the rooms `mayView` accepts, so a refusal never names a room the actor may not see, and
 * UnknownPbxError for a `pbx/room` whose PBX is not configured (listing the PBXs `mayView` accepts
 * with no room given).
 */
export function resolveRoom(directory: RoomDirectory, text: string, command: LookupFor, mayView: MayView): RoomTarget {
  const hit = directory.findRoom(text);
  if (hit !== undefined) return hit;
  const ids = directory.pbxIds();
  const slash = text.indexOf('/');
  const pbx = slash >= 0 ? text.slice(0, slash) : ids.length === 1 ? ids[0] : undefined;
  if (slash >= 0 && pbx !== undefined && !ids.includes(pbx)) {
    // A mistyped PBX id is not a missing room: "no room" would send people looking in the wrong place.
    const known = ids.filter((id) => mayView({ pbx: id, room: undefined }));
    throw new UnknownPbxError(pbx, known, closestMatch(pbx, known));
  }
  const room = slash >= 0 ? text.slice(slash + 1) : text;
  const visible = knownRooms(directory).filter(mayView);
  const suggestion = closestMatch(text, visible.map((r) => r.name));
  if (command.roomMayBeInactive && pbx !== undefined && ids.includes(pbx)) {
    // A near miss of an active room is a typo far more often than a room yet to start; posting a
    // status message for it would announce a room that may never exist.
    if (command.name === 'watch' && suggestion !== undefined) throw new UnknownRoomError(text, suggestion);
    return { pbx, room };
  }
  const onSeveral = visible.filter((r) => r.room === text).map((r) => r.name);
  if (slash < 0 && onSeveral.length > 1) throw new AmbiguousRoomError(text, onSeveral);
  // A PBX whose rooms are not listed yet may well hold this one.
  const unlisted = (pbx === undefined ? ids : [pbx]).find((id) => mayView({ pbx: id, room }) && directory.backend(id).state().roomsKnown === false);
  if (unlisted !== undefined) throw new PbxNotReadyError(unlisted);
  throw new UnknownRoomError(text, suggestion);
}
