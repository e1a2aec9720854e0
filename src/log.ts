import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a log record. Any object that carries a secret uses
 * one of these key names, so a secret can never reach a log line by accident.
 */
export const REDACT_PATHS: readonly string[] = [
  'secret', '*.secret', '*.*.secret', '*.*.*.secret',
  'token', '*.token', '*.*.token', '*.*.*.token',
  'botToken', '*.botToken', '*.*.botToken',
  'appToken', '*.appToken', '*.*.appToken',
  'signingSecret', '*.signingSecret', '*.*.signingSecret',
  'signingKey', '*.signingKey', '*.*.signingKey',
  'aesKey', '*.aesKey', '*.*.aesKey', '*.*.*.aesKey',
  'aesIv', '*.aesIv', '*.*.aesIv', '*.*.*.aesIv',
  'password', '*.password', '*.*.password',
  'Secret', '*.Secret', '*.*.Secret',
  'Key', '*.Key', '*.*.Key',
  'authorization', '*.authorization', '*.*.authorization', 'req.headers.authorization',
  'redisUrl', '*.redisUrl', '*.*.redisUrl',
  'req.url', 'url',
];

export interface CreateLoggerOptions {
  readonly level?: string;
  readonly destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    base: { app: 'meetme-bot' },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that writes nothing: the default for library code and tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
