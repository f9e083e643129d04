/** `nanoclaw backup [file]` and `nanoclaw restore <file>` (see src/ops/backup.ts, restore.ts). */
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { backup } from '../ops/backup.js';
import { restore } from '../ops/restore.js';
import { parse } from './args.js';
import type { CliContext } from './index.js';

export const BACKUP_USAGE =
  'nanoclaw backup [file] [--with-secrets]\n' +
  '  One archive (tar.gz, owner-only) of the database (a consistent copy, also while NanoClaw\n' +
  "  runs), the group folders, the sessions (each group's Claude home) and the mount allowlist.\n" +
  '  The default file is ./nanoclaw-backup-<date>.tar.gz. $NANOCLAW_HOME/.env (API keys, tokens)\n' +
  '  is left out unless --with-secrets: then anyone holding the archive holds your keys.';

export const RESTORE_USAGE =
  'nanoclaw restore <file> [--force]\n' +
  '  Restores a backup into NANOCLAW_HOME, which must be empty (no database, groups or sessions)\n' +
  '  and not in use by a running NanoClaw. --force REPLACES the database, groups and sessions\n' +
  '  there (and the allowlist and .env, if the backup has them) — what is there now is lost.';

const stamp = (d: Date) => d.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');

function interruptible(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return controller.signal;
}

export async function backupCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(
    args,
    { 'with-secrets': { type: 'boolean', default: false } },
    BACKUP_USAGE,
  );
  if (positionals.length > 1) throw new UserError(`Give at most one file.\nUsage: ${BACKUP_USAGE}`);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const now = new Date();
  const file = positionals[0] ?? `nanoclaw-backup-${stamp(now)}.tar.gz`;
  const result = await backup(config, file, {
    withSecrets: values['with-secrets'],
    signal: interruptible(),
    now,
  });
  const c = result.manifest.contents;
  const parts = [
    'database',
    ...(c.groups ? ['group folders'] : []),
    ...(c.sessions ? ['sessions'] : []),
    ...(c.mountAllowlist ? ['mount allowlist'] : []),
    ...(c.env ? ['.env (SECRETS: keep this file safe)'] : []),
  ];
  ctx.stdout.write(
    `Backed up ${config.home} to ${result.file} (${result.bytes} bytes): ${parts.join(', ')}.\n`,
  );
  if (!c.env)
    ctx.stdout.write('The .env (keys, tokens) is not in it; add --with-secrets to include it.\n');
  return 0;
}

export async function restoreCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(
    args,
    { force: { type: 'boolean', default: false } },
    RESTORE_USAGE,
  );
  const [file, extra] = positionals;
  if (!file || extra !== undefined)
    throw new UserError(`Give the backup file.\nUsage: ${RESTORE_USAGE}`);
  const config = loadConfig(ctx.env, ctx.appRoot);
  if (values.force) {
    ctx.stderr.write(`--force: replacing the database, groups and sessions in ${config.home}.\n`);
  }
  const { manifest, notes } = await restore(config, file, {
    force: values.force,
    signal: interruptible(),
  });
  ctx.stdout.write(
    `Restored the backup of ${manifest.home} made ${manifest.createdAt} (NanoClaw ${manifest.nanoclawVersion}) into ${config.home}.\n`,
  );
  for (const note of notes) ctx.stdout.write(`  ${note}\n`);
  ctx.stdout.write('Start it with: nanoclaw start\n');
  return 0;
}
