import type { Logger } from '../log.ts';
import type { AuditRecord, AuditStore } from '../store/types.ts';

/** An audit entry as the core knows it; the auditor stamps the time. */
export type AuditEntry = Omit<AuditRecord, 'at'>;

export interface Auditor {
  /** Logs the entry and appends it to the store when there is one. Never rejects. */
  record(entry: AuditEntry): Promise<void>;
}

export interface AuditorOptions {
  /** A logger without a `component`: the auditor sets its own, and pino would repeat the key. */
  readonly logger: Logger;
  readonly store?: AuditStore | undefined;
  readonly now: () => number;
}

export function createAuditor(options: AuditorOptions): Auditor {
  const log = options.logger.child({ component: 'audit' });
  return {
    async record(entry) {
      const record: AuditRecord = { ...entry, at: options.now() };
      log.info({ audit: record }, `${record.actor.platform}:${record.actor.userId} ${record.command} ${record.decision}/${record.outcome}`);
      if (options.store === undefined) return;
      try {
        await options.store.append(record);
      } catch (err) {
        // The action already happened (or was refused); losing its record must not hide that from the user.
        log.error({ err, correlationId: record.correlationId }, 'audit store append failed');
      }
    },
  };
}
