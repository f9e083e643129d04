/**
 * Channel skill `email`: found by the host as `dist/channels/email/index.js`. Returns no channel
 * while EMAIL_ADDRESS is unset; an invalid setting gives a channel that stays `failed` with the
 * fix (the host and the other channels keep running).
 */
import path from 'node:path';
import type { ChannelFactory } from '../channel.js';
import { hostHooks, misconfiguredChannel, type SkillChannel } from '../factory.js';
import { CHANNEL_NAME, EmailChannel } from './channel.js';
import { readSettings, sendsPasswordInClear } from './settings.js';
import { EmailState } from './state.js';

/** Who this channel is, for a channel that stays failed on invalid settings. */
const SPEC: SkillChannel = {
  name: CHANNEL_NAME,
  skill: 'email',
  title: 'Email',
  fix: 'Fix the setting with nanoclaw skills add email --set NAME=value (see skills/email/SKILL.md), then restart NanoClaw.',
};

/** Where the channel keeps its bookkeeping (outside groups/ and sessions/: never mounted). */
export const stateFile = (home: string) => path.join(home, 'channels', 'email.db');

export const createChannel: ChannelFactory = (deps) => {
  const log = deps.log.child({ channel: CHANNEL_NAME });
  const result = readSettings(deps.env, deps.config.paths.env);
  if (result.kind === 'absent') return null;
  if (result.kind === 'invalid') return misconfiguredChannel(SPEC, result.problem, deps, log);
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
    ...hostHooks(deps),
  });
};
