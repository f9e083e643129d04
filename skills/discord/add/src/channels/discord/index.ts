/**
 * Channel skill `discord`: found by the host as `dist/channels/discord/index.js`. Returns no
 * channel while DISCORD_BOT_TOKEN is unset; an invalid setting gives a channel that stays
 * `failed` with the fix (the host and the other channels keep running).
 */
import type { Channel, ChannelFactory, ChannelHealth } from '../channel.js';
import { storeBacklog } from './catchup.js';
import { CHANNEL_NAME, DiscordChannel } from './channel.js';
import { readSettings, sendsTokenInClear } from './settings.js';

/** A channel that never connects and says why: shown in the channel list, delivers nothing. */
function misconfigured(problem: string, report: (h: ChannelHealth) => void): Channel {
  const health: ChannelHealth = {
    state: 'failed',
    reason: problem,
    fix: 'Fix the setting with nanoclaw skills add discord --set NAME=value, then restart NanoClaw.',
  };
  return {
    name: CHANNEL_NAME,
    ownsChat: (chatId) => chatId.startsWith(`${CHANNEL_NAME}:`),
    start: async () => report(health),
    send: async () => {
      throw new Error(`Discord is not configured: ${problem}`);
    },
    health: () => health,
    stop: async () => {},
  };
}

export const createChannel: ChannelFactory = (deps) => {
  const log = deps.log.child({ channel: CHANNEL_NAME });
  const result = readSettings(deps.env, deps.config.paths.env);
  if (result.kind === 'absent') return null;
  if (result.kind === 'invalid') {
    log.error({ problem: result.problem }, 'discord settings are invalid');
    return misconfigured(result.problem, (h) => deps.healthChanged?.(CHANNEL_NAME, h));
  }
  if (sendsTokenInClear(result.settings.apiUrl)) {
    log.warn(
      { apiUrl: result.settings.apiUrl },
      'DISCORD_API_URL is plain http to another machine: the bot token crosses the network unencrypted; use https',
    );
  }
  return new DiscordChannel(result.settings, {
    log,
    backlog: storeBacklog(deps.groups, deps.messages),
    receive: deps.receive,
    ...(deps.chatSeen ? { chatSeen: deps.chatSeen } : {}),
    ...(deps.healthChanged ? { healthChanged: deps.healthChanged } : {}),
  });
};
