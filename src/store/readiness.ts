import type { ReadinessCheck } from '../ops/server.ts';
import { RedisStore } from './redis.ts';
import type { Store } from './types.ts';

/**
 * /readyz for the store: a Redis store is required and not ready while Redis does not answer (the
 * bot still serves commands from memory, but keeps its writes unsaved and cannot prove who owns
 * what). A file or memory store has nothing to report: it fails at open or not at all.
 */
export function storeReadiness(store: Store): ReadinessCheck[] {
  if (!(store instanceof RedisStore)) return [];
  return [{
    name: 'redis', kind: 'store', required: true,
    check: () => {
      if (store.ready) return { ok: true };
      const kept = store.backlog.pending;
      return { ok: false, detail: kept === 0 ? 'redis unavailable' : `redis unavailable; ${kept} writes kept in memory` };
    },
  }];
}
