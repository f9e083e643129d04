/**
 * Channel skill `email`: found by the host as `dist/channels/email/index.js`. Returns no channel
 * while EMAIL_ADDRESS is unset; an invalid setting gives a channel that stays `failed` with the
 * fix (the host and the other channels keep running).
 */
import path from 'node:path';
import type { Channel, ChannelFactory, ChannelHealth } from '../channel.js';
import { CHANNEL_NAME, EmailChannel } from './channel.js';
import { readSettings, sendsPasswordInClear } from './settings.js';
import { EmailState } from './state.js';

/** A channel that never connects and says why: shown in the channel list, delivers nothing. */
function misconfigured(problem: string, report: (h: ChannelHealth) => void): Channel {
  const health: ChannelHealth = {
    state: 'failed',
    reason: problem,
    fix: 'Fix the setting with nanoclaw skills add email --set NAME=value (see skills/email/SKILL.md), then restart NanoClaw.',
  };
  return {
    name: CHANNEL_NAME,
    ownsChat: (chatId) => chatId.startsWith(`${CHANNEL_NAME}:`),
    start: async () => report(health),
    send: async () => {
      throw new Error(`Email is not configured: ${problem}`);
    },
    health: () => health,
    stop: async () => {},
  };
}

/** Where the channel keeps its bookkeeping (outside groups/ and sessions/: never mounted). */
export const stateFile = (home: string) => path.join(home, 'channels', 'email.db');

export const createChannel: ChannelFactory = (deps) => {
  const log = deps.log.child({ channel: CHANNEL_NAME });
  const result = readSettings(deps.env, deps.config.paths.env);
  if (result.kind === 'absent') return null;
  if (result.kind === 'invalid') {
    log.error({ problem: result.problem }, 'email settings are invalid');
    return misconfigured(result.problem, (h) => deps.healthChanged?.(CHANNEL_NAME, h));
  }
  const s = result.settings;
  for (const [what, server] of [
    ['IMAP', s.imap],
    ['SMTP', s.smtp],
  ] as const) {
    if (sendsPasswordInClear(server)) {
      log.warn(
        { host: server.host },
        `${what}_TLS=false to another machine: the login crosses the network unencrypted`,
      );
    }
  }
  if (!s.trustedAuthserv) {
    log.warn(
      'EMAIL_TRUSTED_AUTHSERV is not set: senders are checked against EMAIL_ALLOWED_SENDERS only, which a forged From passes',
    );
  }
  return new EmailChannel(s, {
    log,
    state: new EmailState(stateFile(deps.config.home)),
    assistantName: deps.config.assistantName,
    receive: deps.receive,
    ...(deps.chatSeen ? { chatSeen: deps.chatSeen } : {}),
    ...(deps.healthChanged ? { healthChanged: deps.healthChanged } : {}),
  });
};
