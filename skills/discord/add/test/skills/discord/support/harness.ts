/**
 * A Discord channel (the real adapter and real discord.js) wired to the fake Discord, with the
 * host's side recorded: received messages, seen chats, health changes and every log line.
 */
import type { Backlog } from '../../../../src/channels/discord/catchup.js';
import { DiscordChannel, type DiscordOptions } from '../../../../src/channels/discord/channel.js';
import type { FakeDiscord } from './fake-discord.js';
import { recordHost, until, type HostRecorder } from '../../../support/channel-harness.js';

export { until };

export const FAST: DiscordOptions = {
  timing: { backoff: { baseMs: 50, maxMs: 400 }, random: () => 0.5, libraryRetries: 2 },
  limits: { maxRateLimitWaitMs: 5000, requestTimeoutMs: 5000 },
  typingEveryMs: 100,
  receiveRetryMs: 50,
};

export interface Harness extends HostRecorder {
  channel: DiscordChannel;
}

export function startChannel(
  fake: FakeDiscord,
  options: { token?: string; opts?: DiscordOptions; backlog?: Backlog } = {},
): Harness {
  const host = recordHost();
  const channel = new DiscordChannel(
    { token: options.token ?? fake.token, apiUrl: fake.url },
    {
      ...host.deps,
      ...(options.backlog ? { backlog: options.backlog } : {}),
    },
    options.opts ?? FAST,
  );
  void channel.start();
  return {
    channel,
    ...host,
  };
}

/** Waits until the channel reports `connected` (after the `n`-th time). */
export const connected = (h: Harness, n = 1) =>
  until(() => h.health.filter((x) => x.state === 'connected').length >= n);
