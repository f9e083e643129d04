/**
 * Channel skill `whatsapp`: found by the host as `dist/channels/whatsapp/index.js`. Returns no
 * channel while WHATSAPP_ACCOUNT is unset; an invalid setting gives a channel that stays
 * `failed` with the fix (the host and the other channels keep running).
 */
import type { Channel, ChannelFactory, ChannelHealth } from '../channel.js';
import { CHANNEL_NAME, WhatsAppChannel } from './channel.js';
import { CHAT_PREFIX } from './message.js';
import { readSettings } from './settings.js';

/** A channel that never connects and says why: shown in the channel list, delivers nothing. */
function misconfigured(problem: string, report: (h: ChannelHealth) => void): Channel {
  const health: ChannelHealth = {
    state: 'failed',
    reason: problem,
    fix: 'Fix the setting with nanoclaw skills add whatsapp --set NAME=value, then restart NanoClaw.',
  };
  return {
    name: CHANNEL_NAME,
    ownsChat: (chatId) => chatId.startsWith(CHAT_PREFIX),
    start: async () => report(health),
    send: async () => {
      throw new Error(`WhatsApp is not configured: ${problem}`);
    },
    health: () => health,
    stop: async () => {},
  };
}

export const createChannel: ChannelFactory = (deps) => {
  const log = deps.log.child({ channel: CHANNEL_NAME });
  const result = readSettings(deps.env, deps.config.paths.env, deps.config.home);
  if (result.kind === 'absent') return null;
  if (result.kind === 'invalid') {
    log.error({ problem: result.problem }, 'whatsapp settings are invalid');
    return misconfigured(result.problem, (h) => deps.healthChanged?.(CHANNEL_NAME, h));
  }
  return new WhatsAppChannel(result.settings, {
    log,
    receive: deps.receive,
    // The QR code is drawn for a person at the host's terminal (or its journal).
    print: (text) => void process.stderr.write(text),
    ...(deps.chatSeen ? { chatSeen: deps.chatSeen } : {}),
    ...(deps.healthChanged ? { healthChanged: deps.healthChanged } : {}),
  });
};
