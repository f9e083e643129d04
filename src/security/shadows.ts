/**
 * What to hide inside a mounted directory: entries whose names match the blocked patterns (a
 * project's `.env`, a `credentials` file, an `.aws` folder ...) are covered, in the sandbox, by
 * an empty file or an empty read-only directory. The walk is bounded (depth, entry count) and
 * skips `node_modules` and `.git`; symlinks are not followed (what they point to is only
 * visible if it is mounted itself, and then it is walked there).
 */
import fs from 'node:fs';
import path from 'node:path';
import { matchesBlocked } from './mounts.js';

export interface Shadow {
  /** Path relative to the mount root. */
  rel: string;
  kind: 'file' | 'dir';
}

const SKIP = new Set(['node_modules', '.git']);
const MAX_DEPTH = 4;
const MAX_ENTRIES = 20_000;

/**
 * Blocked entries under `root` (relative paths), plus `alsoHide` (absolute paths, hidden when
 * they lie inside root: say the data directory inside the project).
 */
export function findShadows(
  root: string,
  blocked: readonly string[],
  alsoHide: readonly string[] = [],
): Shadow[] {
  const shadows: Shadow[] = [];
  for (const hidden of alsoHide) {
    const rel = path.relative(root, hidden);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel) && isDir(hidden)) {
      shadows.push({ rel, kind: 'dir' });
    }
  }
  const skipped = new Set(shadows.map((s) => s.rel));
  let budget = MAX_ENTRIES;
  const walk = (rel: string, depth: number) => {
    for (const entry of readDir(path.join(root, rel))) {
      if (--budget < 0) return;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (skipped.has(child)) continue;
      const kind = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : undefined;
      if (!kind) continue; // symlinks, sockets, devices: nothing to cover
      if (matchesBlocked(entry.name, blocked)) shadows.push({ rel: child, kind });
      else if (kind === 'dir' && depth < MAX_DEPTH && !SKIP.has(entry.name)) walk(child, depth + 1);
    }
  };
  walk('', 1);
  return shadows;
}

function readDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // unreadable: the sandbox user cannot read it either
  }
}

function isDir(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
