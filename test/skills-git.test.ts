/**
 * The skill system against real git in temp repositories holding the real shipped skills:
 * add/remove/re-add, idempotence, dirty-tree and no-git refusal, byte-identical removal, two
 * skills in either order, a core update merged over an applied skill, an update to a newer
 * version, and settings written to .env without echoing secrets.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { skillsCommand } from '../src/cli/skills.js';
import type { CliContext } from '../src/cli/index.js';
import { commitAdd, prepareAdd, removeSkill } from '../src/skills/apply.js';
import { APP_ROOT } from './support/cli.js';

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A repo with a small core and the real skills/ of this checkout, committed. */
function repo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-skills-'));
  dirs.push(dir);
  fs.cpSync(path.join(APP_ROOT, 'skills'), path.join(dir, 'skills'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'core.ts'), 'export const core = 1;\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'core');
  return dir;
}

const tree = (dir: string) => git(dir, 'rev-parse', 'HEAD^{tree}');
const add = (dir: string, name: string) => commitAdd(dir, prepareAdd(dir, name));

function cli(dir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const ctx: CliContext = {
    argv: ['skills', ...args],
    env: { NANOCLAW_HOME: path.join(dir, '.home'), ...env },
    appRoot: dir,
    stdin: new PassThrough(),
    stdout,
    stderr: new PassThrough(),
  };
  return skillsCommand(args, ctx).then(
    (code) => ({ code, out }),
    (error: Error) => ({ code: -1, out: error.message }),
  );
}

