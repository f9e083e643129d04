/**
 * `nanoclaw logs`: the host's log file (and its rotated predecessors), readable, filtered; `-f`
 * keeps printing new lines (across rotation) until Ctrl-C.
 */
import fs from 'node:fs';
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { formatLogLine } from '../log-format.js';
import {
  followLog,
  matches,
  parseLevel,
  parseSince,
  readLogs,
  type LogFilter,
} from '../ops/log-read.js';
import { noPositionals, parse } from './args.js';
import type { CliContext } from './index.js';

export const USAGE =
  'nanoclaw logs [-f] [--group G] [--level L] [--since 10m|2h|3d|<date>] [-n N] [--json]\n' +
  '  The host log ($NANOCLAW_HOME/logs/nanoclaw.log and its rotated files), one readable line\n' +
  '  each; the last 100 matching lines unless -n says otherwise (-n 0: all). -f follows new\n' +
  '  lines until Ctrl-C. --level shows that level and above (trace debug info warn error\n' +
  '  fatal); --json prints the JSON lines as stored.';

const OPTIONS = {
  follow: { type: 'boolean', short: 'f', default: false },
  group: { type: 'string' },
  level: { type: 'string' },
  since: { type: 'string' },
  lines: { type: 'string', short: 'n', default: '100' },
  json: { type: 'boolean', default: false },
} as const;

export interface LogsOptions {
  /** Ends `-f` (the CLI wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
}

export async function logsCommand(
  args: string[],
  ctx: CliContext,
  options: LogsOptions = {},
): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, USAGE);
  noPositionals(positionals, USAGE);
  const limit = Number(values.lines);
  if (!Number.isInteger(limit) || limit < 0)
    throw new UserError(`-n must be a whole number (0 for all).\nUsage: ${USAGE}`);
  const filter: LogFilter = {
    ...(values.level ? { level: parseLevel(values.level) } : {}),
    ...(values.group ? { group: values.group } : {}),
    ...(values.since ? { since: parseSince(values.since, Date.now()) } : {}),
  };
  const dir = loadConfig(ctx.env, ctx.appRoot).paths.logs;
  const print = (line: string) => ctx.stdout.write(values.json ? `${line}\n` : formatLogLine(line));
  if (!fs.existsSync(dir)) {
    if (!values.follow) {
      ctx.stderr.write(
        `No logs yet in ${dir}: the host writes them once it runs (nanoclaw start).\n`,
      );
      return 0;
    }
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  for (const line of readLogs(dir, filter, limit === 0 ? undefined : limit)) print(line);
  if (!values.follow) return 0;
  const signal = options.signal ?? interrupted();
  await followLog(dir, (line) => (matches(line, filter) ? print(line) : undefined), signal);
  return 0;
}

/** Aborted by Ctrl-C or SIGTERM: `-f` ends cleanly with exit 0. */
function interrupted(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
