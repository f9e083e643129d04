/**
 * The one way the host touches a path an agent can write (its group folder, its Claude home,
 * main's global memory). The host runs with more rights than any sandbox and one event loop
 * for every group, so a planted entry must neither redirect it nor block it:
 * - every component is `lstat`ed first: a symlink anywhere on the way is refused;
 * - the file is then opened with O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, so a FIFO, a device or a
 *   terminal swapped in after the lstat cannot block the open or become the host's tty;
 * - the open fd is `fstat`ed: only the same regular file, with one link, of bounded size, whose
 *   real path (from /proc/self/fd) lies inside the folder, is read.
 * A planted `CLAUDE.md -> /root/.ssh/id_rsa` would otherwise make the host read the key for the
 * agent; a planted FIFO would hang the host in `open()`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { NanoClawError } from '../errors.js';

/** A path the host refused to touch on an agent's behalf; `rel` and `reason` say which and why. */
export class UnsafeAgentFileError extends NanoClawError {
  constructor(
    readonly rel: string,
    readonly reason: string,
    context: Record<string, unknown> = {},
  ) {
    super(`${rel} ${reason}`, { rel, reason, ...context });
  }
}

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = fs.constants;
/** Never blocks (FIFO, device), never follows the last component, never becomes our tty. */
const SAFE_OPEN = O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;

/** Pure: a relative path that cannot leave its folder by itself (no absolute, no `..`). */
export function checkRelativePath(rel: string): string | undefined {
  if (!rel || path.isAbsolute(rel) || rel.includes('\0')) return `"${rel}" is not a relative path`;
  const parts = rel.split(/[/\\]/);
  if (parts.some((p) => p === '..')) return `"${rel}" leaves its folder ("..")`;
  if (parts.every((p) => p === '' || p === '.')) return `"${rel}" names no file`;
  return undefined;
}

/** Pure: what kind of entry a stat describes, in words for a log line. */
export function describeKind(stat: fs.Stats): string {
  if (stat.isFile()) return 'a regular file';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isSymbolicLink()) return 'a symlink';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'of an unknown type';
}

/** Pure: why a file's stat makes it unfit to read (undefined: fit). */
export function refuseStat(stat: fs.Stats, maxBytes: number): string | undefined {
  if (!stat.isFile()) return `is ${describeKind(stat)}, not a regular file`;
  if (stat.nlink > 1) return 'is a hard link';
  if (stat.size > maxBytes) return `is larger than ${maxBytes} bytes`;
  return undefined;
}

/**
 * Checks every directory between `realRoot` and `rel`'s last component with lstat: each must be
 * a real directory. Returns the lstat of the last component (undefined when it is missing).
 */
function walkTo(realRoot: string, rel: string): fs.Stats | undefined {
  const parts = rel.split(/[/\\]/).filter((p) => p !== '' && p !== '.');
  let at = realRoot;
  for (const [i, part] of parts.entries()) {
    at = path.join(at, part);
    const stat = fs.lstatSync(at, { throwIfNoEntry: false });
    if (!stat) return undefined;
    if (i === parts.length - 1) return stat;
    if (!stat.isDirectory()) {
      throw new UnsafeAgentFileError(rel, `passes through ${describeKind(stat)} (${part})`);
    }
  }
  return undefined;
}

/** Linux: the path the kernel actually opened. Elsewhere undefined (realpath is used). */
function openedPath(fd: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined; // no procfs (macOS): the caller falls back to realpath
  }
}

/** The fd must be `expected` (same inode) and lie inside `realRoot`, else it is refused. */
function checkOpened(fd: number, expected: fs.Stats, realRoot: string, rel: string): fs.Stats {
  const stat = fs.fstatSync(fd);
  if (stat.ino !== expected.ino || stat.dev !== expected.dev) {
    throw new UnsafeAgentFileError(rel, 'was replaced while it was opened');
  }
  const opened = openedPath(fd) ?? fs.realpathSync(path.join(realRoot, rel));
  if (!opened.startsWith(realRoot + path.sep)) {
    throw new UnsafeAgentFileError(rel, 'leads outside its folder');
  }
  return stat;
}

function openError(error: unknown, rel: string): never {
  const code = (error as NodeJS.ErrnoException).code;
  // ELOOP: swapped for a symlink after the lstat; ENXIO: a socket or a FIFO without a writer.
  if (code === 'ELOOP') throw new UnsafeAgentFileError(rel, 'is a symlink');
  if (code === 'ENXIO') throw new UnsafeAgentFileError(rel, 'is a socket or device');
  throw error;
}

/**
 * Reads `rel` under `root` (bounded by `maxBytes`), or throws UnsafeAgentFileError saying why
 * not. Undefined when the file does not exist.
 */
export function readAgentFile(root: string, rel: string, maxBytes: number): Buffer | undefined {
  const problem = checkRelativePath(rel);
  if (problem) throw new UnsafeAgentFileError(rel, problem.replace(`"${rel}" `, ''));
  const realRoot = fs.realpathSync(root);
  const before = walkTo(realRoot, rel);
  if (!before) return undefined;
  const refused = refuseStat(before, maxBytes);
  if (refused) throw new UnsafeAgentFileError(rel, refused);
  let fd: number;
  try {
    fd = fs.openSync(path.join(realRoot, rel), O_RDONLY | SAFE_OPEN);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    openError(error, rel);
  }
  try {
    const stat = checkOpened(fd, before, realRoot, rel);
    const again = refuseStat(stat, maxBytes);
    if (again) throw new UnsafeAgentFileError(rel, again);
    return readUpTo(fd, stat.size);
  } finally {
    fs.closeSync(fd);
  }
}

