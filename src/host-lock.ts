/**
 * One running host per data directory. `nanoclaw start` holds an exclusive SQLite lock on
 * `$NANOCLAW_HOME/host.lock` for its whole life; the OS drops that (fcntl) lock when the process
 * dies, so even `kill -9` leaves nothing stale behind. Node has no flock: SQLite's locking is the
 * portable way to an OS lock. Beside it, `host.json` (owner-only) says who holds the lock, since
 * when, and where its web chat listens: clients such as `nanoclaw chat` find *their* host there
 * instead of trusting whatever answers on WEB_PORT.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { NanoClawError, UserError, errorMessage } from './errors.js';

const RecordSchema = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  url: z.url().optional(),
});
export type HostRecord = z.infer<typeof RecordSchema>;

/** Another process holds the data directory. */
export class HostLockedError extends UserError {}

export interface HostLock {
  /** Records the web chat's address for clients. */
  publish(url: string): void;
  /** Drops the lock and the record (also done by the OS if the process dies). */
  release(): void;
}

export const lockPath = (home: string) => path.join(home, 'host.lock');
export const recordPath = (home: string) => path.join(home, 'host.json');

const isBusy = (error: unknown) =>
  error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_BUSY');

/**
 * Takes the data directory's lock or throws HostLockedError naming the holder. A short busy
 * wait covers a client's momentary probe (see findHost).
 */
export function acquireHostLock(home: string, now: Date): HostLock {
  const file = lockPath(home);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: 1000 });
    fs.chmodSync(file, 0o600);
    db.pragma('journal_mode = OFF'); // nothing is ever written: no journal file to leave behind
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db?.close();
    if (isBusy(error)) throw new HostLockedError(heldMessage(home, readHostRecord(home)));
    throw new NanoClawError(`Cannot lock ${file}: ${errorMessage(error)}`, {}, { cause: error });
  }
  const held = db;
  const record: HostRecord = { pid: process.pid, startedAt: now.toISOString() };
  writeRecord(home, record);
  return {
    publish(url) {
      writeRecord(home, { ...record, url });
    },
    release() {
      if (!held.open) return;
      if (readHostRecord(home)?.pid === process.pid) fs.rmSync(recordPath(home), { force: true });
      held.close();
    },
  };
}

function heldMessage(home: string, record: HostRecord | undefined): string {
  const who = record
    ? `process ${record.pid}, running since ${record.startedAt}`
    : 'another process';
  const stop = record ? ` (Ctrl-C in its terminal, or kill ${record.pid})` : '';
  return (
    `NanoClaw is already running on ${home} (${who}). ` +
    `Stop it first${stop}, or set NANOCLAW_HOME to another directory.`
  );
}

/** What `host.json` says; undefined when missing or not a record. */
export function readHostRecord(home: string): HostRecord | undefined {
  let text: string;
  try {
    text = fs.readFileSync(recordPath(home), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NanoClawError(
      `Cannot read ${recordPath(home)}: ${errorMessage(error)}`,
      {},
      {
        cause: error,
      },
    );
  }
  const parsed = RecordSchema.safeParse(parseJson(text));
  return parsed.success ? parsed.data : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // fails the schema: treated as no record
  }
}

/** Atomic and owner-only: a client never reads half a record. */
function writeRecord(home: string, record: HostRecord): void {
  const file = recordPath(home);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export type HostState = { running: false } | { running: true; record: HostRecord | undefined };

/**
 * Whether a host holds `home`'s lock, judged by the lock itself (a record left by a killed host
 * means nothing). The probe takes a shared lock for a moment and never waits.
 */
export function findHost(home: string): HostState {
  const file = lockPath(home);
  if (!fs.existsSync(file)) return { running: false };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: 0, readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return { running: false };
  } catch (error) {
    if (isBusy(error)) return { running: true, record: readHostRecord(home) };
    throw new NanoClawError(`Cannot check ${file}: ${errorMessage(error)}`, {}, { cause: error });
  } finally {
    db?.close();
  }
}
