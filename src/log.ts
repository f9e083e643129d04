/**
 * One logger factory. Components get `logger.child({ component })`. Secrets are redacted by key;
 * user content is never logged at info level (callers log sizes and ids, not text).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACT = [
  '*.apiKey',
  '*.token',
  '*.capability',
  '*.authorization',
  '*["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
];

export function createLogger(options: { level: string }): Logger {
  return pino(
    { level: options.level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' } },
    // Logs go to stderr so stdout stays free for command output (`nanoclaw run` streams answers).
    pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything (tests that assert on behavior, not logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
