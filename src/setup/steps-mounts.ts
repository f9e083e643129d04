/**
 * The mount allowlist step: explains what the allowlist is and, if you give one, adds a first
 * folder to it (read-only unless `:rw`). Optional: without it groups get no extra mounts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAllowlist } from '../security/mounts.js';
import { readSetupRecord, updateSetupRecord } from './record.js';
import {
  currentConfig,
  done,
  envDiffers,
  failed,
  fromEnv,
  skipped,
  writeSettings,
  type Step,
  type StepOutcome,
} from './step.js';

export const ALLOWLIST_EXPLAINED =
  'The mount allowlist lists the host folders a group may be given as extra mounts ' +
  '(nanoclaw mounts add); nothing outside it is ever mounted, and secrets such as .ssh or .env ' +
  'stay blocked inside allowed folders. It lives outside the project and the data directory ' +
  'and is never mounted itself.';

/** Pure: `~/projects:rw` → the path (with ~ expanded) and whether writes are allowed. */
export function parseAllowEntry(
  entry: string,
  home = os.homedir(),
): { path: string; readWrite: boolean } {
  const match = /^(.*?)(?::(rw|ro))?$/.exec(entry.trim());
  const raw = match?.[1] ?? entry;
  const expanded = raw === '~' || raw.startsWith('~/') ? path.join(home, raw.slice(1)) : raw;
  return { path: path.resolve(expanded), readWrite: match?.[2] === 'rw' };
}

/** Pure: the allowlist JSON with one root added (or its mode updated). */
export function addRoot(
  current: unknown,
  root: { path: string; readWrite: boolean },
): Record<string, unknown> {
  const base =
    typeof current === 'object' && current !== null ? (current as Record<string, unknown>) : {};
  const roots = Array.isArray(base.allowedRoots)
    ? (base.allowedRoots as Record<string, unknown>[])
    : [];
  const others = roots.filter((r) => r.path !== root.path);
  const entry = {
    path: root.path,
    allowReadWrite: root.readWrite,
    description: 'added by nanoclaw setup',
  };
  return { blockedPatterns: [], nonMainReadOnly: true, ...base, allowedRoots: [...others, entry] };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined; // missing or broken: a fresh allowlist replaces it only if it is missing
  }
}

export const mountsStep: Step = {
  id: 'mounts',
  title: 'Mount allowlist (optional)',
  async done(ctx) {
    const file = currentConfig(ctx).mountAllowlist;
    const loaded = loadAllowlist(file);
    if (!loaded.ok) return undefined;
    return `${file}: ${loaded.allowlist.roots.map((r) => r.path).join(', ') || 'no existing roots'}`;
  },
  requested: (ctx) =>
    ctx.options.allow !== undefined ||
    ctx.options.change.includes('mounts') ||
    envDiffers(ctx, 'NANOCLAW_MOUNT_ALLOWLIST'),
  async run(ctx): Promise<StepOutcome> {
    const given = fromEnv(ctx, 'NANOCLAW_MOUNT_ALLOWLIST');
    if (given) {
      writeSettings(ctx, [
        {
          key: 'NANOCLAW_MOUNT_ALLOWLIST',
          value: given,
          comment: 'Where the mount allowlist is (outside the project and data directory)',
        },
      ]);
    }
    const config = currentConfig(ctx);
    const file = config.mountAllowlist;
    ctx.progress(`${ALLOWLIST_EXPLAINED} File: ${file}`);
    const entry =
      ctx.options.allow ??
      (await ctx.ask?.text(
        'A folder the agent may be given, e.g. ~/projects (add :rw for writes; Enter to skip)',
      ));
    if (!entry)
      return skipped(
        'no folder allowed: groups get no extra mounts (later: nanoclaw setup --allow ~/projects)',
      );
    const root = parseAllowEntry(entry);
    if (!fs.existsSync(root.path) || !fs.statSync(root.path).isDirectory()) {
      return failed(`${root.path} is not a folder`, 'Give an existing folder: --allow <path>[:rw]');
    }
    const existed = fs.existsSync(file);
    const current = readJson(file);
    if (existed && current === undefined) {
      return failed(
        `${file} exists but is not valid JSON`,
        `Correct or delete ${file}, then run setup again.`,
      );
    }
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `${JSON.stringify(addRoot(current, root), null, 2)}\n`, { mode: 0o600 });
    const loaded = loadAllowlist(file);
    if (!loaded.ok)
      return failed(loaded.problem, `Correct ${file} (docs/SECURITY.md), then run setup again.`);
    if (!existed && !readSetupRecord(config.home).allowlistCreated)
      updateSetupRecord(config.home, { allowlistCreated: file });
    return done(
      `${root.path} (${root.readWrite ? 'read-write' : 'read-only'}) in ${file}; give it to a group with nanoclaw mounts add`,
    );
  },
};
