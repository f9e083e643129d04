/**
 * `nanoclaw run [--group <folder>] <prompt>`: one agent turn in a fresh sandbox, no chat channel.
 * The answer streams to stdout; diagnostics and logs go to stderr; non-zero exit on failure.
 */
import { loadConfig, type Config } from '../config.js';
import { credentialProblems } from '../credentials.js';
import { UserError } from '../errors.js';
import type { HostApiHandlers } from '../gateway/types.js';
import { openStore, startHost, type Host } from '../host.js';
import { createLogger } from '../log.js';
import { runTurn } from '../runs/turn.js';
import { stripInternal } from '../runs/text.js';
import type { Group } from '../store/groups.js';
import { parse } from './args.js';
import type { CliContext } from './index.js';

const USAGE = 'nanoclaw run [--group <folder>] [--verbose] <prompt>';

export async function runCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(
    args,
    { group: { type: 'string', default: 'main' }, verbose: { type: 'boolean', default: false } },
    USAGE,
  );
  const prompt = positionals.join(' ').trim();
  if (!prompt) throw new UserError(`Give a prompt.\nUsage: ${USAGE}`);
  const config = loadConfig(ctx.env, ctx.appRoot);
  requireModelCredential(config, ctx.env);
  const log = createLogger({ level: values.verbose ? 'debug' : config.logLevel });
  const handlers: HostApiHandlers = {
    // No chat here: messages the agent sends go to stdout with the answer.
    async sendMessage(_context, body) {
      const text = stripInternal(body.text);
      if (text) ctx.stdout.write(`${text}\n`);
    },
  };
  const host = await startHost(
    config,
    log.child({ component: 'host' }),
    openStore(config),
    handlers,
  );
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const group = resolveGroup(host, values.group);
    return await answer(host, group, prompt, ctx, values.verbose, abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await host.close();
  }
}

async function answer(
  host: Host,
  group: Group,
  prompt: string,
  ctx: CliContext,
  verbose: boolean,
  signal: AbortSignal,
): Promise<number> {
  let last = '';
  try {
    const final = await runTurn(
      host,
      group,
      prompt,
      {
        text(text) {
          last = text;
          ctx.stdout.write(`${text}\n`);
        },
        tool(name, summary) {
          if (verbose) ctx.stderr.write(`[tool] ${name}: ${summary}\n`);
        },
      },
      signal,
    );
    if (final && final !== last) ctx.stdout.write(`${final}\n`);
    return 0;
  } catch (error) {
    ctx.stderr.write(`nanoclaw: the agent run failed: ${(error as Error).message}\n`);
    return 1;
  }
}

function resolveGroup(host: Host, folder: string): Group {
  if (folder === 'main') {
    return (
      host.groups.main() ??
      host.groups.ensure({ folder: 'main', name: 'Main', isMain: true }, new Date())
    );
  }
  const group = host.groups.get(folder);
  if (!group) {
    const known = host.groups.list().map((g) => g.folder);
    throw new UserError(
      `No group "${folder}". Known groups: ${known.join(', ') || '(none)'}.\n` +
        `Register it with: nanoclaw groups add ${folder}`,
    );
  }
  return group;
}

/** Fails early with the exact settings to set, instead of a model error deep in the run. */
export function requireModelCredential(config: Config, env: NodeJS.ProcessEnv): void {
  const [problem] = credentialProblems(config, env);
  if (problem) throw new UserError(problem);
}
