/**
 * Every shipped skill is well-formed and is the /add-<name> skill Claude Code offers; the deps
 * installer (scripts/skill-deps.mjs) plans one pinned `npm install --no-save` for what is missing.
 * The installer is run with --dry-run: the shared node_modules must not change in tests.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableSkillNames, loadSkill } from '../src/skills/manifest.js';
import { settingProblem } from '../src/skills/settings.js';
import { APP_ROOT } from './support/cli.js';

describe('shipped skills', () => {
  const names = availableSkillNames(APP_ROOT);

  it('include a container skill and at least two in all', () => {
    const kinds = names.map((n) => loadSkill(APP_ROOT, n).manifest.kind);
    expect(kinds).toContain('container');
    expect(names.length).toBeGreaterThanOrEqual(2);
  });

  it.each(names)(
    '%s: manifest, files, tests, and .claude/skills/add-%s for Claude Code',
    (name) => {
      const { manifest, files } = loadSkill(APP_ROOT, name);
      for (const test of manifest.tests) expect(files.has(test)).toBe(true);
      for (const s of manifest.settings) {
        if (s.example !== undefined) expect(settingProblem(s, s.example)).toBeUndefined();
      }
      const claude = path.join(APP_ROOT, '.claude', 'skills', `add-${name}`, 'SKILL.md');
      const text = fs.readFileSync(claude, 'utf8');
      expect(fs.realpathSync(claude)).toBe(path.join(APP_ROOT, 'skills', name, 'SKILL.md'));
      expect(text).toMatch(new RegExp(`^---\\nname: add-${name}\\ndescription: .+\\n---\\n`));
    },
  );
});

describe('scripts/skill-deps.mjs', () => {
  const script = path.join(APP_ROOT, 'scripts', 'skill-deps.mjs');
  const run = (root: string) =>
    spawnSync(process.execPath, [script, '--dry-run', '--root', root], { encoding: 'utf8' });

  it('installs every applied skill’s missing pinned deps in one --no-save command', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-deps-'));
    try {
      expect(run(root).stdout).toBe(''); // no deps/: nothing to do
      fs.mkdirSync(path.join(root, 'deps'));
      const deps = (d: Record<string, string>) => JSON.stringify({ dependencies: d });
      fs.writeFileSync(path.join(root, 'deps', 'a.json'), deps({ grammy: '1.30.0' }));
      fs.writeFileSync(path.join(root, 'deps', 'b.json'), deps({ '@x/y': '2.0.0' }));
      expect(run(root).stdout).toBe(
        'Installing skill dependencies: npm install --no-save --no-audit --no-fund ' +
          '--ignore-scripts grammy@1.30.0 @x/y@2.0.0\n',
      );
      for (const [pkg, version] of [
        ['grammy', '1.30.0'],
        ['@x/y', '2.0.0'],
      ]) {
        fs.mkdirSync(path.join(root, 'node_modules', pkg as string), { recursive: true });
        fs.writeFileSync(
          path.join(root, 'node_modules', pkg as string, 'package.json'),
          JSON.stringify({ version }),
        );
      }
      expect(run(root).stdout).toBe(''); // all installed at the pinned versions
      fs.writeFileSync(path.join(root, 'deps', 'c.json'), deps({ grammy: '1.31.0' }));
      const clash = run(root);
      expect(clash.status).toBe(2);
      expect(clash.stderr).toMatch(/grammy: deps\/a.json wants 1.30.0, deps\/c.json 1.31.0/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
