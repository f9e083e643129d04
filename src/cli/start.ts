/**
 * `nanoclaw start`: runs the assistant until SIGINT/SIGTERM. Prints where the web chat is and
 * what the user still has to set; starts even without a model credential. A failed start has
 * already stopped what it started (startApp), so the error ends the process at once.
 */
import { startApp, webUrl } from '../app.js';
import { CHANNEL_FACTORIES } from '../channels/registry.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import type { CliContext } from './index.js';

export async function startCommand(_args: string[], ctx: CliContext): Promise<number> {
  const config = loadConfig(ctx.env, ctx.appRoot);
  const log = createLogger({ level: config.logLevel });
  const app = await startApp(config, ctx.env, log, CHANNEL_FACTORIES);
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
