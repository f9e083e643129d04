/**
 * Channel skill `whatsapp`: found by the host as `dist/channels/whatsapp/index.js`. Returns no
 * channel while WHATSAPP_ACCOUNT is unset; an invalid setting gives a channel that stays
 * `failed` with the fix (the host and the other channels keep running).
 */
import type { ChannelFactory } from '../channel.js';
import { hostHooks, misconfiguredChannel, type SkillChannel } from '../factory.js';
import { CHANNEL_NAME, WhatsAppChannel } from './channel.js';
import { CHAT_PREFIX } from './message.js';
import { readSettings } from './settings.js';

/** Who this channel is, for a channel that stays failed on invalid settings. */
const SPEC: SkillChannel = {
  name: CHANNEL_NAME,
  skill: 'whatsapp',
  title: 'WhatsApp',
  ownsChat: (chatId) => chatId.startsWith(CHAT_PREFIX),
};

export const createChannel: ChannelFactory = (deps) => {
  const log = deps.log.child({ channel: CHANNEL_NAME });
  const result = readSettings(deps.env, deps.config.paths.env, deps.config.home);
  if (result.kind === 'absent') return null;
  if (result.kind === 'invalid') return misconfiguredChannel(SPEC, result.problem, deps, log);
  return new WhatsAppChannel(result.settings, {
    log,
    // The QR code is drawn for a person at the host's terminal (or its journal).
    print: (text) => void process.stderr.write(text),
    ...hostHooks(deps),
  });
};
