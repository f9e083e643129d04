/**
 * Host-side reads of agent-writable files, on a real filesystem: only regular files inside the
 * folder are read; symlinks (final or on the way), FIFOs, sockets, devices, `..`, hard links and
 * huge files are refused, and none of them can block the host (a blocking open hangs the test).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkRelativePath,
  createAgentFile,
  createAgentFileIn,
  ensureAgentDir,
  readAgentFile,
  refuseStat,
  UnsafeAgentFileError,
} from './agent-files.js';

const isRoot = process.getuid?.() === 0;

describe('reading files an agent could have planted', () => {
  let base: string;
  let root: string;
  let secret: string;

  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-files-'));
    root = path.join(base, 'group');
    fs.mkdirSync(path.join(root, 'notes'), { recursive: true });
    secret = path.join(base, 'host.env');
    fs.writeFileSync(secret, 'ANTHROPIC_API_KEY=sk-host-secret\n');
    fs.writeFileSync(path.join(root, 'notes', 'ok.md'), 'fine');
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  const refused = (rel: string, why: RegExp) => {
    expect(() => readAgentFile(root, rel, 1024)).toThrow(UnsafeAgentFileError);
    expect(() => readAgentFile(root, rel, 1024)).toThrow(why);
  };

  it('reads a regular file inside the folder; a missing one is undefined', () => {
    expect(readAgentFile(root, 'notes/ok.md', 1024)?.toString()).toBe('fine');
    expect(readAgentFile(root, 'notes/missing.md', 1024)).toBeUndefined();
  });

  it('refuses a symlink, even one pointing inside the folder', () => {
    fs.symlinkSync(secret, path.join(root, 'CLAUDE.md'));
    refused('CLAUDE.md', /is a symlink/);
    fs.symlinkSync(path.join(root, 'notes', 'ok.md'), path.join(root, 'inner'));
    refused('inner', /is a symlink/);
  });

  it('refuses a path through a symlinked directory, inside the folder or out of it', () => {
    fs.symlinkSync(base, path.join(root, 'up'));
    refused('up/host.env', /passes through a symlink \(up\)/);
    fs.symlinkSync(path.join(root, 'notes'), path.join(root, 'same'));
    refused('same/ok.md', /passes through a symlink/);
    refused('notes/ok.md/x', /passes through a regular file/);
  });

  it('refuses a FIFO without blocking, with or without a writer, and a symlink to one', () => {
    execFileSync('mkfifo', [path.join(root, 'CLAUDE.md')]);
    refused('CLAUDE.md', /is a FIFO \(named pipe\), not a regular file/);
    execFileSync('mkfifo', [path.join(base, 'outside-fifo')]);
    fs.symlinkSync(path.join(base, 'outside-fifo'), path.join(root, 'to-fifo'));
    refused('to-fifo', /is a symlink/);
    fs.symlinkSync(base, path.join(root, 'up'));
    refused('up/outside-fifo', /passes through a symlink/);
  });

  it('refuses a unix socket', async () => {
    const server = net.createServer();
    const socket = path.join(root, 'sock');
    await new Promise<void>((r) => server.listen(socket, () => r()));
    try {
      refused('sock', /is a socket/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it.runIf(isRoot)('refuses device nodes (a copy of /dev/null and of /dev/tty)', () => {
    execFileSync('mknod', [path.join(root, 'null'), 'c', '1', '3']);
    execFileSync('mknod', [path.join(root, 'tty'), 'c', '5', '0']);
    refused('null', /is a character device/);
    refused('tty', /is a character device/);
  });

  it('judges an opened file by its fstat alone (pure)', () => {
    const file = fs.statSync(path.join(root, 'notes', 'ok.md'));
    expect(refuseStat(file, 1024)).toBeUndefined();
    expect(refuseStat(file, 2)).toMatch(/larger than 2 bytes/);
    expect(refuseStat(fs.statSync(root), 1024)).toMatch(/is a directory/);
  });

  it('creates a file only where nothing is; never through a symlink, a FIFO or a symlinked folder', () => {
    expect(createAgentFile(root, 'new.md', 'hi', undefined)).toBe(true);
    expect(fs.readFileSync(path.join(root, 'new.md'), 'utf8')).toBe('hi');
    expect(createAgentFile(root, 'new.md', 'again', undefined)).toBe(false);
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
    expect(createAgentFile(root, 'fifo', 'x', undefined)).toBe(false);
    fs.symlinkSync(path.join(base, 'created-outside'), path.join(root, 'dangling'));
    expect(createAgentFile(root, 'dangling', 'x', undefined)).toBe(false);
    expect(fs.existsSync(path.join(base, 'created-outside'))).toBe(false);
    fs.symlinkSync(base, path.join(root, 'up'));
    expect(() => createAgentFile(root, 'up/new.md', 'x', undefined)).toThrow(/passes through/);
    expect(fs.existsSync(path.join(base, 'new.md'))).toBe(false);
  });

  it('makes a folder, but refuses one that is a planted symlink or file', () => {
    ensureAgentDir(path.join(base, 'made'), undefined);
    expect(fs.lstatSync(path.join(base, 'made')).isDirectory()).toBe(true);
    fs.symlinkSync(base, path.join(base, 'linked'));
    expect(() => ensureAgentDir(path.join(base, 'linked'), undefined)).toThrow(/is a symlink/);
    expect(() => ensureAgentDir(secret, undefined)).toThrow(/is a regular file, not a folder/);
  });

  it('refuses "..", absolute paths, hard links, directories and oversized files', () => {
    refused('../host.env', /leaves its folder/);
    refused('notes/../../host.env', /leaves its folder/);
    refused(secret, /not a relative path/);
    fs.linkSync(secret, path.join(root, 'hard'));
    refused('hard', /hard link/);
    refused('notes', /not a regular file/);
    fs.writeFileSync(path.join(root, 'big'), Buffer.alloc(2048));
    refused('big', /larger than 1024 bytes/);
  });

  it('checks relative paths without touching the disk (pure)', () => {
    expect(checkRelativePath('a/b.txt')).toBeUndefined();
    expect(checkRelativePath('')).toMatch(/not a relative path/);
    expect(checkRelativePath('.')).toMatch(/names no file/);
    expect(checkRelativePath('a\\..\\b')).toMatch(/leaves its folder/);
    expect(checkRelativePath('a\0b')).toMatch(/not a relative path/);
  });
});

describe('createAgentFileIn (the inbox writes)', () => {
  let base: string;
  let root: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-create-in-'));
    root = path.join(base, 'group');
    fs.mkdirSync(root);
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('makes the folders, writes the bytes, and gives a taken name a suffix', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    expect(createAgentFileIn(root, 'inbox/2026-01-01', 'm1-a.bin', bytes, undefined)).toBe(
      'inbox/2026-01-01/m1-a.bin',
    );
    expect(createAgentFileIn(root, 'inbox/2026-01-01', 'm1-a.bin', bytes, undefined)).toBe(
      'inbox/2026-01-01/m1-a-2.bin',
    );
    expect(fs.readFileSync(path.join(root, 'inbox/2026-01-01/m1-a.bin'))).toEqual(bytes);
    expect(fs.statSync(path.join(root, 'inbox')).mode & 0o777).toBe(0o700);
  });

  it('refuses a symlink at any level and never writes outside the folder', () => {
    const outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(outside, 'd'), { recursive: true });
    fs.symlinkSync(outside, path.join(root, 'inbox'));
    expect(() => createAgentFileIn(root, 'inbox/d', 'x.bin', Buffer.from('x'), undefined)).toThrow(
      /passes through a symlink \(inbox\)/,
    );
    fs.rmSync(path.join(root, 'inbox'));
    fs.mkdirSync(path.join(root, 'inbox'));
    fs.symlinkSync(path.join(outside, 'd'), path.join(root, 'inbox', 'd'));
    expect(() => createAgentFileIn(root, 'inbox/d', 'x.bin', Buffer.from('x'), undefined)).toThrow(
      /symlink/,
    );
    // A planted symlink with the file's own name is skipped, not written through.
    fs.rmSync(path.join(root, 'inbox', 'd'));
    fs.mkdirSync(path.join(root, 'inbox', 'd'));
    fs.symlinkSync(path.join(outside, 'x.bin'), path.join(root, 'inbox', 'd', 'x.bin'));
    expect(createAgentFileIn(root, 'inbox/d', 'x.bin', Buffer.from('x'), undefined)).toBe(
      'inbox/d/x-2.bin',
    );
    expect(fs.readdirSync(outside)).toEqual(['d']);
    expect(fs.readdirSync(path.join(outside, 'd'))).toEqual([]);
  });

  it('refuses names that are paths, hidden or ..', () => {
    for (const name of ['../x', '.bashrc', '..', 'a/b']) {
      expect(() => createAgentFileIn(root, 'inbox', name, Buffer.from('x'), undefined)).toThrow(
        UnsafeAgentFileError,
      );
    }
    expect(fs.existsSync(path.join(root, 'inbox'))).toBe(false);
  });
});
