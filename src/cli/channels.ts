/**
 * `nanoclaw channels`: each channel of the running host and its connection state (connected,
 * reconnecting and why, failed and what to do), asked of the host of this NANOCLAW_HOME over its
 * control socket (src/control/protocol.ts says why not the web API).
 */
import { channelNames } from '../channels/registry.js';
import { loadConfig } from '../config.js';
import { ControlUnreachableError, requestStatus } from '../control/client.js';
import { findHost } from '../host-lock.js';
import { noPositionals, parse } from './args.js';
import type { CliContext } from './index.js';

export const USAGE =
  'nanoclaw channels [--json]\n' +
  '  Each channel of the running assistant and its state: connected, reconnecting (why),\n' +
  '  failed (and what to do). Channels come with channel skills (nanoclaw skills).';

export async function channelsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean', default: false } }, USAGE);
  noPositionals(positionals, USAGE);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const have = `Channels this installation has: ${channelNames(ctx.appRoot).join(', ')}.`;
  if (!findHost(config.home).running) {
    ctx.stderr.write(
      `NanoClaw is not running for ${config.home} (NANOCLAW_HOME) — start it with \`nanoclaw start\`.\n${have}\n`,
    );
    return 1;
  }
  try {
    const { channels } = await requestStatus(config.home);
    if (values.json) {
      for (const c of channels) ctx.stdout.write(`${JSON.stringify(c)}\n`);
      return 0;
    }
    for (const c of channels) ctx.stdout.write(`${c.name}\t${c.summary}\n`);
    return channels.some((c) => c.state === 'failed') ? 1 : 0;
  } catch (error) {
    if (!(error instanceof ControlUnreachableError)) throw error;
    ctx.stderr.write(`${error.message} It may still be starting: try again in a moment.\n`);
    return 1;
  }
}
