/**
 * Pure decisions: what applying or removing a skill changes in the tree. Skills only add files,
 * so a plan that would touch a file the skill does not own is refused.
 */
import { compareVersions, type Manifest, type Skill } from './manifest.js';
import type { AppliedSkill } from './history.js';

/** Applied skills' npm dependencies, one file each, installed by scripts/skill-deps.mjs. */
export const DEPS_DIR = 'deps';

export type ApplyPlan =
  | { action: 'noop'; version: string }
  | {
      action: 'add' | 'update';
      from?: string;
      /** Tree path → content source: a skill file path, or generated text. */
      write: Map<string, { file: string } | { text: string }>;
      delete: string[];
    };

export function depsFilePath(name: string): string {
  return `${DEPS_DIR}/${name}.json`;
}

/** The deps file's content, or undefined when the skill has no npm dependencies. */
export function depsFileText(manifest: Manifest): string | undefined {
  const deps = Object.entries(manifest.dependencies).sort(([a], [b]) => a.localeCompare(b));
  if (deps.length === 0) return undefined;
  const body = {
    skill: manifest.name,
    version: manifest.version,
    dependencies: Object.fromEntries(deps),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** Returns the plan, or a message saying why the skill cannot be applied. */
export function planApply(
  skill: Skill,
  applied: AppliedSkill | undefined,
  tracked: ReadonlySet<string>,
): ApplyPlan | { refused: string } {
  const { manifest } = skill;
  if (applied) {
    const order = compareVersions(manifest.version, applied.version);
    if (order === 0) return { action: 'noop', version: applied.version };
    if (order < 0) {
      return {
        refused:
          `${manifest.name} ${applied.version} is applied, newer than ${manifest.version} in ` +
          `skills/${manifest.name}/. Remove it first (nanoclaw skills remove ${manifest.name}) to go back.`,
      };
    }
  }
  const write = new Map<string, { file: string } | { text: string }>();
  for (const [treePath, file] of skill.files) write.set(treePath, { file });
  const deps = depsFileText(manifest);
  if (deps) write.set(depsFilePath(manifest.name), { text: deps });
  const owned = new Set(applied?.files ?? []);
  const clash = [...write.keys()].filter((p) => tracked.has(p) && !owned.has(p));
  if (clash.length > 0) {
    return {
      refused:
        `${manifest.name} would change files it does not own: ${clash.join(', ')}. Skills only ` +
        'add files; rename or remove those files, or fix the skill.',
    };
  }
  const gone = [...owned].filter((p) => !write.has(p));
  return applied
    ? { action: 'update', from: applied.version, write, delete: gone }
    : { action: 'add', write, delete: [] };
}

/**
 * Compiled outputs of a source file (`src/a/b.ts` → `dist/a/b.js` and its map), deleted with it:
 * the compiler never removes them, and a stale `dist/channels/<name>/` would still be loaded.
 */
export function compiledOutputs(treePath: string): string[] {
  const match = /^src\/(.+)\.ts$/.exec(treePath);
  if (!match || treePath.endsWith('.d.ts')) return [];
  return [`dist/${match[1]}.js`, `dist/${match[1]}.js.map`];
}
