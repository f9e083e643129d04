/**
 * `nanoclaw restore`: a backup archive back into a data directory. Only into an empty one (no
 * database, no group or session folders) unless forced, and never while a host runs there. The
 * archive is listed and checked before anything is extracted (only the names a backup writes),
 * extracted into a private staging folder inside the home (same file system: moved, not copied),
 * its manifest parsed and its database checked; only then does anything in the home change.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Config } from '../config.js';
import { UserError, errorMessage } from '../errors.js';
import { findHost } from '../host-lock.js';
import { MIGRATIONS } from '../store/migrations.js';
import {
  ARCHIVE_DIRS,
  ARCHIVE_ENTRIES,
  BACKUP_FORMAT_VERSION,
  ManifestSchema,
  type Manifest,
} from './backup.js';
import { tar } from './tar.js';

const DB_FILES = ['nanoclaw.db', 'nanoclaw.db-wal', 'nanoclaw.db-shm'];

/** What in the home a restore would replace (empty: nothing). */
export function occupied(config: Config): string[] {
  const full = (name: string) => path.join(config.home, name);
  const nonEmptyDir = (d: string) => fs.existsSync(full(d)) && fs.readdirSync(full(d)).length > 0;
  return [...DB_FILES.filter((f) => fs.existsSync(full(f))), ...ARCHIVE_DIRS.filter(nonEmptyDir)];
}

/** Every member is one a backup writes: no absolute paths, no `..`, nothing else. */
export function checkMembers(members: readonly string[]): void {
  for (const raw of members) {
    const name = raw.replace(/\/$/, '');
    const parts = name.split('/');
    const known =
      ARCHIVE_ENTRIES.includes(name) ||
      (ARCHIVE_DIRS.includes(parts[0] ?? '') && !parts.includes('..'));
    if (!known || name.startsWith('/') || parts.includes('..')) {
      throw new UserError(
        `This archive holds "${raw}", which no NanoClaw backup writes: not restoring it.`,
      );
    }
  }
}

function readManifest(stage: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(path.join(stage, 'manifest.json'), 'utf8'));
  } catch (error) {
    throw new UserError(
      'The archive has no readable manifest.json: is it a NanoClaw backup?',
      {},
      { cause: error },
    );
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success)
    throw new UserError('The archive manifest is not a NanoClaw backup manifest.');
  const m = parsed.data;
  if (m.formatVersion > BACKUP_FORMAT_VERSION || m.schemaVersion > MIGRATIONS.length) {
    throw new UserError(
      `This backup was made by NanoClaw ${m.nanoclawVersion}, newer than this installation: update it (git pull) and restore again.`,
    );
  }
  return m;
}

function checkDatabase(file: string): void {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok')
      throw new UserError(`The database in the backup is damaged (${String(result)}).`);
  } finally {
    db.close();
  }
}

function guard(config: Config, force: boolean): void {
  if (findHost(config.home).running) {
    throw new UserError(
      `NanoClaw is running on ${config.home}: stop it first (nanoclaw service stop, or Ctrl-C), then restore.`,
    );
  }
  const taken = occupied(config);
  if (taken.length > 0 && !force) {
    throw new UserError(
      `${config.home} is not empty (${taken.join(', ')}): restore into an empty NANOCLAW_HOME, or add ` +
        '--force to REPLACE its database, groups and sessions with the backup (what is there now is lost).',
    );
  }
}

/** Moves the staged parts into the home (replacing with --force). */
function install(config: Config, stage: string, manifest: Manifest, force: boolean): string[] {
  const notes: string[] = [];
  for (const f of DB_FILES) fs.rmSync(path.join(config.home, f), { force: true });
  fs.renameSync(path.join(stage, 'nanoclaw.db'), config.paths.db);
  fs.chmodSync(config.paths.db, 0o600);
  for (const dir of ARCHIVE_DIRS) {
    if (!fs.existsSync(path.join(stage, dir))) continue;
    fs.rmSync(path.join(config.home, dir), { recursive: true, force: true });
    fs.renameSync(path.join(stage, dir), path.join(config.home, dir));
  }
  const staged = (n: string) => path.join(stage, n);
  if (manifest.contents.mountAllowlist && fs.existsSync(staged('mount-allowlist.json'))) {
    const to = config.mountAllowlist;
    if (fs.existsSync(to) && !force)
      notes.push(`kept the existing mount allowlist ${to} (use --force to replace it)`);
    else {
      fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
      fs.copyFileSync(staged('mount-allowlist.json'), to);
      notes.push(`mount allowlist written to ${to}`);
    }
  }
  if (manifest.contents.env && fs.existsSync(staged('env'))) {
    if (fs.existsSync(config.paths.env) && !force)
      notes.push(`kept the existing ${config.paths.env} (use --force to replace it)`);
    else {
      fs.copyFileSync(staged('env'), config.paths.env);
      fs.chmodSync(config.paths.env, 0o600);
      notes.push(`secrets and settings written to ${config.paths.env}`);
    }
  }
  return notes;
}

export async function restore(
  config: Config,
  file: string,
  options: { force: boolean; signal: AbortSignal },
): Promise<{ manifest: Manifest; notes: string[] }> {
  const archive = path.resolve(file);
  if (!fs.existsSync(archive)) throw new UserError(`No file ${archive}.`);
  guard(config, options.force);
  const members = (await tar(['-tzf', archive], { signal: options.signal }))
    .split('\n')
    .filter(Boolean);
  checkMembers(members);
  fs.mkdirSync(config.home, { recursive: true, mode: 0o711 });
  const stage = fs.mkdtempSync(path.join(config.home, '.restore-'));
  try {
    fs.chmodSync(stage, 0o700);
    await tar(['-xzf', archive, '-C', stage], { signal: options.signal });
    const manifest = readManifest(stage);
    if (!fs.existsSync(path.join(stage, 'nanoclaw.db')))
      throw new UserError('The archive has no database.');
    checkDatabase(path.join(stage, 'nanoclaw.db'));
    guard(config, options.force); // again: a host may have started meanwhile
    return { manifest, notes: install(config, stage, manifest, options.force) };
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`The restore failed: ${errorMessage(error)}`, {}, { cause: error });
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
