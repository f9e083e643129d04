/**
 * What every channel skill's `createChannel` does alike: a channel that stays `failed` when its
 * settings are invalid (the host and the other channels keep running), the host hooks a channel
 * is given, and the check that warns of a token sent over plain http.
 */
import type { Logger } from '../log.js';
import type { Channel, ChannelDeps, ChannelHealth } from './channel.js';

export interface SkillChannel {
  /** The channel's name (and, unless `ownsChat` says otherwise, its chat-id prefix). */
  name: string;
  /** The skill as `nanoclaw skills add` knows it. */
  skill: string;
  /** The platform as people call it (`WhatsApp Cloud`). */
  title: string;
  ownsChat?(chatId: string): boolean;
  /** Replaces the default fix (`nanoclaw skills add <skill> --set NAME=value`, restart). */
  fix?: string;
}

/** Pure: a secret sent to `url` would cross a network in clear text (http to another host). */
export function sendsSecretInClear(url: string): boolean {
  const u = new URL(url);
  return u.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
}

/** A channel that never connects and says why: shown in the channel list, delivers nothing. */
export function misconfiguredChannel(
  spec: SkillChannel,
  problem: string,
  deps: ChannelDeps,
  log: Logger,
): Channel {
  log.error({ problem }, `${spec.name} settings are invalid`);
  const health: ChannelHealth = {
    state: 'failed',
    reason: problem,
    fix:
      spec.fix ??
      `Fix the setting with nanoclaw skills add ${spec.skill} --set NAME=value, then restart NanoClaw.`,
  };
  return {
    name: spec.name,
    ownsChat: spec.ownsChat ?? ((chatId) => chatId.startsWith(`${spec.name}:`)),
    start: async () => deps.healthChanged?.(spec.name, health),
    send: async () => {
      throw new Error(`${spec.title} is not configured: ${problem}`);
    },
    health: () => health,
    stop: async () => {},
  };
}

/** The host's hooks a channel takes as they are (the optional ones only when given). */
export function hostHooks(
  deps: ChannelDeps,
): Pick<ChannelDeps, 'receive' | 'chatSeen' | 'healthChanged'> {
  return {
    receive: deps.receive,
    ...(deps.chatSeen ? { chatSeen: deps.chatSeen } : {}),
    ...(deps.healthChanged ? { healthChanged: deps.healthChanged } : {}),
  };
}
