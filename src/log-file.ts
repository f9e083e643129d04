/**
 * The host's log file: JSON lines in `$NANOCLAW_HOME/logs/nanoclaw.log`, owner-only (0600), at
 * most `maxBytes` per file and `files` files (`nanoclaw.log`, `.1`, `.2` …; the oldest goes).
 * Writes are synchronous like the stderr destination, so a crash loses no line. A file that
 * cannot be written is reported once through `onError` and then left alone: logging must never
 * stop the host.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface RotatingFileOptions {
  path: string;
  maxBytes: number;
  files: number;
  onError(message: string): void;
}

// The log file is never followed through a symlink (0 where the platform has no O_NOFOLLOW).
const OPEN_FLAGS =
  fs.constants.O_WRONLY |
  fs.constants.O_APPEND |
  fs.constants.O_CREAT |
  (fs.constants.O_NOFOLLOW ?? 0);

export class RotatingFile {
  private fd: number | undefined;
  private size = 0;
  private failed = false;

  constructor(private readonly options: RotatingFileOptions) {
    this.guard(() => {
      fs.mkdirSync(path.dirname(options.path), { recursive: true, mode: 0o700 });
      this.open();
    });
  }

  write(line: string): void {
    this.guard(() => {
      const bytes = Buffer.byteLength(line);
      if (this.size > 0 && this.size + bytes > this.options.maxBytes) this.rotate();
      if (this.fd === undefined) this.open();
      fs.writeSync(this.fd as number, line);
      this.size += bytes;
    });
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private guard(step: () => void): void {
    if (this.failed) return;
    try {
      step();
    } catch (error) {
      this.failed = true;
      this.options.onError(
        `log file ${this.options.path} cannot be written (${(error as Error).message}); ` +
          'logging to stderr only from now on',
      );
    }
  }

  private open(): void {
    const fd = fs.openSync(this.options.path, OPEN_FLAGS, 0o600);
    const stat = fs.fstatSync(fd);
    // An older file may have been created with a wider mode: logs stay the owner's.
    if ((stat.mode & 0o077) !== 0) fs.fchmodSync(fd, 0o600);
    this.fd = fd;
    this.size = stat.size;
  }

  /** nanoclaw.log.(n-1) → .n … nanoclaw.log → .1; with one file, the file starts over. */
  private rotate(): void {
    this.close();
    const base = this.options.path;
    for (let i = this.options.files - 1; i >= 1; i--) {
      const from = i === 1 ? base : `${base}.${i - 1}`;
      if (fs.existsSync(from)) fs.renameSync(from, `${base}.${i}`);
    }
    if (this.options.files <= 1) fs.truncateSync(base);
    this.open();
  }
}
