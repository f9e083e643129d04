/**
 * Channel skill `discord`: found by the host as `dist/channels/discord/index.js`. Returns no
 * channel while DISCORD_BOT_TOKEN is unset; an invalid setting gives a channel that stays
 * `failed` with the fix (the host and the other channels keep running).
 */
import type { ChannelFactory } from '../channel.js';
import { hostHooks, misconfiguredChannel, type SkillChannel } from '../factory.js';
import { storeBacklog } from './catchup.js';
import { CHANNEL_NAME, DiscordChannel } from './channel.js';
import { readSettings, sendsTokenInClear } from './settings.js';

/** Who this channel is, for a channel that stays failed on invalid settings. */
const SPEC: SkillChannel = {
  name: CHANNEL_NAME,
  skill: 'discord',
  title: 'Discord',
};

export const createChannel: ChannelFactory = (deps) => {
  const log = deps.log.child({ channel: CHANNEL_NAME });
  const result = readSettings(deps.env, deps.config.paths.env);
  if (result.kind === 'absent') return null;
  if (result.kind === 'invalid') return misconfiguredChannel(SPEC, result.problem, deps, log);
  if (sendsTokenInClear(result.settings.apiUrl)) {
    log.warn(
      { apiUrl: result.settings.apiUrl },
      'DISCORD_API_URL is plain http to another machine: the bot token crosses the network unencrypted; use https',
    );
  }
  return new DiscordChannel(result.settings, {
    log,
    backlog: storeBacklog(deps.groups, deps.messages),
    ...hostHooks(deps),
  });
};
