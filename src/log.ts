/**
 * One logger factory. Components get `logger.child({ component })`. Secrets are redacted by key
 * before any line is written, so every format and the log file get the same redacted record;
 * user content is never logged at info level (callers log sizes and ids, not text).
 *
 * On a terminal, lines are human-readable (src/log-format.ts); otherwise, or with
 * LOG_FORMAT=json, JSON lines. The host also writes JSON lines to a rotated file.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { formatLogLine } from './log-format.js';
import { RotatingFile } from './log-file.js';

export type { Logger };

/** Secret keys at the top of a record and one level down (`{ headers: { authorization } }`). */
const REDACT = [
  'apiKey',
  'token',
  'capability',
  'authorization',
  '["x-api-key"]',
  '*.apiKey',
  '*.token',
  '*.capability',
  '*.authorization',
  '*["x-api-key"]',
];

export type LogFormat = 'auto' | 'json' | 'pretty';

/** `auto` is readable on a terminal and JSON when stderr is a file or a pipe (for tools). */
export function chooseLogFormat(format: LogFormat, isTty: boolean): 'json' | 'pretty' {
  if (format === 'auto') return isTty ? 'pretty' : 'json';
  return format;
}

/** Whether a stream (the CLI's stderr) is a terminal. */
export function isTty(stream: object): boolean {
  return 'isTTY' in stream && stream.isTTY === true;
}

export interface LoggerOptions {
  level: string;
  format?: LogFormat;
  /** Whether stderr is a terminal (decides `auto`). */
  isTty?: boolean;
  /** Where console lines go; stderr by default. */
  destination?: DestinationStream;
  /** Also write JSON lines to this rotated file (the host's log). */
  file?: { path: string; maxBytes?: number; files?: number };
}

export const LOG_FILE_MAX_BYTES = 10 * 1024 * 1024;
export const LOG_FILES = 3;

export function createLogger(options: LoggerOptions): Logger {
  // Logs go to stderr so stdout stays free for command output (`nanoclaw run` streams answers).
  const sink = options.destination ?? pino.destination({ dest: 2, sync: true });
  const pretty = chooseLogFormat(options.format ?? 'auto', options.isTty ?? false) === 'pretty';
  const consoleStream: DestinationStream = pretty
    ? { write: (line: string) => sink.write(formatLogLine(line)) }
    : sink;
  const settings = {
    level: options.level,
    base: undefined,
    redact: { paths: REDACT, censor: '[redacted]' },
  };
  if (!options.file || options.level === 'silent') return pino(settings, consoleStream);
  const file = new RotatingFile({
    path: options.file.path,
    maxBytes: options.file.maxBytes ?? LOG_FILE_MAX_BYTES,
    files: options.file.files ?? LOG_FILES,
    onError: (message) => consoleStream.write(`${JSON.stringify(problem(message))}\n`),
  });
  const level = options.level as pino.Level;
  return pino(
    settings,
    pino.multistream([
      { level, stream: consoleStream },
      { level, stream: file },
    ]),
  );
}

function problem(message: string) {
  return { level: 40, time: Date.now(), component: 'log', msg: message };
}

/** A logger that drops everything (tests that assert on behavior, not logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
