/**
 * Host-side reads of files an agent can write (its group folder; main's global memory). The
 * host runs with more rights than any sandbox, so such a file is read only if it really is a
 * regular file inside the folder: no symlink (at any level), no `..`, no hard link, bounded size.
 * Otherwise a planted `CLAUDE.md -> /root/.ssh/id_rsa` would make the host read the key for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { NanoClawError } from '../errors.js';

/** A file the host refused to read on an agent's behalf; the message says why. */
export class UnsafeAgentFileError extends NanoClawError {}

/** Pure: a relative path that cannot leave its folder by itself (no absolute, no `..`). */
export function checkRelativePath(rel: string): string | undefined {
  if (!rel || path.isAbsolute(rel) || rel.includes('\0')) return `"${rel}" is not a relative path`;
  const parts = rel.split(/[/\\]/);
  if (parts.some((p) => p === '..')) return `"${rel}" leaves its folder ("..")`;
  if (parts.every((p) => p === '' || p === '.')) return `"${rel}" names no file`;
  return undefined;
}

/**
 * Opens `rel` under `root` for reading and returns its content, or throws UnsafeAgentFileError.
 * Returns undefined when the file does not exist. The final component is opened with O_NOFOLLOW;
 * the opened file's real path (from /proc/self/fd) must lie inside the real root, which also
 * catches a symlinked directory on the way and a swap between check and open.
 */
export function readAgentFile(root: string, rel: string, maxBytes: number): Buffer | undefined {
  const problem = checkRelativePath(rel);
  if (problem) throw new UnsafeAgentFileError(problem, { root });
  const realRoot = fs.realpathSync(root);
  let fd: number;
  try {
    fd = fs.openSync(path.join(realRoot, rel), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // ELOOP: the file itself is a symlink.
    if (code === 'ELOOP') throw new UnsafeAgentFileError(`${rel} is a symlink`, { root });
    throw error;
  }
  try {
    const opened = openedPath(fd) ?? fs.realpathSync(path.join(realRoot, rel));
    if (!opened.startsWith(realRoot + path.sep)) {
      throw new UnsafeAgentFileError(`${rel} leads outside its folder`, { root });
    }
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new UnsafeAgentFileError(`${rel} is not a regular file`, { root });
    if (stat.nlink > 1) throw new UnsafeAgentFileError(`${rel} is a hard link`, { root });
    if (stat.size > maxBytes) {
      throw new UnsafeAgentFileError(`${rel} is larger than ${maxBytes} bytes`, { root });
    }
    const buffer = Buffer.alloc(stat.size);
    const read = fs.readSync(fd, buffer, 0, stat.size, 0);
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

/** Linux: the path the kernel actually opened. Elsewhere undefined (realpath is used). */
function openedPath(fd: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined; // no procfs (macOS): the caller falls back to realpath
  }
}
