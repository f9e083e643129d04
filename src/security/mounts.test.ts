/**
 * Mount allowlist decisions over real directories and symlinks in a temp dir: every path is
 * resolved before it is checked, so links and `..` cannot smuggle a blocked path in.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMount, loadAllowlist } from './mounts.js';

describe('mount allowlist', () => {
  let dir: string;
  let file: string;
  const p = (...parts: string[]) => path.join(dir, ...parts);
  const write = (value: unknown) =>
    fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  const check = (hostPath: string, opts: { rw?: boolean; main?: boolean; name?: string } = {}) =>
    checkMount(
      file,
      { hostPath, name: opts.name ?? 'x', readWrite: opts.rw ?? false },
      opts.main ?? false,
    );

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-mounts-'));
    file = p('config', 'mount-allowlist.json');
    for (const d of [
      'config',
      'home/projects/app',
      'home/.ssh',
      'home/.aws',
      'home/docs',
      'home/projects/app/.env.d',
      'other',
    ]) {
      fs.mkdirSync(p(d), { recursive: true });
    }
    fs.writeFileSync(p('home/.ssh/id_rsa'), 'KEY');
    fs.symlinkSync(p('home/.aws'), p('home/projects/aws-link'));
    fs.symlinkSync(p('other'), p('home/projects/outside-link'));
    write({
      allowedRoots: [
        { path: p('home/projects'), allowReadWrite: true },
        { path: p('home/docs'), allowReadWrite: false },
      ],
      blockedPatterns: ['secret-stuff'],
      nonMainReadOnly: true,
    });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('allows a directory inside an allowed root, read-only by default', () => {
    expect(check(p('home/projects/app'))).toMatchObject({
      allowed: true,
      mode: 'ro',
      hostPath: p('home/projects/app'),
    });
  });

  it('refuses ~/.ssh, a `..` route to it, and a symlink to ~/.aws (resolved first)', () => {
    expect(check(p('home/.ssh'))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('".ssh"'),
    });
    expect(check(`${p('home/projects')}/../.ssh`)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('".ssh"'),
    });
    expect(check(p('home/projects/aws-link'))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('".aws"'),
    });
    expect(check(p('home/projects/app/.env.d'))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('".env"'),
    });
    // The path's problem is named first, even when the name (here `.ssh`) is bad too.
    expect(check(p('home/.ssh'), { name: '.ssh' })).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('matches the blocked pattern ".ssh"'),
    });
  });

  it('refuses paths outside every root, also through a symlink inside a root', () => {
    expect(check(p('other'))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('not inside an allowed root'),
    });
    expect(check(p('home/projects/outside-link'))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('not inside'),
    });
    expect(check(p('home/projects/missing'))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('does not exist'),
    });
  });

  it('merges the file’s blocked patterns with the defaults', () => {
    fs.mkdirSync(p('home/projects/secret-stuff'), { recursive: true });
    expect(check(p('home/projects/secret-stuff'))).toMatchObject({ allowed: false });
  });

  it('refuses mount names that are absolute, empty or contain ..', () => {
    for (const name of ['/etc', '', '..', 'a/b', '../x']) {
      expect(check(p('home/projects/app'), { name })).toMatchObject({
        allowed: false,
        reason: expect.stringContaining('Mount name'),
      });
    }
  });

  it('is read-write only when every rule allows it', () => {
    expect(check(p('home/projects/app'), { rw: true, main: true })).toMatchObject({
      allowed: true,
      mode: 'rw',
    });
    expect(check(p('home/projects/app'), { rw: true, main: false })).toMatchObject({
      mode: 'ro',
      note: expect.stringContaining('nonMainReadOnly'),
    });
    expect(check(p('home/docs'), { rw: true, main: true })).toMatchObject({
      mode: 'ro',
      note: expect.stringContaining('does not allow writing'),
    });
  });

  it('missing or invalid allowlist → no extra mounts, with a message saying what and where', () => {
    const saved = fs.readFileSync(file, 'utf8');
    write('{ not json');
    expect(check(p('home/projects/app'))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('not valid JSON'),
    });
    write({ allowedRoots: [{ path: 42 }] });
    expect(check(p('home/projects/app'))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('allowedRoots.0.path'),
    });
    fs.rmSync(file);
    expect(loadAllowlist(file)).toMatchObject({
      ok: false,
      problem: expect.stringContaining(`No mount allowlist at ${file}`),
    });
    // Edits take effect at once: the file is read on every check.
    fs.writeFileSync(file, saved);
    expect(check(p('home/projects/app'))).toMatchObject({ allowed: true });
  });
});
