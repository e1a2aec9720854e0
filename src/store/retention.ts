import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { Logger } from '../log.ts';
import { StoreError } from './errors.ts';

/**
 * Audit retention: the audit log and alert acknowledgements grow with every action, so records
 * older than the retention are deleted when the store opens and once a day after that.
 */

export const DEFAULT_AUDIT_RETENTION_DAYS = 90;
export const PRUNE_INTERVAL_MS = 86_400_000;

export interface StoreOptions {
  /** Audit records and alert acks older than this are deleted (default 90). */
  readonly auditRetentionDays?: number;
  /** Drives the daily pruning; injected so tests can use a fake clock. */
  readonly clock?: Clock;
  /** Where a failed daily pruning is reported (it never stops the store). */
  readonly logger?: Logger;
}

/** The retention in ms; rejects anything but a positive number of days. */
export function retentionMs(days: number | undefined): number {
  const d = days ?? DEFAULT_AUDIT_RETENTION_DAYS;
  if (!Number.isFinite(d) || d <= 0) throw new StoreError(`auditRetentionDays must be a positive number of days, not ${d}`);
  return d * PRUNE_INTERVAL_MS;
}

/** Deletes what is older than `before` (epoch ms); returns how many records went. */
export type Prune = (before: number) => number;

/**
 * Prunes once now (a failure throws, so a store that cannot be pruned fails to open like one that
 * cannot be migrated), then daily until the returned function is called.
 */
export function startPruning(clock: Clock, keepMs: number, prune: Prune, logger: Logger | undefined): () => void {
  let timer: TimerHandle | undefined;
  const arm = (): void => {
    timer = clock.setTimeout(daily, PRUNE_INTERVAL_MS);
    // A day-long timer must not keep a finished process alive when a caller forgets close().
    (timer as { unref?: () => void }).unref?.();
  };
  const daily = (): void => {
    try {
      const removed = prune(clock.now() - keepMs);
      if (removed > 0) logger?.info({ removed }, 'pruned old audit records');
    } catch (err) {
      logger?.error({ err }, 'pruning old audit records failed; trying again tomorrow');
    }
    arm();
  };
  prune(clock.now() - keepMs);
  arm();
  return () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };
}
