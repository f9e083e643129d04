/**
 * A Discord channel (the real adapter and real discord.js) wired to the fake Discord, with the
 * host's side recorded: received messages, seen chats, health changes and every log line.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { ChannelHealth, InboundMessage, SeenChat } from '../../../../src/channels/channel.js';
import type { Backlog } from '../../../../src/channels/discord/catchup.js';
import { DiscordChannel, type DiscordOptions } from '../../../../src/channels/discord/channel.js';
import type { FakeDiscord } from './fake-discord.js';

export const FAST: DiscordOptions = {
  timing: { backoff: { baseMs: 50, maxMs: 400 }, random: () => 0.5, libraryRetries: 2 },
  limits: { maxRateLimitWaitMs: 5000, requestTimeoutMs: 5000 },
  typingEveryMs: 100,
  receiveRetryMs: 50,
};

export interface Harness {
  channel: DiscordChannel;
  received: InboundMessage[];
  seen: SeenChat[];
  health: ChannelHealth[];
  logs: string[];
  /** Replaces what the host's receive does (default: records the message). */
  onReceive(fn: (message: InboundMessage) => Promise<void>): void;
}

export function startChannel(
  fake: FakeDiscord,
  options: { token?: string; opts?: DiscordOptions; backlog?: Backlog } = {},
): Harness {
  const received: InboundMessage[] = [];
  const seen: SeenChat[] = [];
  const health: ChannelHealth[] = [];
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  let receive = async (message: InboundMessage): Promise<void> => {
    received.push(message);
  };
  const channel = new DiscordChannel(
    { token: options.token ?? fake.token, apiUrl: fake.url },
    {
      log: pino({ level: 'debug' }, sink),
      receive: (_channel, message) => receive(message),
      chatSeen: (_channel, chat) => void seen.push(chat),
      healthChanged: (_channel, h) => void health.push(h),
      ...(options.backlog ? { backlog: options.backlog } : {}),
    },
    options.opts ?? FAST,
  );
  void channel.start();
  return {
    channel,
    received,
    seen,
    health,
    logs,
    onReceive(fn) {
      receive = fn;
    },
  };
}

/** Polls until `check` returns a value (or throws after `timeoutMs`). */
export async function until<T>(
  check: () => T | undefined | null | false | 0 | '',
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until the channel reports `connected` (after the `n`-th time). */
export const connected = (h: Harness, n = 1) =>
  until(() => h.health.filter((x) => x.state === 'connected').length >= n);