describe('skills add/remove (real git)', () => {
  it('adds as one commit naming skill and version; remove restores the tree exactly', () => {
    const dir = repo();
    const before = tree(dir);
    const sha = add(dir, 'pdf-reader');
    expect(git(dir, 'log', '-1', '--format=%s')).toBe('skill: add pdf-reader 1.0.0');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(sha);
    expect(fs.existsSync(path.join(dir, 'container/skills/pdf-reader/pdf-text.sh'))).toBe(true);
    expect(
      fs.statSync(path.join(dir, 'container/skills/pdf-reader/pdf-text.sh')).mode & 0o111,
    ).not.toBe(0);
    removeSkill(dir, 'pdf-reader');
    expect(tree(dir)).toBe(before);
    expect(fs.existsSync(path.join(dir, 'container'))).toBe(false);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    // Re-add after remove works and is again one commit.
    add(dir, 'pdf-reader');
    expect(git(dir, 'log', '-1', '--format=%s')).toBe('skill: add pdf-reader 1.0.0');
  });

  it('is idempotent: a second add changes nothing', () => {
    const dir = repo();
    add(dir, 'dice');
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(add(dir, 'dice')).toBeUndefined();
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('applies two skills in either order to the same tree, and removes them in any order', () => {
    const a = repo();
    const b = repo();
    const start = tree(a);
    add(a, 'dice');
    add(a, 'pdf-reader');
    add(b, 'pdf-reader');
    add(b, 'dice');
    expect(tree(a)).toBe(tree(b));
    removeSkill(a, 'dice');
    removeSkill(a, 'pdf-reader');
    expect(tree(a)).toBe(start);
  });

  it('refuses a dirty tree, and a folder without git, saying what to do', async () => {
    const dir = repo();
    fs.appendFileSync(path.join(dir, 'src', 'core.ts'), '// edit\n');
    expect(() => prepareAdd(dir, 'dice')).toThrow(/uncommitted changes[\s\S]*git stash/);
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-nogit-'));
    dirs.push(plain);
    fs.cpSync(path.join(APP_ROOT, 'skills'), path.join(plain, 'skills'), { recursive: true });
    const result = await cli(plain, ['add', 'dice']);
    expect(result.code).toBe(-1);
    expect(result.out).toMatch(/not a git checkout[\s\S]*git init/);
  });

  it('merges a core update over an applied skill without conflicts, then removes cleanly', () => {
    const dir = repo();
    git(dir, 'branch', 'upstream');
    add(dir, 'pdf-reader');
    git(dir, 'checkout', '-q', 'upstream');
    fs.writeFileSync(path.join(dir, 'src', 'core.ts'), 'export const core = 2;\n');
    fs.writeFileSync(path.join(dir, 'src', 'more.ts'), 'export const more = 1;\n');
    git(dir, 'commit', '-qam', 'core update');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'core file');
    const upstream = tree(dir);
    git(dir, 'checkout', '-q', 'main');
    git(dir, 'merge', '-q', '--no-edit', 'upstream');
    expect(fs.readFileSync(path.join(dir, 'src', 'core.ts'), 'utf8')).toContain('core = 2');
    removeSkill(dir, 'pdf-reader');
    expect(tree(dir)).toBe(upstream);
  });

  it('updates to a newer version on top, dropping files the new version no longer has', () => {
    const dir = repo();
    add(dir, 'dice');
    const manifest = path.join(dir, 'skills/dice/manifest.json');
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
    fs.writeFileSync(manifest, JSON.stringify({ ...m, version: '1.1.0' }));
    fs.rmSync(path.join(dir, 'skills/dice/add/test'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'skills/dice/add/src/agent/tools/dice-extra.ts'),
      'export {};\n',
    );
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'dice 1.1.0 upstream');
    const afterUpstream = tree(dir);
    add(dir, 'dice');
    expect(git(dir, 'log', '-1', '--format=%s')).toBe('skill: update dice 1.1.0');
    expect(fs.existsSync(path.join(dir, 'test/skills/dice.test.ts'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'src/agent/tools/dice-extra.ts'))).toBe(true);
    removeSkill(dir, 'dice');
    // Removal of the updated skill deletes what 1.0.0 and 1.1.0 added, nothing else.
    const added = ['src/agent/tools/dice.ts', 'test/skills/dice.test.ts'];
    const core = git(dir, 'ls-tree', '-r', '--name-only', afterUpstream).split('\n');
    expect(git(dir, 'ls-files').split('\n')).toEqual(core.filter((f) => !added.includes(f)));
  });

  it('refuses a skill that would overwrite a core file', () => {
    const dir = repo();
    fs.mkdirSync(path.join(dir, 'src/agent/tools'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src/agent/tools/dice.ts'), 'core\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'clash');
    expect(() => prepareAdd(dir, 'dice')).toThrow(/does not own: src\/agent\/tools\/dice.ts/);
  });
});

describe('nanoclaw skills (command)', () => {
  it('lists available skills with a line each and applied versions from history', async () => {
    const dir = repo();
    add(dir, 'dice');
    const { code, out } = await cli(dir, []);
    expect(code).toBe(0);
    expect(out).toMatch(/^dice\s+tool\s+1\.0\.0\s+applied 1\.0\.0/m);
    expect(out).toMatch(/^pdf-reader\s+container\s+1\.0\.0\s+not applied/m);
  });

  it('takes settings from --set with --yes, validates them, writes .env 0600, never echoes secrets', async () => {
    const dir = repo();
    fs.mkdirSync(path.join(dir, 'skills/secretive/add/docs'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'skills/secretive/add/docs/secretive.md'), 'x\n');
    const setting = {
      name: 'SECRETIVE_TOKEN',
      description: 'The token',
      secret: true,
      obtain: 'Ask the issuer for one.',
      pattern: '[0-9]+:[A-Za-z0-9_-]{10,}',
    };
    fs.writeFileSync(
      path.join(dir, 'skills/secretive/manifest.json'),
      JSON.stringify({
        name: 'secretive',
        kind: 'tool',
        version: '1.0.0',
        description: 'x',
        settings: [setting],
      }),
    );
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'fixture');
    const head = git(dir, 'rev-parse', 'HEAD');
    const missing = await cli(dir, ['add', 'secretive', '--yes']);
    expect(missing.out).toMatch(/SECRETIVE_TOKEN is missing: The token\. Ask the issuer/);
    const bad = await cli(dir, ['add', 'secretive', '--yes', '--set', 'SECRETIVE_TOKEN=nope']);
    expect(bad.out).toMatch(/SECRETIVE_TOKEN does not look right/);
    expect(bad.out).not.toContain('nope');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head); // nothing changed before settings were valid
    const token = '123456:ABCDEFGHIJKLmnop';
    const ok = await cli(dir, ['add', 'secretive', '--yes', '--set', `SECRETIVE_TOKEN=${token}`]);
    expect(ok.code).toBe(0);
    expect(ok.out).not.toContain(token);
    const envFile = path.join(dir, '.home', '.env');
    expect(fs.readFileSync(envFile, 'utf8')).toBe(`SECRETIVE_TOKEN=${token}\n`);
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    // Idempotent with the value kept in .env: nothing to ask, no commit.
    const again = await cli(dir, ['add', 'secretive', '--yes']);
    expect(again.out).toMatch(/already applied/);
  });
});
