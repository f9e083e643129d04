/**
 * Reading the host's log files for `nanoclaw logs`: the rotated files oldest first
 * (`nanoclaw.log.2`, `.1`, then `nanoclaw.log`), filtered by level, group and time, and a
 * follow mode that keeps reading `nanoclaw.log` across rotation until its signal aborts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

export const LOG_NAME = 'nanoclaw.log';

export const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LevelName = keyof typeof LEVELS;

export interface LogFilter {
  /** Lowest level shown. */
  level?: number;
  group?: string;
  /** Epoch ms: older lines are left out. */
  since?: number;
}

/** "30s", "10m", "2h", "3d" before `now`, or an ISO date/time. */
export function parseSince(text: string, now: number): number {
  const rel = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (rel) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
      rel[2] as 's' | 'm' | 'h' | 'd'
    ];
    return now - Number(rel[1]) * unit;
  }
  const at = Date.parse(text);
  if (Number.isNaN(at)) {
    throw new UserError(
      `--since "${text}" is not a time: use 30s, 10m, 2h, 3d or a date such as 2026-05-01T09:00.`,
    );
  }
  return at;
}

export function parseLevel(text: string): number {
  const level = (LEVELS as Record<string, number>)[text.toLowerCase()];
  if (level === undefined) {
    throw new UserError(`--level "${text}" is not a level: use ${Object.keys(LEVELS).join(', ')}.`);
  }
  return level;
}

/** Whether one log line passes the filter (pure). Lines that are not JSON pass only no filter. */
export function matches(line: string, filter: LogFilter): boolean {
  if (!line.trim()) return false;
  const active =
    filter.level !== undefined || filter.group !== undefined || filter.since !== undefined;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return !active; // not the host's JSON (a stray write): shown only unfiltered
  }
  if (typeof record !== 'object' || record === null) return !active;
  const r = record as Record<string, unknown>;
  if (filter.level !== undefined && !(Number(r.level) >= filter.level)) return false;
  if (filter.group !== undefined && r.group !== filter.group && r.folder !== filter.group)
    return false;
  if (filter.since !== undefined && !(typeof r.time === 'number' && r.time >= filter.since))
    return false;
  return true;
}

/** The log files in the order they were written (oldest rotated file first). */
export function logFiles(dir: string): string[] {
  const rotated = fs
    .readdirSync(dir, { withFileTypes: true })
    .map((e) => ({ e, n: Number(new RegExp(`^${LOG_NAME}\\.(\\d+)$`).exec(e.name)?.[1]) }))
    .filter(({ e, n }) => e.isFile() && n > 0)
    .sort((a, b) => b.n - a.n)
    .map(({ e }) => path.join(dir, e.name));
  const current = path.join(dir, LOG_NAME);
  return fs.existsSync(current) ? [...rotated, current] : rotated;
}

/** The last `limit` matching lines of all files (undefined: all of them). */
export function readLogs(dir: string, filter: LogFilter, limit: number | undefined): string[] {
  const out: string[] = [];
  for (const file of logFiles(dir)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!matches(line, filter)) continue;
      out.push(line);
      if (limit !== undefined && out.length > limit) out.shift();
    }
  }
  return out;
}

/**
 * Calls `onLine` for every line appended to `<dir>/nanoclaw.log` from its current end on, across
 * rotation (the old file is read to its end, then the new one from its start), until `signal`
 * aborts. Woken by file-system events; a slow check covers events a file system does not send.
 */
export async function followLog(
  dir: string,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const file = path.join(dir, LOG_NAME);
  let fd: number | undefined;
  let ino = -1;
  let pos = 0;
  let partial = '';
  const open = (fromStart: boolean) => {
    if (!fs.existsSync(file)) return;
    fd = fs.openSync(file, 'r');
    const stat = fs.fstatSync(fd);
    ino = stat.ino;
    pos = fromStart ? 0 : stat.size;
  };
  const drain = () => {
    if (fd === undefined) return;
    const buf = Buffer.alloc(64 * 1024);
    for (
      let n = fs.readSync(fd, buf, 0, buf.length, pos);
      n > 0;
      n = fs.readSync(fd, buf, 0, buf.length, pos)
    ) {
      pos += n;
      const lines = (partial + buf.subarray(0, n).toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    }
  };
  const check = () => {
    drain();
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) return;
    if (fd !== undefined && stat.ino === ino && stat.size >= pos) return;
    // Rotated (a new file at the path) or truncated: the old one is done, read the new one.
    if (fd !== undefined) fs.closeSync(fd);
    fd = undefined;
    partial = '';
    open(true);
    drain();
  };
  open(false);
  const watcher = fs.watch(dir, () => check());
  const timer = setInterval(check, 1000);
  try {
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    watcher.close();
    clearInterval(timer);
    if (fd !== undefined) fs.closeSync(fd);
  }
}
