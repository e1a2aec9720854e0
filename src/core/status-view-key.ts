import { createHash } from 'node:crypto';
import type { StatusView } from './views.ts';

/**
 * A stable hash of what a person reads in a status message, leaving out what only the passing of
 * time changes (running time, time in room, the update stamp): an edit that would change nothing
 * else is not worth the platform's rate limit, and a re-list after a reconnect changes nothing else.
 * Views are built by one function, so equal views serialize to equal JSON.
 */
export function viewKey(view: StatusView): string {
  const timeless = { ...view, updatedAt: 0, runningSec: 0, rows: view.rows.map((r) => ({ ...r, inRoomSec: 0 })) };
  return createHash('sha256').update(JSON.stringify(timeless)).digest('base64url');
}
