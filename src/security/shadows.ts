/**
 * What to hide inside a mounted directory: entries whose names match the blocked patterns (a
 * project's `.env`, a `credentials` file, an `.aws` folder ...) are covered, in the sandbox, by
 * an empty file or an empty read-only directory.
 *
 * The scan fails closed: an agent with a read-write mount can move a covered folder anywhere in
 * it before the next run, so nothing is skipped (`node_modules` and `.git` included) and there
 * is no depth limit. The scan is bounded by an entry budget instead, and a scan that cannot
 * finish (over budget, an unreadable folder) is reported incomplete: the caller refuses the
 * mount. Symlinks are not followed (what they point to is only visible if it is mounted itself,
 * and then it is scanned there); nothing but directories is ever opened.
 */
import fs from 'node:fs';
import path from 'node:path';
import { matchesBlocked } from './mounts.js';

export interface Shadow {
  /** Path relative to the mount root. */
  rel: string;
  kind: 'file' | 'dir';
}

export type ShadowScan =
  { complete: true; shadows: Shadow[] } | { complete: false; reason: string };

export interface ShadowScanOptions {
  /** Entries the scan may visit (MOUNT_SCAN_MAX_ENTRIES); more makes the scan incomplete. */
  maxEntries: number;
  /** Absolute paths hidden as a whole when they lie inside root (say the data directory). */
  alsoHide?: readonly string[];
}

/** Pure: the covers for one directory's entries; folders not covered are returned to descend. */
export function coverEntries(
  rel: string,
  entries: readonly fs.Dirent[],
  blocked: readonly string[],
  hidden: ReadonlySet<string>,
): { shadows: Shadow[]; descend: string[] } {
  const shadows: Shadow[] = [];
  const descend: string[] = [];
  for (const entry of entries) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (hidden.has(child)) continue;
    const kind = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : undefined;
    if (!kind) continue; // symlinks, sockets, devices: nothing to cover
    if (matchesBlocked(entry.name, blocked)) shadows.push({ rel: child, kind });
    else if (kind === 'dir') descend.push(child);
  }
  return { shadows, descend };
}

/** Blocked entries under `root` (relative paths), or why the scan could not finish. */
export function findShadows(
  root: string,
  blocked: readonly string[],
  options: ShadowScanOptions,
): ShadowScan {
  const shadows = hiddenInside(root, options.alsoHide ?? []);
  const hidden = new Set(shadows.map((s) => s.rel));
  const budget = { left: options.maxEntries, max: options.maxEntries };
  const stack = [''];
  while (stack.length > 0) {
    const rel = stack.pop() as string;
    const listed = readDir(path.join(root, rel), budget);
    if (typeof listed === 'string') return { complete: false, reason: listed };
    const found = coverEntries(rel, listed, blocked, hidden);
    shadows.push(...found.shadows);
    stack.push(...found.descend);
  }
  return { complete: true, shadows };
}

function hiddenInside(root: string, alsoHide: readonly string[]): Shadow[] {
  const shadows: Shadow[] = [];
  for (const hidden of alsoHide) {
    const rel = path.relative(root, hidden);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel) && isDir(hidden)) {
      shadows.push({ rel, kind: 'dir' });
    }
  }
  return shadows;
}

/**
 * A directory's entries, read one by one against the budget (a folder of millions of entries is
 * never listed whole); a string says why the scan cannot finish.
 */
function readDir(dir: string, budget: { left: number; max: number }): fs.Dirent[] | string {
  let handle: fs.Dir;
  try {
    handle = fs.opendirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Gone or replaced meanwhile: nothing is there to cover.
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    return `${dir} cannot be read (${code})`;
  }
  try {
    const entries: fs.Dirent[] = [];
    for (let entry = handle.readSync(); entry; entry = handle.readSync()) {
      if (--budget.left < 0) return `it has more than ${budget.max} entries`;
      entries.push(entry);
    }
    return entries;
  } finally {
    handle.closeSync();
  }
}

function isDir(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
