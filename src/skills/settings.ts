/**
 * A skill's settings: taken from flags or the environment, kept from `$NANOCLAW_HOME/.env`,
 * or asked for on a terminal; validated against the manifest's pattern; written to the .env
 * (0600). Secret values are never printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Setting } from './manifest.js';

/** Asks one question; `secret` answers are not echoed. */
export type Prompter = (question: string, secret: boolean) => Promise<string>;

export interface SettingSources {
  /** `--set NAME=value` flags. */
  flags: Record<string, string>;
  env: NodeJS.ProcessEnv;
  /** What the .env already holds. */
  existing: Record<string, string>;
  /** Present only on an interactive terminal without --yes. */
  prompt?: Prompter;
}

/** Pure: why `value` is not valid for `setting`, or undefined. Never includes the value. */
export function settingProblem(setting: Setting, value: string): string | undefined {
  if (/[\r\n]/.test(value)) return `${setting.name} must be one line`;
  if (new RegExp(`^(?:${setting.pattern})$`).test(value)) return undefined;
  return `${setting.name} does not look right (expected /${setting.pattern}/). ${setting.obtain}`;
}

/** Parses `--set NAME=value` flags. */
export function parseSetFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UserError(`--set needs NAME=value, got "${flag.split('=')[0]}"`);
    out[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return out;
}

/**
 * The values to write (new or changed only). A value already in the .env that is valid is kept.
 * Throws a UserError listing every missing or invalid setting and how to obtain it.
 */
export async function resolveSettings(
  settings: readonly Setting[],
  sources: SettingSources,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const setting of settings) {
    const given = sources.flags[setting.name] ?? sources.env[setting.name];
    if (given !== undefined) {
      const problem = settingProblem(setting, given);
      if (problem) problems.push(problem);
      else if (sources.existing[setting.name] !== given) out[setting.name] = given;
      continue;
    }
    const kept = sources.existing[setting.name];
    if (kept !== undefined && !settingProblem(setting, kept)) continue;
    if (sources.prompt) {
      out[setting.name] = await ask(setting, sources.prompt);
    } else if (setting.default !== undefined) {
      out[setting.name] = setting.default;
    } else if (setting.required) {
      problems.push(`${setting.name} is missing: ${setting.description}. ${setting.obtain}`);
    }
  }
  if (problems.length > 0) {
    throw new UserError(
      `${problems.map((p) => `  ${p}`).join('\n')}\nPass settings as --set NAME=value (or in the ` +
        'environment) with --yes, or run on a terminal to be asked.',
    );
  }
  return out;
}

async function ask(setting: Setting, prompt: Prompter): Promise<string> {
  const hint = setting.default !== undefined ? ` [${setting.default}]` : '';
  const question = `${setting.name}: ${setting.description}\n  ${setting.obtain}\n  ${setting.name}${hint}: `;
  for (let attempt = 0; attempt < 3; attempt++) {
    const answer = (await prompt(question, setting.secret)).trim() || setting.default || '';
    if (!answer && !setting.required) return '';
    const problem = settingProblem(setting, answer);
    if (!problem) return answer;
    await prompt(`  ${problem}\n  (press Enter to try again) `, false);
  }
  throw new UserError(
    `${setting.name} was not set after three tries; nothing was changed in .env.`,
  );
}

/** Pure: the .env text with `values` set (existing lines replaced in place, new ones appended). */
export function updateDotenvText(text: string, values: Record<string, string>): string {
  const remaining = new Map(Object.entries(values));
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const updated = lines.map((line) => {
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (!key || !remaining.has(key)) return line;
    const value = remaining.get(key) ?? '';
    remaining.delete(key);
    return `${key}=${quote(value)}`;
  });
  for (const [key, value] of remaining) updated.push(`${key}=${quote(value)}`);
  return `${updated.join('\n')}\n`;
}

function quote(value: string): string {
  if (/^[^\s'"#]*$/.test(value)) return value;
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}

/** Writes the .env with mode 0600 (it holds secrets), replacing it atomically. */
export function writeDotenv(file: string, values: Record<string, string>): void {
  if (Object.keys(values).length === 0) return;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, updateDotenvText(current, values), { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}
