/**
 * `nanoclaw backup`: one archive (tar.gz, 0600) holding a consistent copy of the database
 * (SQLite's online backup, safe while the host writes), the group folders, the sessions (each
 * group's Claude home), the mount allowlist, and the .env only when asked, plus a manifest the
 * restore checks. Logs, sockets and the host lock are not part of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { Config } from '../config.js';
import { UserError, errorMessage } from '../errors.js';
import { version } from '../version.js';
import { tar } from './tar.js';

export const BACKUP_FORMAT = 'nanoclaw-backup';
export const BACKUP_FORMAT_VERSION = 1;

export const ManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.number().int(),
  nanoclawVersion: z.string(),
  schemaVersion: z.number().int().nonnegative(),
  createdAt: z.string(),
  home: z.string(),
  contents: z.object({
    groups: z.boolean(),
    sessions: z.boolean(),
    /** Where the allowlist was read from, when it was included. */
    mountAllowlist: z.string().nullable(),
    env: z.boolean(),
  }),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** The names an archive may hold (restore refuses anything else). */
export const ARCHIVE_ENTRIES = ['manifest.json', 'nanoclaw.db', 'mount-allowlist.json', 'env'];
export const ARCHIVE_DIRS = ['groups', 'sessions'];

export interface BackupResult {
  file: string;
  manifest: Manifest;
  bytes: number;
}

/** The database through SQLite's backup API: a consistent snapshot while the host runs. */
async function copyDatabase(config: Config, to: string): Promise<number> {
  const db = new Database(config.paths.db, { readonly: true, fileMustExist: true });
  try {
    await db.backup(to);
    return Number(db.pragma('user_version', { simple: true }));
  } finally {
    db.close();
  }
}

function stageExtras(config: Config, stage: string, withSecrets: boolean) {
  let allowlist: string | null = null;
  if (fs.existsSync(config.mountAllowlist)) {
    fs.copyFileSync(config.mountAllowlist, path.join(stage, 'mount-allowlist.json'));
    allowlist = config.mountAllowlist;
  }
  const env = withSecrets && fs.existsSync(config.paths.env);
  if (env) fs.copyFileSync(config.paths.env, path.join(stage, 'env'));
  return { allowlist, env };
}

export async function backup(
  config: Config,
  file: string,
  options: { withSecrets: boolean; signal: AbortSignal; now: Date },
): Promise<BackupResult> {
  if (!fs.existsSync(config.paths.db))
    throw new UserError(`Nothing to back up: ${config.paths.db} does not exist.`);
  const target = path.resolve(file);
  if (target === config.home || target.startsWith(`${config.home}${path.sep}`))
    throw new UserError(`Write the backup outside ${config.home} (it would contain itself).`);
  const stage = fs.mkdtempSync(path.join(config.home, '.backup-'));
  let fd: number | undefined;
  try {
    fs.chmodSync(stage, 0o700);
    const schemaVersion = await copyDatabase(config, path.join(stage, 'nanoclaw.db'));
    const extras = stageExtras(config, stage, options.withSecrets);
    const dirs = ARCHIVE_DIRS.filter((d) => fs.existsSync(path.join(config.home, d)));
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      nanoclawVersion: version(config.appRoot),
      schemaVersion,
      createdAt: options.now.toISOString(),
      home: config.home,
      contents: {
        groups: dirs.includes('groups'),
        sessions: dirs.includes('sessions'),
        mountAllowlist: extras.allowlist,
        env: extras.env,
      },
    };
    fs.writeFileSync(path.join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const staged = ARCHIVE_ENTRIES.filter((n) => fs.existsSync(path.join(stage, n)));
    // Owner-only from its first byte: it holds every conversation (and maybe the secrets).
    fd = fs.openSync(target, 'wx', 0o600);
    await tar(['-czf', '-', '-C', stage, ...staged, '-C', config.home, ...dirs], {
      signal: options.signal,
      stdoutFd: fd,
    });
    return { file: target, manifest, bytes: fs.fstatSync(fd).size };
  } catch (error) {
    if (fd !== undefined) fs.rmSync(target, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UserError(
        `${target} exists already: choose another file name.`,
        {},
        { cause: error },
      );
    if (error instanceof UserError) throw error;
    throw new UserError(`The backup failed: ${errorMessage(error)}`, {}, { cause: error });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
