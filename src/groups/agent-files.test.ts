/**
 * Host-side reads of agent-writable files, on a real filesystem: only regular files inside the
 * folder are read; symlinks (final or on the way), `..`, hard links and huge files are refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkRelativePath, readAgentFile, UnsafeAgentFileError } from './agent-files.js';

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

  it('refuses a path through a symlinked directory that leaves the folder', () => {
    fs.symlinkSync(base, path.join(root, 'up'));
    refused('up/host.env', /leads outside its folder/);
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
