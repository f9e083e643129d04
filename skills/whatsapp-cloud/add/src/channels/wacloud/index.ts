/**
 * Channel skill `whatsapp-cloud`: found by the host as `dist/channels/wacloud/index.js`.
 * Returns no channel while WHATSAPP_TOKEN is unset; an invalid setting gives a channel that
 * stays `failed` with the fix (the host and the other channels keep running).
 */
import type { ChannelFactory } from '../channel.js';
import { hostHooks, misconfiguredChannel, type SkillChannel } from '../factory.js';
import { CHANNEL_NAME, WhatsAppCloudChannel } from './channel.js';
import { CHAT_PREFIX } from './payload.js';
import { readSettings, sendsTokenInClear } from './settings.js';

/** Who this channel is, for a channel that stays failed on invalid settings. */
const SPEC: SkillChannel = {
  name: CHANNEL_NAME,
  skill: 'whatsapp-cloud',
  title: 'WhatsApp Cloud',
  ownsChat: (chatId) => chatId.startsWith(CHAT_PREFIX),
};

export const createChannel: ChannelFactory = (deps) => {
  const log = deps.log.child({ channel: CHANNEL_NAME });
  const result = readSettings(deps.env, deps.config.paths.env);
  if (result.kind === 'absent') return null;
  if (result.kind === 'invalid') return misconfiguredChannel(SPEC, result.problem, deps, log);
  if (sendsTokenInClear(result.settings.graphUrl)) {
    log.warn(
      { graphUrl: result.settings.graphUrl },
      'WHATSAPP_GRAPH_URL is plain http to another machine: the access token crosses the network unencrypted; use https',
    );
  }
  return new WhatsAppCloudChannel(result.settings, {
    log,
    ...hostHooks(deps),
  });
};
