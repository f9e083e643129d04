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

/**
 * Bytes of the regular files under `dirs` (lstat sizes; missing folders count as 0). Async: a
 * large folder must not block the host's event loop while it is measured.
 */
export async function folderBytes(dirs: readonly string[]): Promise<number> {
  let total = 0;
  let budget = MAX_ENTRIES;
  const stack = [...dirs];
  while (stack.length > 0 && budget > 0) {
    const dir = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      continue; // gone or unreadable meanwhile: nothing to count there
    }
    for (const entry of entries.slice(0, Math.max(0, budget))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile()) total += await fileSize(full);
    }
    budget -= entries.length;
  }
  return total;
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await fs.promises.lstat(file)).size;
  } catch {
    return 0; // removed between the listing and the stat
  }
}

/**
 * Calls `onOver` once when the folders have grown by more than `capBytes` since the baseline
 * (measured right after the call). Each measurement starts `intervalMs` after the previous one
 * ended, so they never overlap. Returns a function that stops watching.
 */
export function watchDisk(
  dirs: readonly string[],
  capBytes: number,
  intervalMs: number,
  onOver: (grownBytes: number) => void,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const next = (start: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void folderBytes(dirs).then((bytes) => {
        if (stopped) return;
        if (bytes - start > capBytes) onOver(bytes - start);
        else next(start);
      });
    }, intervalMs);
    timer.unref();
  };
  void folderBytes(dirs).then(next);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
