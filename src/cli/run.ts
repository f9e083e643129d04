/**
 * `nanoclaw run [--group <folder>] <prompt>`: one agent turn in a fresh sandbox, no chat channel.
 * The answer streams to stdout; diagnostics and logs go to stderr; non-zero exit on failure.
 */
import { channelNames } from '../channels/registry.js';
import { loadConfig, type Config } from '../config.js';
import { credentialProblems } from '../credentials.js';
import { UserError } from '../errors.js';
import { ensureMainGroup } from '../app.js';
import type { Channel } from '../channels/channel.js';
import { EventBus } from '../conversation/bus.js';
import { Outbox } from '../conversation/outbox.js';
import { hostApiHandlers, type HostApiDeps } from '../host-api.js';
import type { PostDeps } from '../conversation/post.js';
import { TaskService } from '../scheduler/service.js';
import { openStore, startHost, type Host, type Store } from '../host.js';
import { createLogger, isTty } from '../log.js';
import { Delegations } from '../runs/delegate.js';
import { runTurn } from '../runs/turn.js';
import type { Group } from '../store/groups.js';
import { parse } from './args.js';
import type { CliContext } from './index.js';

export const USAGE = 'nanoclaw run [--group <folder>] [--verbose] <prompt>';

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
  const log = createLogger({
    level: values.verbose ? 'debug' : config.logLevel,
    format: config.logFormat,
    isTty: isTty(ctx.stderr),
  });
  const store = openStore(config);
  // The same host API as the running assistant (same authorization); messages the agent sends
  // are stored in their chat's history and delivered to stdout instead of a chat app.
  const outbox = new Outbox({
    messages: store.messages,
    channels: () => [stdoutChannel(ctx)],
    now: Date.now,
    timers: { setTimeout, clearTimeout },
    log,
    retryBaseMs: 1000,
    retryMaxDelayMs: 1000,
  });
  const post = {
    messages: store.messages,
    bus: new EventBus(),
    outbox,
    assistantName: config.assistantName,
    now: Date.now,
  };
  // Tools are called only by the run, which starts after the host exists.
  const handlers = cliHandlers(config, store, post, (c, b) => delegations.delegate(c, b));
  const host = await startHost(config, log.child({ component: 'host' }), store, handlers);
  const delegations = new Delegations(host);
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
    await outbox.close();
    await host.close();
  }
}

/** The same host API as the running assistant (tasks change the store; no live scheduler). */
function cliHandlers(
  config: Config,
  store: Store,
  post: PostDeps,
  delegate: NonNullable<HostApiDeps['delegate']>,
) {
  const tasks = new TaskService({
    tasks: store.tasks,
    groups: store.groups,
    timezone: config.timezone,
    now: Date.now,
    changed: () => {},
  });
  return hostApiHandlers({
    store,
    post,
    config,
    tasks,
    channels: channelNames(config.appRoot),
    delegate,
  });
}

function stdoutChannel(ctx: CliContext): Channel {
  return {
    name: 'stdout',
    ownsChat: () => true,
    start: async () => {},
    stop: async () => {},
    send: async (message) => {
      ctx.stdout.write(`${message.text}\n`);
    },
  };
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
  // The main group is the web chat's conversation, whichever command creates it first.
  if (folder === 'main') return ensureMainGroup(host);
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
