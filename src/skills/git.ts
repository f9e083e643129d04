/**
 * Thin git I/O for the skill system: every call is one git command; decisions live in
 * history.ts and plan.ts. Runs the user's git in the checkout, so their identity and hooks apply.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NanoClawError, UserError } from '../errors.js';
import { TRAILER, parseTrailers, type SkillCommit } from './history.js';

/** git failed in a way the user did not cause (the message carries git's stderr). */
export class GitError extends NanoClawError {}

export interface Git {
  skillCommits(): SkillCommit[];
  trackedPaths(): Set<string>;
  commit(paths: readonly string[], message: string): string;
  headTree(): string;
}

function run(cwd: string, args: string[], input?: string): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', input, maxBuffer: 64 << 20 });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    if (missing) {
      throw new UserError(
        'Skills are applied as git commits, but git is not installed. Install git ' +
          '(Debian/Ubuntu: sudo apt-get install git), then run this again.',
        {},
        { cause: result.error },
      );
    }
    throw new GitError(
      `git ${args[0]} failed: ${result.error.message}`,
      {},
      { cause: result.error },
    );
  }
  if (result.status !== 0) {
    throw new GitError(`git ${args.join(' ')} failed: ${result.stderr.trim()}`, { cwd });
  }
  return result.stdout;
}

/**
 * Opens the checkout at `root` for skill changes: it must be the top of a git work tree with no
 * uncommitted changes to tracked files (a skill commit would otherwise sweep them in).
 */
export function openRepo(root: string, options = { allowDirty: false }): Git {
  const top = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: root, encoding: 'utf8' });
  if (top.error || top.status !== 0) {
    if (top.error) run(root, ['--version']); // throws the "install git" message
    throw new UserError(
      `${root} is not a git checkout, and skills are applied as git commits. Clone NanoClaw ` +
        'with git (git clone …), or make this folder one: git init && git add -A && ' +
        'git commit -m "NanoClaw", then run this again.',
    );
  }
  if (fs.realpathSync(top.stdout.trim()) !== fs.realpathSync(root)) {
    throw new UserError(
      `NanoClaw at ${root} is inside another git repository (${top.stdout.trim()}); skills need ` +
        'NanoClaw to be its own checkout.',
    );
  }
  const dirty = run(root, ['status', '--porcelain', '--untracked-files=no']).trim();
  if (dirty && !options.allowDirty) {
    throw new UserError(
      `The checkout has uncommitted changes:\n${dirty}\nCommit them (git commit -am "…") or ` +
        'stash them (git stash), then run this again: a skill is applied as its own commit.',
    );
  }
  return gitAt(root);
}

function gitAt(root: string): Git {
  return {
    skillCommits: () => skillCommits(root),
    trackedPaths: () => new Set(run(root, ['ls-files', '-z']).split('\0').filter(Boolean)),
    commit: (paths, message) => commit(root, paths, message),
    headTree: () => run(root, ['rev-parse', 'HEAD^{tree}']).trim(),
  };
}

function skillCommits(root: string): SkillCommit[] {
  const log = run(root, [
    'log',
    '-z',
    '--topo-order',
    `--grep=^${TRAILER.skill}: `,
    '--format=%H%n%B',
  ]);
  const commits: SkillCommit[] = [];
  for (const record of log.split('\0').filter((r) => r.trim())) {
    const nl = record.indexOf('\n');
    const sha = record.slice(0, nl).trim();
    const trailers = parseTrailers(record.slice(nl + 1));
    if (trailers) commits.push({ sha, ...trailers, changes: changesOf(root, sha) });
  }
  return commits;
}

function changesOf(root: string, sha: string): SkillCommit['changes'] {
  const out = run(root, ['diff-tree', '-r', '-z', '--root', '--no-renames', '--name-status', sha]);
  // -z output without --no-commit-id starts with the sha; then alternating status and path.
  const fields = out.split('\0').filter(Boolean);
  const changes: SkillCommit['changes'] = [];
  for (let i = fields[0] === sha ? 1 : 0; i + 1 < fields.length; i += 2) {
    const status = fields[i]?.[0];
    const file = fields[i + 1] ?? '';
    if (status === 'A' || status === 'M' || status === 'D') changes.push({ status, path: file });
  }
  return changes;
}

/** Commits exactly `paths` (added, changed or deleted); returns the new commit's sha. */
function commit(root: string, paths: readonly string[], message: string): string {
  run(root, ['add', '-A', '--', ...paths]);
  const identity = spawnSync('git', ['var', 'GIT_COMMITTER_IDENT'], { cwd: root });
  // Without a configured identity git refuses to commit; name the change after NanoClaw.
  const who =
    identity.status === 0
      ? []
      : ['-c', 'user.name=NanoClaw', '-c', 'user.email=nanoclaw@localhost'];
  // The tree was clean (openRepo), so the index now holds exactly this change.
  run(root, [...who, 'commit', '-q', '--allow-empty', '-F', '-'], message);
  return run(root, ['rev-parse', 'HEAD']).trim();
}

/** Removes `file` and the folders it leaves empty, up to (not including) `root`. */
export function removeFile(root: string, file: string): void {
  const full = path.join(root, file);
  fs.rmSync(full, { force: true });
  for (let dir = path.dirname(full); dir.startsWith(root + path.sep); dir = path.dirname(dir)) {
    if (!fs.existsSync(dir) || fs.readdirSync(dir).length > 0) break;
    fs.rmdirSync(dir);
  }
}
