import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../src/log.ts';

/**
 * Routes Bolt's and the Slack SDK's log lines into pino. SDK debug lines print whole payloads, so
 * anything token-shaped, any response_url and any `token` field is scrubbed first: pino's `redact`
 * only sees keys, not text inside a message string.
 */

const SCRUBBERS: readonly (readonly [RegExp, string])[] = [
  [/xox[a-z]-[A-Za-z0-9-]+/g, 'xox?-[redacted]'],
  [/xapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]'],
  [/https:\/\/hooks\.slack\.com\/[^\s"'\\]+/g, 'https://hooks.slack.com/[redacted]'],
  [/("?token"?\s*[:=]\s*"?)[^"&\s,}]+/gi, '$1[redacted]'],
  [/(Bearer\s+)[^\s"']+/gi, '$1[redacted]'],
];

export function scrubSecrets(text: string): string {
  return SCRUBBERS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
}

function line(parts: unknown[]): string {
  return scrubSecrets(parts.map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p))).join(' '));
}

export function boltLogger(logger: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => logger.debug(line(msg)),
    info: (...msg: unknown[]) => logger.info(line(msg)),
    warn: (...msg: unknown[]) => logger.warn(line(msg)),
    error: (...msg: unknown[]) => logger.error(line(msg)),
    // pino's own level decides what is written; Bolt only asks for this to decide what to build.
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
