/**
 * Checks of what NanoClaw keeps: the mount allowlist (parses), the data directory's permissions
 * (the .env and the database owner-only, the folders not writable by others), the database's
 * integrity (on a read-only connection, safe beside a running host) and the free disk space.
 * The permission and space verdicts are pure over stat results.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { loadAllowlist } from '../security/mounts.js';
import { fail, pass, skip, warn, type CheckResult } from './check.js';

export function checkAllowlist(config: Config): CheckResult {
  const title = 'Mount allowlist';
  const file = config.mountAllowlist;
  if (!fs.existsSync(file)) {
    return skip('allowlist', title, `none at ${file}: no extra mounts are allowed (that is fine)`);
  }
  const loaded = loadAllowlist(file);
  if (!loaded.ok) {
    return fail(
      'allowlist',
      title,
      loaded.problem,
      `Correct ${file} (see docs/SECURITY.md for the format), or delete it to allow no extra mounts.`,
    );
  }
  const roots = loaded.allowlist.roots.map((r) => `${r.path}${r.allowReadWrite ? ' (rw)' : ''}`);
  return pass('allowlist', title, `${file}: ${roots.join(', ') || 'no existing roots'}`);
}

export interface ModeFact {
  path: string;
  kind: 'file' | 'dir';
  /** Permission bits, e.g. 0o600. */
  mode: number;
  uid: number;
  /** Whether it holds secrets or state (owner-only) or is a folder others pass through. */
  secret: boolean;
}

/** Pure: the problems with the data directory's modes, each with its fix. */
export function modeProblems(
  facts: readonly ModeFact[],
  ownUid: number,
): { problem: string; fix: string }[] {
  const out: { problem: string; fix: string }[] = [];
  for (const f of facts) {
    const octal = (f.mode & 0o777).toString(8).padStart(3, '0');
    if (f.uid !== ownUid) {
      out.push({ problem: `${f.path} belongs to uid ${f.uid}`, fix: `chown ${ownUid} ${f.path}` });
    } else if (f.secret && (f.mode & 0o077) !== 0) {
      out.push({
        problem: `${f.path} is ${octal} (readable by others)`,
        fix: `chmod 600 ${f.path}`,
      });
    } else if (!f.secret && (f.mode & 0o022) !== 0) {
      out.push({
        problem: `${f.path} is ${octal} (writable by others)`,
        fix: `chmod 711 ${f.path}`,
      });
    }
  }
  return out;
}

function fact(path: string, secret: boolean): ModeFact | undefined {
  try {
    const st = fs.statSync(path);
    return { path, kind: st.isDirectory() ? 'dir' : 'file', mode: st.mode, uid: st.uid, secret };
  } catch {
    return undefined; // not there yet: nothing to check
  }
}

export function checkDataDir(config: Config): CheckResult {
  const title = 'Data directory';
  if (!fs.existsSync(config.home)) {
    return warn(
      'datadir',
      title,
      `${config.home} does not exist yet`,
      'nanoclaw setup (or npm start) creates it.',
    );
  }
  const { paths } = config;
  const facts = [
    fact(config.home, false),
    fact(paths.groups, false),
    fact(paths.sessions, false),
    fact(paths.env, true),
    fact(paths.db, true),
    fact(`${paths.db}-wal`, true),
    fact(`${paths.db}-shm`, true),
    fact(paths.logs, false),
  ].filter((f): f is ModeFact => f !== undefined);
  const problems = modeProblems(facts, process.getuid?.() ?? 0);
  if (problems.length === 0)
    return pass('datadir', title, `${config.home}: owner-only where it matters`);
  return fail(
    'datadir',
    title,
    problems.map((p) => p.problem).join('; '),
    problems.map((p) => p.fix).join(' && '),
  );
}

/** PRAGMA quick_check on a read-only connection: never blocks or changes a running host's file. */
export function checkDatabase(config: Config): CheckResult {
  const title = 'Database';
  const file = config.paths.db;
  if (!fs.existsSync(file)) return skip('database', title, `${file} does not exist yet`);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const verdict = rows.map((r) => r.quick_check);
    const version = Number(db.pragma('user_version', { simple: true }));
    if (verdict.length === 1 && verdict[0] === 'ok') {
      return pass('database', title, `${file}: quick_check ok (schema ${version})`);
    }
    return fail(
      'database',
      title,
      `${file} is damaged: ${verdict.slice(0, 3).join('; ')}`,
      'Stop NanoClaw and restore a backup (nanoclaw restore <file>); keep the damaged file aside for inspection.',
    );
  } catch (error) {
    return fail(
      'database',
      title,
      `${file} cannot be read: ${errorMessage(error)}`,
      'Check the file is a NanoClaw database and owned by you; otherwise restore a backup.',
    );
  } finally {
    db?.close();
  }
}

const MB = 1024 * 1024;

/** Pure: the verdict on free space in the data directory's file system. */
export function diskVerdict(freeBytes: number, where: string): CheckResult {
  const title = 'Disk space';
  const free = `${Math.round(freeBytes / MB)} MB free at ${where}`;
  const fix = 'Free some space (old group files, logs, docker images) or move NANOCLAW_HOME.';
  if (freeBytes < 512 * MB) return fail('disk', title, free, fix);
  if (freeBytes < 2048 * MB) return warn('disk', title, free, fix);
  return pass('disk', title, free);
}

export function checkDisk(config: Config): CheckResult {
  let where = config.home;
  while (!fs.existsSync(where)) where = `${where}/..`;
  const st = fs.statfsSync(where);
  return diskVerdict(st.bavail * st.bsize, fs.realpathSync(where));
}
