/**
 * Applying and removing skills: each is one commit in the checkout. Add writes the skill's files
 * (and its deps file) and commits them; update does the same over the applied version; remove
 * deletes exactly the files the skill owns, so the tree is as it was before the add.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { openRepo, removeFile, type Git } from './git.js';
import { appliedSkills, commitMessage, type AppliedSkill } from './history.js';
import { availableSkillNames, loadSkill, type Skill } from './manifest.js';
import { compiledOutputs, planApply, type ApplyPlan } from './plan.js';

export interface SkillListing {
  name: string;
  kind: string;
  version: string;
  description: string;
  applied?: string;
}

/** Available skills (from skills/) and applied ones (from git history). */
export function listSkills(root: string, git: Pick<Git, 'skillCommits'>): SkillListing[] {
  const applied = appliedSkills(git.skillCommits());
  const rows: SkillListing[] = availableSkillNames(root).map((name) => {
    const { manifest } = loadSkill(root, name);
    const version = applied.get(name)?.version;
    return { ...pick(manifest), ...(version ? { applied: version } : {}) };
  });
  for (const [name, skill] of applied) {
    if (!rows.some((r) => r.name === name)) {
      rows.push({
        name,
        kind: '?',
        version: '-',
        description: '(no longer in skills/)',
        applied: skill.version,
      });
    }
  }
  return rows;
}

function pick(m: Skill['manifest']) {
  return { name: m.name, kind: m.kind, version: m.version, description: m.description };
}

export interface Prepared {
  git: Git;
  skill: Skill;
  plan: ApplyPlan;
}

/** Checks the checkout and decides what `skills add <name>` would do; changes nothing. */
export function prepareAdd(root: string, name: string, open = openRepo): Prepared {
  const git = open(root);
  const skill = loadSkill(root, name);
  const applied = appliedSkills(git.skillCommits()).get(name);
  const plan = planApply(skill, applied, git.trackedPaths());
  if ('refused' in plan) throw new UserError(plan.refused);
  return { git, skill, plan };
}

/** Carries out a prepared add or update as one commit; returns its sha (undefined: no-op). */
export function commitAdd(root: string, prepared: Prepared): string | undefined {
  const { plan, skill, git } = prepared;
  if (plan.action === 'noop') return undefined;
  for (const file of plan.delete) deleteWithOutputs(root, file);
  for (const [treePath, source] of plan.write) {
    const target = path.join(root, treePath);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if ('file' in source) fs.copyFileSync(source.file, target);
    else fs.writeFileSync(target, source.text);
  }
  const { name, version, description } = skill.manifest;
  return git.commit(
    [...plan.write.keys(), ...plan.delete],
    commitMessage(plan.action, name, version, description),
  );
}

/** Removes an applied skill as one commit; returns what was removed. */
export function removeSkill(root: string, name: string, open = openRepo): AppliedSkill {
  const git = open(root);
  const applied = appliedSkills(git.skillCommits()).get(name);
  if (!applied) {
    throw new UserError(`${name} is not applied (nanoclaw skills list shows what is).`);
  }
  for (const file of applied.files) deleteWithOutputs(root, file);
  const description = `Removes the files ${name} ${applied.version} added.`;
  git.commit(applied.files, commitMessage('remove', name, applied.version, description));
  return applied;
}

function deleteWithOutputs(root: string, file: string): void {
  removeFile(root, file);
  for (const output of compiledOutputs(file)) removeFile(root, output);
}
