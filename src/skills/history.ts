/**
 * Pure: what git history says about applied skills. Every skill commit carries trailers
 * (`Nanoclaw-Skill`, `Nanoclaw-Skill-Version`, `Nanoclaw-Skill-Action`); the newest one per skill
 * decides whether it is applied and at which version. There is no state file that could drift.
 */

export type SkillAction = 'add' | 'update' | 'remove';

export const TRAILER = {
  skill: 'Nanoclaw-Skill',
  version: 'Nanoclaw-Skill-Version',
  action: 'Nanoclaw-Skill-Action',
} as const;

/** One skill commit as read from `git log` (newest first) with the files it touched. */
export interface SkillCommit {
  sha: string;
  skill: string;
  version: string;
  action: SkillAction;
  /** Paths the commit added or changed (A/M) and deleted (D). */
  changes: { status: 'A' | 'M' | 'D'; path: string }[];
}

export interface AppliedSkill {
  name: string;
  version: string;
  /** Every file the skill owns now (what `remove` deletes). */
  files: string[];
}

export function commitMessage(
  action: SkillAction,
  name: string,
  version: string,
  description: string,
): string {
  const verb = { add: 'add', update: 'update', remove: 'remove' }[action];
  return [
    `skill: ${verb} ${name} ${version}`,
    '',
    description,
    '',
    `${TRAILER.skill}: ${name}`,
    `${TRAILER.version}: ${version}`,
    `${TRAILER.action}: ${action}`,
    '',
  ].join('\n');
}

/** Reads our trailers from a commit message; undefined when it is not a skill commit. */
export function parseTrailers(
  message: string,
): Pick<SkillCommit, 'skill' | 'version' | 'action'> | undefined {
  const value = (key: string) => {
    const line = message.split('\n').findLast((l) => l.startsWith(`${key}: `));
    return line?.slice(key.length + 2).trim();
  };
  const skill = value(TRAILER.skill);
  const version = value(TRAILER.version);
  const action = value(TRAILER.action);
  if (!skill || !version) return undefined;
  if (action !== 'add' && action !== 'update' && action !== 'remove') return undefined;
  return { skill, version, action };
}

/**
 * The applied skills from skill commits, newest first. A skill is applied when its newest commit
 * is not a removal; it owns the files its add and later updates created and did not delete.
 */
export function appliedSkills(commits: readonly SkillCommit[]): Map<string, AppliedSkill> {
  const bySkill = new Map<string, SkillCommit[]>();
  for (const commit of commits) {
    const list = bySkill.get(commit.skill) ?? [];
    list.push(commit);
    bySkill.set(commit.skill, list);
  }
  const applied = new Map<string, AppliedSkill>();
  for (const [name, list] of bySkill) {
    const newest = list[0];
    if (!newest || newest.action === 'remove') continue;
    applied.set(name, { name, version: newest.version, files: ownedFiles(list) });
  }
  return new Map([...applied].sort(([a], [b]) => a.localeCompare(b)));
}

/** Replays the commits since the last add (oldest first): A/M own a file, D gives it up. */
function ownedFiles(newestFirst: readonly SkillCommit[]): string[] {
  const lastAdd = newestFirst.findIndex((c) => c.action === 'add');
  const since = (lastAdd === -1 ? newestFirst : newestFirst.slice(0, lastAdd + 1)).toReversed();
  const owned = new Set<string>();
  for (const commit of since) {
    for (const change of commit.changes) {
      if (change.status === 'D') owned.delete(change.path);
      else owned.add(change.path);
    }
  }
  return [...owned].sort();
}
