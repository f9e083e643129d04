/**
 * Container skills: a skill adds `container/skills/<name>/` (a SKILL.md with instructions, maybe
 * scripts). At every run start the host replaces the group's `~/.claude/skills/` with a fresh
 * copy of them, where the in-sandbox agent (settingSources 'user') finds them. The host owns that
 * folder: what the agent left there is removed, and a removed skill disappears at the next run.
 */
import fs from 'node:fs';
import path from 'node:path';

export function containerSkillsDir(appRoot: string): string {
  return path.join(appRoot, 'container', 'skills');
}

/**
 * Copies `source/<name>/` into `claudeHome/skills/<name>/`. The agent can write its Claude home,
 * so nothing there is followed: rmSync unlinks a planted symlink instead of entering it, mkdir
 * fails on anything in the way, and the copy refuses to overwrite or dereference.
 */
export function installContainerSkills(source: string, claudeHome: string): string[] {
  const target = path.join(claudeHome, 'skills');
  fs.rmSync(target, { recursive: true, force: true });
  const names = fs.existsSync(source)
    ? fs
        .readdirSync(source, { withFileTypes: true })
        .filter((e) => e.isDirectory() && fs.existsSync(path.join(source, e.name, 'SKILL.md')))
        .map((e) => e.name)
        .sort()
    : [];
  if (names.length === 0) return names;
  fs.mkdirSync(target, { mode: 0o755 });
  for (const name of names) {
    fs.cpSync(path.join(source, name), path.join(target, name), {
      recursive: true,
      dereference: false,
      verbatimSymlinks: true,
      errorOnExist: true,
      force: false,
    });
  }
  return names;
}
