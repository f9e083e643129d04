/**
 * Channel skill `whatsapp-cloud`: found by the host as `dist/channels/wacloud/index.js`.
 * Returns no channel while WHATSAPP_TOKEN is unset; an invalid setting gives a channel that
 * stays `failed` with the fix (the host and the other channels keep running).
 */
import type { Channel, ChannelFactory, ChannelHealth } from '../channel.js';
import { CHANNEL_NAME, WhatsAppCloudChannel } from './channel.js';
import { CHAT_PREFIX } from './payload.js';
import { readSettings, sendsTokenInClear } from './settings.js';

/** A channel that never connects and says why: shown in the channel list, delivers nothing. */
function misconfigured(problem: string, report: (h: ChannelHealth) => void): Channel {
  const health: ChannelHealth = {
    state: 'failed',
    reason: problem,
    fix: 'Fix the setting with nanoclaw skills add whatsapp-cloud --set NAME=value, then restart NanoClaw.',
  };
  return {
    name: CHANNEL_NAME,
    ownsChat: (chatId) => chatId.startsWith(CHAT_PREFIX),
    start: async () => report(health),
    send: async () => {
      throw new Error(`WhatsApp Cloud is not configured: ${problem}`);
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
    log.error({ problem: result.problem }, 'wacloud settings are invalid');
    return misconfigured(result.problem, (h) => deps.healthChanged?.(CHANNEL_NAME, h));
  }
  if (sendsTokenInClear(result.settings.graphUrl)) {
    log.warn(
      { graphUrl: result.settings.graphUrl },
      'WHATSAPP_GRAPH_URL is plain http to another machine: the access token crosses the network unencrypted; use https',
    );
  }
  return new WhatsAppCloudChannel(result.settings, {
    log,
    receive: deps.receive,
    ...(deps.chatSeen ? { chatSeen: deps.chatSeen } : {}),
    ...(deps.healthChanged ? { healthChanged: deps.healthChanged } : {}),
  });
};