function readUpTo(fd: number, size: number): Buffer {
  const buffer = Buffer.alloc(size);
  let filled = 0;
  while (filled < size) {
    const read = fs.readSync(fd, buffer, filled, size - filled, filled);
    if (read === 0) break; // shrunk meanwhile
    filled += read;
  }
  return buffer.subarray(0, filled);
}

/**
 * Creates `rel` under `root` with `content` unless something (anything) is there already; true
 * when created. O_EXCL never follows nor opens a planted entry; the owner is set on the open fd,
 * since a chown by path could be redirected by a swap.
 */
export function createAgentFile(
  root: string,
  rel: string,
  content: string | Buffer,
  owner: { uid: number; gid: number } | undefined,
): boolean {
  const problem = checkRelativePath(rel);
  if (problem) throw new UnsafeAgentFileError(rel, problem.replace(`"${rel}" `, ''));
  const realRoot = fs.realpathSync(root);
  if (walkTo(realRoot, rel)) return false;
  return createExclusive(path.join(realRoot, rel), rel, content, owner);
}

/** O_EXCL create of `file` with `content`; false when anything is there already. */
function createExclusive(
  file: string,
  rel: string,
  content: string | Buffer,
  owner: { uid: number; gid: number } | undefined,
): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | SAFE_OPEN, 0o640);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    openError(error, rel);
  }
  try {
    if (owner) fs.fchownSync(fd, owner.uid, owner.gid);
    writeAll(fd, typeof content === 'string' ? Buffer.from(content) : content);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done);
}

/**
 * Makes sure `dir` is a real directory (created 0700 if missing, owned by `owner` when given),
 * never a symlink or anything else planted in its place. Its parent is the host's own.
 */
export function ensureAgentDir(dir: string, owner: { uid: number; gid: number } | undefined) {
  const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (stat) {
    if (stat.isDirectory()) return;
    throw new UnsafeAgentFileError(path.basename(dir), `is ${describeKind(stat)}, not a folder`);
  }
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.mkdirSync(dir, { mode: 0o700 });
  if (!owner) return;
  const fd = fs.openSync(dir, O_RDONLY | fs.constants.O_DIRECTORY | SAFE_OPEN);
  try {
    fs.fchownSync(fd, owner.uid, owner.gid);
  } finally {
    fs.closeSync(fd);
  }
}

/** Linux: a path that names the open folder `fd` itself, whatever its path now leads to. */
function viaFd(fd: number, fallback: string): string {
  return fs.existsSync(`/proc/self/fd/${fd}`) ? `/proc/self/fd/${fd}` : fallback;
}

/** Opens (creating if missing, 0700, handed to `owner`) the folder `part` inside `parent`. */
function openSubdir(
  parent: string,
  part: string,
  rel: string,
  owner: { uid: number; gid: number } | undefined,
): number {
  const at = path.join(parent, part);
  let created = true;
  try {
    fs.mkdirSync(at, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    created = false;
  }
  let fd: number;
  try {
    fd = fs.openSync(at, O_RDONLY | fs.constants.O_DIRECTORY | SAFE_OPEN);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') {
      const kind = fs.lstatSync(at, { throwIfNoEntry: false });
      const what = kind ? describeKind(kind) : 'a non-folder';
      throw new UnsafeAgentFileError(rel, `passes through ${what} (${part})`);
    }
    openError(error, rel);
  }
  if (created && owner) fs.fchownSync(fd, owner.uid, owner.gid);
  return fd;
}

/** `name` or, when taken, `stem-2.ext`, `stem-3.ext`, … */
export function candidateName(name: string, attempt: number): string {
  if (attempt === 1) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}-${attempt}${name.slice(dot)}` : `${name}-${attempt}`;
}

const MAX_NAME_ATTEMPTS = 100;

/**
 * Creates a new file named `name` (one component) in the folder `dir` under `root`, making the
 * folders on the way; a taken name gets a suffix. Returns the path it created, relative to
 * `root`. Each folder is opened with O_NOFOLLOW and the next step goes through that open folder
 * (`/proc/self/fd/N/...`), so a folder swapped for a symlink meanwhile cannot redirect the
 * write; the file itself is created with O_EXCL and handed to `owner` by its fd.
 */
export function createAgentFileIn(
  root: string,
  dir: string,
  name: string,
  content: Buffer,
  owner: { uid: number; gid: number } | undefined,
): string {
  const problem = checkRelativePath(`${dir}/${name}`);
  if (problem || name.includes('/') || name.startsWith('.')) {
    throw new UnsafeAgentFileError(`${dir}/${name}`, problem ?? 'is not a plain file name');
  }
  const parts = dir.split('/').filter((p) => p !== '' && p !== '.');
  let fd = fs.openSync(fs.realpathSync(root), O_RDONLY | fs.constants.O_DIRECTORY | SAFE_OPEN);
  let fallback = fs.realpathSync(root);
  try {
    for (const part of parts) {
      const next = openSubdir(viaFd(fd, fallback), part, dir, owner);
      fs.closeSync(fd);
      fd = next;
      fallback = path.join(fallback, part);
    }
    for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
      const candidate = candidateName(name, attempt);
      const file = path.join(viaFd(fd, fallback), candidate);
      if (createExclusive(file, `${dir}/${candidate}`, content, owner)) {
        return [...parts, candidate].join('/');
      }
    }
    throw new UnsafeAgentFileError(`${dir}/${name}`, `is taken ${MAX_NAME_ATTEMPTS} times over`);
  } finally {
    fs.closeSync(fd);
  }
}
