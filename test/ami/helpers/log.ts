import { pino, type Logger } from 'pino';

/** One pino record as written (pino levels: 20 debug, 30 info, 40 warn, 50 error). */
export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A debug-level logger whose records land in `records`, synchronously, for assertions on what was logged. */
export function capturingLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = pino({ level: 'debug' }, {
    write(line: string): void {
      records.push(JSON.parse(line) as LogRecord);
    },
  });
  return { logger, records };
}
