/**
 * A cap on how much a run may write into its own folders (group folder, Claude home, and main's
 * global memory), which live on the host's disk: sandbox runtimes offer no quota there, and
 * filesystem quotas are not used (they need per-filesystem setup the host cannot assume). The
 * folders are measured at the start and every few seconds; growth past the cap stops the run.
 *
 * The agent controls what is in these folders, so the measure must not be exhaustible: each
 * folder has its own entry budget, and a folder that cannot be measured completely (more
 * entries than the budget, an unreadable directory) counts as over the cap. Each entry counts
 * its allocated blocks or its size, whichever is larger (preallocated and sparse files both
 * count), hard links once. Symlinks are not followed; nothing is opened but directories.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Measurement {
  bytes: number;
  /** Set when a folder could not be measured completely: which, and why. */
  unmeasurable?: { folder: string; reason: string };
}

/** Pure: the bytes an entry occupies (its blocks, or its apparent size when that is larger). */
export function entryBytes(stat: Pick<fs.Stats, 'size' | 'blocks' | 'isFile'>): number {
  const allocated = stat.blocks * 512;
  return stat.isFile() ? Math.max(stat.size, allocated) : allocated;
}

/** Measures one folder within `maxEntries`, or says why it cannot. */
async function measureFolder(
  root: string,
  maxEntries: number,
  seen: Set<string>,
  signal: AbortSignal | undefined,
): Promise<Measurement> {
  let bytes = 0;
  let entries = 0;
  const stack = [root];
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const dir = stack.pop() as string;
    let handle: fs.Dir;
    try {
      handle = await fs.promises.opendir(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Removed or replaced by a non-folder meanwhile: nothing (or the next measure) counts it.
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      return { bytes, unmeasurable: { folder: root, reason: `${dir} cannot be read (${code})` } };
    }
    // Leaving the loop early (return, throw) closes the directory handle.
    for await (const entry of handle) {
      signal?.throwIfAborted();
      if (++entries > maxEntries) {
        return { bytes, unmeasurable: { folder: root, reason: `more than ${maxEntries} entries` } };
      }
      const full = path.join(dir, entry.name);
      const stat = await lstatOrGone(full);
      if (stat === 'gone') continue;
      if (typeof stat === 'string') return { bytes, unmeasurable: { folder: root, reason: stat } };
      if (stat.isDirectory()) stack.push(full);
      else if (stat.nlink > 1) {
        const inode = `${stat.dev}:${stat.ino}`;
        if (seen.has(inode)) continue; // a hard link to what is already counted
        seen.add(inode);
      }
      bytes += entryBytes(stat);
    }
  }
  return { bytes };
}

/** The entry's lstat; 'gone' when removed meanwhile; otherwise why it cannot be measured. */
async function lstatOrGone(file: string): Promise<fs.Stats | string> {
  try {
    return await fs.promises.lstat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'gone' : `${file} cannot be examined (${code})`;
  }
}

/**
 * Bytes under `dirs` (missing folders count as 0), each folder within its own `maxEntries`.
 * Async: a large folder must not block the host's event loop while it is measured.
 */
export async function measureFolders(
  dirs: readonly string[],
  maxEntries: number,
  signal?: AbortSignal,
): Promise<Measurement> {
  let bytes = 0;
  const seen = new Set<string>();
  for (const dir of dirs) {
    const one = await measureFolder(dir, maxEntries, seen, signal);
    bytes += one.bytes;
    if (one.unmeasurable) return { bytes, unmeasurable: one.unmeasurable };
  }
  return { bytes };
}

export type DiskOver =
  { kind: 'grown'; bytes: number } | { kind: 'unmeasurable'; folder: string; reason: string };

export interface DiskWatchOptions {
  capBytes: number;
  /** Entry budget per folder (SANDBOX_DISK_SCAN_ENTRIES). */
  maxEntries: number;
  intervalMs: number;
  /** Each finished measurement (tests wait on it; the watch does not need it). */
  onMeasured?: (measurement: Measurement) => void;
}

/**
 * Calls `onOver` once when the folders have grown by more than `capBytes` since the baseline
 * (measured right after the call), or as soon as a measurement cannot finish. Each measurement
 * starts `intervalMs` after the previous one ended, so they never overlap. Returns a function
 * that stops watching (and the measurement under way).
 */
export function watchDisk(
  dirs: readonly string[],
  options: DiskWatchOptions,
  onOver: (over: DiskOver) => void,
): () => void {
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const measure = async (): Promise<Measurement> => {
    try {
      return await measureFolders(dirs, options.maxEntries, stop.signal);
    } catch (error) {
      // Fail closed: a measurement that broke counts as unmeasurable (unless we stopped it).
      return { bytes: 0, unmeasurable: { folder: dirs.join(', '), reason: String(error) } };
    }
  };
  const judge = (m: Measurement, start: number): boolean => {
    if (stop.signal.aborted) return true;
    options.onMeasured?.(m);
    if (m.unmeasurable) onOver({ kind: 'unmeasurable', ...m.unmeasurable });
    else if (m.bytes - start > options.capBytes) onOver({ kind: 'grown', bytes: m.bytes - start });
    else return false;
    return true;
  };
  const next = (start: number) => {
    timer = setTimeout(() => {
      void measure().then((m) => judge(m, start) || next(start));
    }, options.intervalMs);
    timer.unref();
  };
  void measure().then((m) => judge(m, m.bytes) || next(m.bytes));
  return () => {
    stop.abort();
    clearTimeout(timer);
  };
}
