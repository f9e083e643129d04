/**
 * Channel skill `slack`: found by the host as `dist/channels/slack/index.js`. Returns no channel
 * while SLACK_BOT_TOKEN is unset; an invalid setting gives a channel that stays `failed` with
 * the fix (the host and the other channels keep running).
 */
import type { ChannelFactory } from '../channel.js';
import { hostHooks, misconfiguredChannel, type SkillChannel } from '../factory.js';
import { CHANNEL_NAME, SlackChannel } from './channel.js';
import { readSettings, sendsTokenInClear } from './settings.js';

/** Who this channel is, for a channel that stays failed on invalid settings. */
const SPEC: SkillChannel = {
  name: CHANNEL_NAME,
  skill: 'slack',
  title: 'Slack',
};

export const createChannel: ChannelFactory = (deps) => {
  const log = deps.log.child({ channel: CHANNEL_NAME });
  const result = readSettings(deps.env, deps.config.paths.env);
  if (result.kind === 'absent') return null;
  if (result.kind === 'invalid') return misconfiguredChannel(SPEC, result.problem, deps, log);
  if (sendsTokenInClear(result.settings.apiUrl)) {
    log.warn(
      { apiUrl: result.settings.apiUrl },
      'SLACK_API_URL is plain http to another machine: the tokens cross the network unencrypted; use https',
    );
  }
  return new SlackChannel(result.settings, {
    log,
    ...hostHooks(deps),
  });
};
