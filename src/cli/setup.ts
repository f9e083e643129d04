/**
 * `nanoclaw setup`: from a fresh clone to a working assistant, guided on a terminal or driven by
 * flags and the environment (--yes; --json for one JSON object per step event).
 */
import path from 'node:path';
import { defaultHome } from '../config.js';
import { setupOptions } from '../setup/options.js';
import { jsonProgress, textProgress } from '../setup/progress.js';
import { terminalAsker } from '../setup/prompt.js';
import { runSetup } from '../setup/run-setup.js';
import { noPositionals, parse } from './args.js';
import type { CliContext } from './index.js';

export const USAGE = `nanoclaw setup [--yes] [--json] [--change <step>[,<step>]]
         [--runtime auto|bwrap|docker|podman|apple] [--base-url <url>] [--model <id>]
         [--name <name>] [--tz <Area/City>] [--web-port <n>]
         [--channel web|<skill> [--set NAME=value ...]] [--allow <folder>[:rw]]
         [--service | --no-service] [--manager systemd|launchd|background] [--no-turn]
  Steps: environment, runtime, model, assistant, channel, mounts, service, turn (a real
  sandboxed turn that must answer). Done steps are kept unless a flag or --change asks.
  The model credential comes from the environment (ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN
  from \`claude setup-token\`, or ANTHROPIC_AUTH_TOKEN with --base-url), never from a flag,
  or is asked for (hidden) on a terminal. Settings go to $NANOCLAW_HOME/.env (0600).
  Without a terminal, or with --yes/--json, nothing is asked: flags, environment, defaults.`;

const FLAGS = {
  yes: { type: 'boolean', short: 'y' },
  json: { type: 'boolean' },
  change: { type: 'string', multiple: true },
  runtime: { type: 'string' },
  'base-url': { type: 'string' },
  model: { type: 'string' },
  name: { type: 'string' },
  tz: { type: 'string' },
  'web-port': { type: 'string' },
  channel: { type: 'string' },
  set: { type: 'string', multiple: true },
  allow: { type: 'string' },
  service: { type: 'boolean' },
  'no-service': { type: 'boolean' },
  manager: { type: 'string' },
  'no-turn': { type: 'boolean' },
} as const;

export async function setupCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(args, FLAGS, USAGE);
  noPositionals(positionals, USAGE);
  const options = setupOptions(values);
  const interactive =
    !options.yes && !options.json && (ctx.stdin as { isTTY?: boolean }).isTTY === true;
  const write = (text: string) => ctx.stdout.write(text);
  const envFile = path.join(path.resolve(defaultHome(ctx.env)), '.env');
  if (!options.json) {
    write(`NanoClaw setup (settings: ${envFile})${interactive ? '' : ', non-interactive'}\n`);
  }
  const ok = await runSetup(
    {
      cli: ctx,
      options,
      envFile,
      ask: interactive ? terminalAsker(ctx) : undefined,
      progress: () => {},
      signal: AbortSignal.timeout(60 * 60_000),
      state: { changed: false },
    },
    options.json ? jsonProgress(write) : textProgress(write),
  );
  return ok ? 0 : 1;
}
