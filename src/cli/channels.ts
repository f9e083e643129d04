/**
 * `nanoclaw channels`: each channel of the running host and its connection state (connected,
 * reconnecting and why, failed and what to do), asked of the host of this NANOCLAW_HOME.
 */
import { channelNames } from '../channels/registry.js';
import { loadConfig } from '../config.js';
import { noPositionals, parse } from './args.js';
import { ChatApi, HostUnreachableError } from './chat-api.js';
import { findHostAddress } from './find-host.js';
import type { CliContext } from './index.js';

export const USAGE =
  'nanoclaw channels [--json]\n' +
  '  Each channel of the running assistant and its state: connected, reconnecting (why),\n' +
  '  failed (and what to do). Channels come with channel skills (nanoclaw skills).';

export async function channelsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean', default: false } }, USAGE);
  noPositionals(positionals, USAGE);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const address = findHostAddress(config.home);
  if (!address.ok) {
    ctx.stderr.write(
      `${address.problem}\nChannels this installation has: ${channelNames(ctx.appRoot).join(', ')}.\n`,
    );
    return 1;
  }
  try {
    const { channels } = await new ChatApi(address.url, config.web.token).status();
    if (values.json) {
      for (const c of channels) ctx.stdout.write(`${JSON.stringify(c)}\n`);
      return 0;
    }
    for (const c of channels) ctx.stdout.write(`${c.name}\t${c.summary}\n`);
    return channels.some((c) => c.state === 'failed') ? 1 : 0;
  } catch (error) {
    if (!(error instanceof HostUnreachableError)) throw error;
    ctx.stderr.write(`The host (process ${address.pid}) did not answer at ${address.url}.\n`);
    return 1;
  }
}
