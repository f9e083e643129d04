/**
 * The node binary the agent runner is started with: a copy of the host's node that nobody may
 * read (mode 0111). The kernel makes a process that execs an unreadable file non-dumpable, and a
 * non-dumpable process cannot be ptraced, have its memory (`/proc/<pid>/mem`) or its file
 * descriptors (`/proc/<pid>/fd`, `pidfd_getfd`) taken by other processes of the same uid without
 * CAP_SYS_PTRACE. So the agent's own tools, which run as the runner's uid, cannot take the
 * runner's socket to the host and forge protocol lines on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SandboxError } from '../errors.js';

const EXEC_ONLY = 0o111;

/** Whether `copy` is an exec-only copy of `source` made by this function (same size and mtime). */
function isCurrentCopy(copy: string, source: fs.Stats): boolean {
  const stat = fs.statSync(copy, { throwIfNoEntry: false });
  return (
    stat !== undefined &&
    stat.isFile() &&
    (stat.mode & 0o777) === EXEC_ONLY &&
    stat.size === source.size &&
    // utimes goes through floating-point seconds: equal within a millisecond.
    Math.abs(stat.mtimeMs - source.mtimeMs) < 1
  );
}

/**
 * Makes (or reuses) `<runDir>/runner-node`, an exec-only copy of `nodeBinary`, and returns its
 * path. Written beside and renamed into place, so a concurrent host never sees half a binary.
 */
export function prepareRunnerNode(runDir: string, nodeBinary: string): string {
  const copy = path.join(runDir, 'runner-node');
  const source = fs.statSync(nodeBinary);
  if (isCurrentCopy(copy, source)) return copy;
  const temp = `${copy}.${process.pid}.tmp`;
  try {
    fs.copyFileSync(nodeBinary, temp, fs.constants.COPYFILE_FICLONE);
    fs.utimesSync(temp, source.atimeMs / 1000, source.mtimeMs / 1000);
    fs.chmodSync(temp, EXEC_ONLY);
    fs.renameSync(temp, copy);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw new SandboxError(
      `Could not prepare the agent runner's node binary in ${runDir}: ${(error as Error).message}. ` +
        'Check that the data directory is writable and has space (about 100 MB).',
      { runDir },
      { cause: error },
    );
  }
  return copy;
}
