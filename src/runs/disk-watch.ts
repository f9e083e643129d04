/**
 * A cap on how much a run may write into its own folders (group folder, Claude home, and main's
 * global memory), which live on the host's disk: sandbox runtimes offer no quota there. The
 * folders are measured at the start and every few seconds; growth past the cap stops the run.
 * Symlinks are not followed; the walk is bounded, so a folder of millions of files is measured
 * only in part (its growth still shows in the part that is walked first).
 */
import fs from 'node:fs';
import path from 'node:path';

const MAX_ENTRIES = 200_000;

/** Bytes of the regular files under `dirs` (lstat sizes; missing folders count as 0). */
export function folderBytes(dirs: readonly string[]): number {
  let total = 0;
  let budget = MAX_ENTRIES;
  const stack = [...dirs];
  while (stack.length > 0 && budget > 0) {
    const dir = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // gone or unreadable meanwhile: nothing to count there
    }
    for (const entry of entries) {
      if (--budget < 0) break;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile()) total += fs.lstatSync(full, { throwIfNoEntry: false })?.size ?? 0;
    }
  }
  return total;
}

/**
 * Calls `onOver` once when the folders have grown by more than `capBytes` since the call.
 * Returns a function that stops watching.
 */
export function watchDisk(
  dirs: readonly string[],
  capBytes: number,
  intervalMs: number,
  onOver: (grownBytes: number) => void,
): () => void {
  const start = folderBytes(dirs);
  const timer = setInterval(() => {
    const grown = folderBytes(dirs) - start;
    if (grown <= capBytes) return;
    clearInterval(timer);
    onOver(grown);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
