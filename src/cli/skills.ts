/**
 * `nanoclaw skills [list|add|remove]`: the skill system from the terminal. Applied skills are
 * read from git history; add and remove are one commit each (see src/skills/apply.ts).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { defaultHome, readDotenv } from '../config.js';
import { UserError } from '../errors.js';
import { commitAdd, listSkills, prepareAdd, removeSkill } from '../skills/apply.js';
import { openRepo } from '../skills/git.js';
import { parseSetFlags, resolveSettings, writeDotenv, type Prompter } from '../skills/settings.js';
import { parse } from './args.js';
import type { CliContext } from './index.js';

export const USAGE =
  'nanoclaw skills [list]\n' +
  '       nanoclaw skills add <name> [--yes] [--set NAME=value ...] [--no-install]\n' +
  '       nanoclaw skills remove <name>';

export async function skillsCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub = 'list', ...rest] = args;
  const { values, positionals } = parse(
    rest,
    {
      yes: { type: 'boolean', short: 'y', default: false },
      set: { type: 'string', multiple: true, default: [] },
      'no-install': { type: 'boolean', default: false },
    },
    USAGE,
  );
  const root = ctx.appRoot;
  if (sub === 'list') return list(root, ctx);
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new UserError(`Name one skill.\nUsage: ${USAGE}`);
  if (sub === 'remove') {
    const removed = removeSkill(root, name);
    ctx.stdout.write(
      `Removed ${name} ${removed.version} (${removed.files.length} files) in one commit; ` +
        'restart NanoClaw to drop it. Its settings stay in .env.\n',
    );
    return 0;
  }
  if (sub === 'add' || sub === 'update') {
    const flags = { yes: values.yes, set: values.set, install: !values['no-install'] };
    return add(root, name, flags, ctx);
  }
  throw new UserError(`Unknown subcommand "${sub}".\nUsage: ${USAGE}`);
}

function list(root: string, ctx: CliContext): number {
  // Listing works on a dirty tree too: only add and remove need a clean one.
  const rows = listSkills(root, openRepo(root, { allowDirty: true }));
  if (rows.length === 0) ctx.stdout.write('No skills in skills/.\n');
  for (const r of rows) {
    const state = r.applied ? `applied ${r.applied}` : 'not applied';
    ctx.stdout.write(
      `${r.name.padEnd(14)} ${r.kind.padEnd(11)} ${r.version.padEnd(8)} ${state.padEnd(16)} ${r.description}\n`,
    );
  }
  ctx.stdout.write('\nAdd one: nanoclaw skills add <name> (or /add-<name> in Claude Code).\n');
  return 0;
}

interface AddFlags {
  yes: boolean;
  set: string[];
  install: boolean;
}

async function add(root: string, name: string, flags: AddFlags, ctx: CliContext): Promise<number> {
  const prepared = prepareAdd(root, name);
  const { manifest } = prepared.skill;
  const envFile = path.join(path.resolve(defaultHome(ctx.env)), '.env');
  const interactive = !flags.yes && (ctx.stdin as { isTTY?: boolean }).isTTY === true;
  // Settings are checked before anything changes: a missing token leaves the tree as it was.
  const values = await resolveSettings(manifest.settings, {
    flags: parseSetFlags(flags.set),
    env: ctx.env,
    existing: readDotenv(envFile),
    ...(interactive ? { prompt: terminalPrompter(ctx) } : {}),
  });
  const sha = commitAdd(root, prepared);
  const { plan } = prepared;
  if (plan.action === 'noop') ctx.stdout.write(`${name} ${plan.version} is already applied.\n`);
  else {
    const what = plan.action === 'add' ? 'Added' : `Updated ${plan.from} →`;
    ctx.stdout.write(`${what} ${name} ${manifest.version} in commit ${sha?.slice(0, 10)}.\n`);
  }
  writeDotenv(envFile, values);
  for (const setting of manifest.settings) {
    if (!(setting.name in values)) continue;
    const shown = setting.secret ? '(secret, not shown)' : values[setting.name];
    ctx.stdout.write(`  ${setting.name} = ${shown} → ${envFile}\n`);
  }
  if (Object.keys(manifest.dependencies).length > 0 && flags.install) installDeps(root, ctx);
  ctx.stdout.write('Restart NanoClaw (npm start) to use it.\n');
  return 0;
}

/** npm dependencies of every applied skill, through the same script `npm start` runs. */
function installDeps(root: string, ctx: CliContext): void {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'skill-deps.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  ctx.stdout.write(result.stdout);
  if (result.status !== 0) {
    throw new UserError(
      `Installing the skill's npm dependencies failed:\n${result.stderr}\nThe skill is applied; ` +
        'fix the problem (network?) and run node scripts/skill-deps.mjs, or just npm start.',
    );
  }
}

export function terminalPrompter(ctx: CliContext): Prompter {
  return (question, secret) =>
    new Promise((resolve) => {
      let muted = false;
      const output = new Writable({
        write(chunk: Buffer, _encoding, done) {
          if (!muted) ctx.stdout.write(chunk);
          done();
        },
      });
      const rl = readline.createInterface({ input: ctx.stdin, output, terminal: true });
      rl.question(question, (answer) => {
        rl.close();
        if (secret) ctx.stdout.write('\n');
        resolve(answer);
      });
      muted = secret;
    });
}
