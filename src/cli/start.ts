/**
 * `nanoclaw start`: runs the assistant until SIGINT/SIGTERM. Prints where the web chat is and
 * what the user still has to set; starts even without a model credential.
 */
import { startApp } from '../app.js';
import { channelFactories } from '../channels/registry.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import type { CliContext } from './index.js';

export async function startCommand(_args: string[], ctx: CliContext): Promise<number> {
  const config = loadConfig(ctx.env, ctx.appRoot);
  const log = createLogger({ level: config.logLevel });
  const app = await startApp(config, ctx.env, log, await channelFactories(ctx.appRoot));
  const web = app.channels.find((c) => c.name === 'web');
  const url = web && 'url' in web ? String(web.url) : undefined;
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
