#!/usr/bin/env node
// CI for skills: clones this checkout's HEAD into a scratch folder, applies EVERY skill there with
// the real `nanoclaw skills add`, installs their npm dependencies, typechecks, lints and builds,
// runs the skills' tests and the test of all skills side by side (with --full: the whole suite),
// removes every skill with the real `nanoclaw skills remove` and checks the tree is
// byte-identical to the start.
//
//   node scripts/skills-ci.mjs [--full] [--keep]      (from .ci/run, after npm ci and the build)
//
// node_modules is a hard-linked copy of this checkout's (no second npm ci, and nothing installed
// there can touch this checkout's); skill dependencies are installed into it with --no-save.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Tests of the skills side by side (one group on every channel), kept in the core tree. */
const TOGETHER_TESTS = ['test/skills/together.test.ts'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const full = process.argv.includes('--full');
const keep = process.argv.includes('--keep');

function sh(cwd, command, args, env = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}${result.stderr}`);
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
  }
  process.stdout.write(`  ok  ${command} ${args.join(' ')} (${Date.now() - started} ms)\n`);
  return result.stdout;
}

function manifests(dir) {
  const skills = path.join(dir, 'skills');
  return fs
    .readdirSync(skills)
    .filter((name) => fs.existsSync(path.join(skills, name, 'manifest.json')))
    .sort()
    .map((name) => JSON.parse(fs.readFileSync(path.join(skills, name, 'manifest.json'), 'utf8')));
}

function main() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-skills-ci-'));
  // The CLI's data directory (the skills' settings) lies outside the clone: inside it, main's
  // sandbox would get it with the project, and a 0700 folder there cannot be shadowed.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-skills-ci-home-'));
  const env = { NANOCLAW_HOME: home };
  const cli = (...args) => sh(scratch, process.execPath, ['bin/nanoclaw.js', ...args], env);
  try {
    sh(root, 'git', ['clone', '-q', '--local', root, scratch]);
    // mkdtemp makes it 0700: the sandbox uid must pass through to dist/ and node_modules/.
    fs.chmodSync(scratch, 0o755);
    // A hard-linked copy, not a symlink: installing the skills' packages there must never
    // change (or, should npm replace the folder, delete) this checkout's node_modules.
    sh(root, 'cp', ['-al', path.join(root, 'node_modules'), path.join(scratch, 'node_modules')]);
    const tree = () => sh(scratch, 'git', ['rev-parse', 'HEAD^{tree}']).trim();
    const start = tree();
    // The CLI needs a build of the core: this checkout's (same HEAD in CI) saves a compile.
    if (fs.existsSync(path.join(root, 'dist', 'cli', 'index.js'))) {
      fs.cpSync(path.join(root, 'dist'), path.join(scratch, 'dist'), { recursive: true });
    } else sh(scratch, 'npx', ['tsc', '-p', 'tsconfig.build.json']);
    const skills = manifests(scratch);
    for (const skill of skills) {
      const sets = skill.settings
        .filter((s) => s.default === undefined && s.required !== false)
        .flatMap((s) => ['--set', `${s.name}=${s.example ?? ''}`]);
      cli('skills', 'add', skill.name, '--yes', '--no-install', ...sets);
    }
    sh(scratch, process.execPath, ['scripts/skill-deps.mjs']);
    sh(scratch, 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
    sh(scratch, 'npx', ['eslint', 'src', 'test']);
    sh(scratch, 'npx', ['tsc', '-p', 'tsconfig.build.json']);
    // Besides each manifest's tests, the ones that need several skills at once: they live in
    // the core tree (skipped there, saying why) and must run, not skip, with every skill applied.
    const tests = [...skills.flatMap((s) => s.tests), ...TOGETHER_TESTS];
    // --retry=1: the skills' tests against real servers (dovecot restarts) have been seen to
    // time out once under CI load; a test that fails twice still fails the run.
    sh(scratch, 'npx', ['vitest', 'run', '--retry=1', ...(full ? [] : tests)], {
      NANOCLAW_SKILLS_TOGETHER: 'required',
    });
    for (const skill of skills.toReversed()) cli('skills', 'remove', skill.name);
    const end = tree();
    const left = sh(scratch, 'git', ['status', '--porcelain', '--', '.', ':!node_modules']).trim();
    if (end !== start || left) {
      throw new Error(`tree after removing every skill differs (${start} → ${end})\n${left}`);
    }
    process.stdout.write(
      `skills-ci: ${skills.length} skills applied, tested, removed; tree identical.\n`,
    );
    return 0;
  } finally {
    if (keep) process.stdout.write(`scratch clone kept at ${scratch} (settings: ${home})\n`);
    else for (const dir of [scratch, home]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

try {
  process.exit(main());
} catch (error) {
  process.stderr.write(`skills-ci: ${error.message}\n`);
  process.exit(1);
}
