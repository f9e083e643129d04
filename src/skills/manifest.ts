/**
 * A skill's machine-readable manifest (`skills/<name>/manifest.json`) and the files it adds
 * (`skills/<name>/add/<path in the tree>`). One zod schema; anything unexpected is refused with
 * a message naming the skill, the field and what is wrong.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';

export const SKILL_KINDS = ['channel', 'tool', 'container', 'operational'] as const;

const NAME = /^[a-z][a-z0-9-]{0,39}$/;
/** Exact versions only: a range would let two installs of the same skill differ. */
const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const NPM_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

const regex = z.string().refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false; // the refinement's message says what is wrong
    }
  },
  { message: 'is not a valid regular expression' },
);

export const SettingSchema = z.strictObject({
  name: z.string().regex(ENV_NAME, 'must be an environment variable name (A-Z, 0-9, _)'),
  description: z.string().min(1),
  secret: z.boolean(),
  /** How the user gets the value (e.g. "Talk to @BotFather, send /newbot"). */
  obtain: z.string().min(1),
  /** The whole value must match. */
  pattern: regex,
  required: z.boolean().default(true),
  default: z.string().optional(),
  /** A made-up value that passes `pattern`: shown in docs, used by scripts/skills-ci.mjs. */
  example: z.string().optional(),
});

export const ManifestSchema = z.strictObject({
  name: z.string().regex(NAME, 'must be lowercase letters, digits and - (at most 40)'),
  kind: z.enum(SKILL_KINDS),
  version: z.string().regex(EXACT_VERSION, 'must be an exact version like 1.2.3'),
  description: z
    .string()
    .min(1)
    .max(120)
    .refine((s) => !s.includes('\n'), 'must be one line'),
  dependencies: z
    .record(
      z.string().regex(NPM_NAME, 'is not an npm package name'),
      z.string().regex(EXACT_VERSION, 'must be pinned exactly (1.2.3, no ^ or ~)'),
    )
    .default({}),
  settings: z.array(SettingSchema).default([]),
  /** Test files (paths in the tree once applied) that prove the skill works. */
  tests: z.array(z.string().min(1)).default([]),
});

export type Setting = z.infer<typeof SettingSchema>;
export type Manifest = z.infer<typeof ManifestSchema>;

export interface Skill {
  manifest: Manifest;
  /** Files the skill adds: path in the tree (posix) → absolute source path. */
  files: Map<string, string>;
}

export const SKILLS_DIR = 'skills';
export const ADD_DIR = 'add';

/** Pure: validates parsed JSON; the error lists every problem. */
export function parseManifest(raw: unknown, where: string): Manifest {
  const parsed = ManifestSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map(
    (issue) => `  ${issue.path.join('.') || '(top level)'}: ${issue.message}`,
  );
  throw new UserError(`Invalid skill manifest ${where}:\n${lines.join('\n')}`);
}

/** Reads `skills/<name>/`: its manifest (whose name must match the folder) and its files. */
export function loadSkill(root: string, name: string): Skill {
  const dir = path.join(root, SKILLS_DIR, name);
  const file = path.join(dir, 'manifest.json');
  if (!NAME.test(name) || !fs.existsSync(file)) {
    const known = availableSkillNames(root);
    throw new UserError(
      `There is no skill "${name}". Available: ${known.join(', ') || 'none'} (nanoclaw skills list).`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`Cannot read ${file}: ${(error as Error).message}`, {}, { cause: error });
  }
  const manifest = parseManifest(raw, file);
  if (manifest.name !== name) {
    throw new UserError(`Invalid skill manifest ${file}: name "${manifest.name}" is not "${name}"`);
  }
  return { manifest, files: addedFiles(path.join(dir, ADD_DIR)) };
}

function addedFiles(addDir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!fs.existsSync(addDir)) return files;
  for (const entry of fs.readdirSync(addDir, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (entry.isSymbolicLink()) throw new UserError(`Skill files may not be symlinks: ${full}`);
    if (!entry.isFile()) continue;
    files.set(path.relative(addDir, full).split(path.sep).join('/'), full);
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

export function availableSkillNames(root: string): string[] {
  const dir = path.join(root, SKILLS_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'manifest.json')))
    .map((e) => e.name)
    .sort();
}

/** Pure: `1.10.0` > `1.9.2`; a pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const [core = '', pre] = v.split('-', 2);
    return { nums: core.split('.').map(Number), pre };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}
