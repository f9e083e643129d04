/**
 * `nanoclaw start`: runs the assistant until SIGINT/SIGTERM. Prints where the web chat is and
 * what the user still has to set; starts even without a model credential. A failed start has
 * already stopped what it started (startApp), so the error ends the process at once.
 */
import path from 'node:path';
import { startApp, webUrl } from '../app.js';
import { channelFactories } from '../channels/registry.js';
import { loadConfig } from '../config.js';
import { createLogger, isTty } from '../log.js';
import { noPositionals, parse } from './args.js';
import type { CliContext } from './index.js';

export const USAGE = `nanoclaw start
  Runs the assistant (web chat, channels, scheduler, sandboxes) until Ctrl-C.
  Settings come from the environment and $NANOCLAW_HOME/.env (see README.md).`;

export async function startCommand(args: string[], ctx: CliContext): Promise<number> {
  noPositionals(parse(args, {}, USAGE).positionals, USAGE);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const log = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    isTty: isTty(ctx.stderr),
    file: { path: path.join(config.paths.logs, 'nanoclaw.log') },
  });
  const app = await startApp(config, ctx.env, log, await channelFactories(ctx.appRoot));
  const url = webUrl(app.channels);
  ctx.stdout.write(`NanoClaw is running (sandbox: ${app.host.runtime.name}).\n`);
  if (url) ctx.stdout.write(`Open the chat: ${url}\n`);
  for (const problem of app.status().problems) ctx.stdout.write(`\nAction needed: ${problem}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  ctx.stdout.write('Stopping…\n');
  await app.stop();
  return 0;
}
