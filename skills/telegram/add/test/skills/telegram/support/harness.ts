/**
 * A Telegram channel (the real adapter and real grammY) wired to the fake Bot API, with the
 * host's side recorded: received messages, seen chats, health changes and every log line.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { ChannelHealth, InboundMessage, SeenChat } from '../../../../src/channels/channel.js';
import {
  TelegramChannel,
  type TelegramOptions,
} from '../../../../src/channels/telegram/channel.js';
import type { FakeTelegram } from './fake-telegram.js';

export const FAST: TelegramOptions = {
  timing: {
    pollTimeoutS: 1,
    backoff: { baseMs: 50, maxMs: 400 },
    handlerRetryMs: 50,
    random: () => 0.5,
  },
  limits: { maxRetryAfterS: 5, maxRateLimitRetries: 3 },
  typingRefreshMs: 150,
  stopGraceMs: 500,
};

export interface Harness {
  channel: TelegramChannel;
  received: InboundMessage[];
  seen: SeenChat[];
  health: ChannelHealth[];
  logs: string[];
  /** Replaces what the host's receive does (default: records the message). */
  onReceive(fn: (message: InboundMessage) => Promise<void>): void;
}

export function startChannel(
  fake: FakeTelegram,
  options: { token?: string; opts?: TelegramOptions } = {},
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
  const channel = new TelegramChannel(
    { token: options.token ?? fake.token, apiRoot: fake.url },
    {
      log: pino({ level: 'debug' }, sink),
      receive: (_channel, message) => receive(message),
      chatSeen: (_channel, chat) => void seen.push(chat),
      healthChanged: (_channel, h) => void health.push(h),
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

let nextMessageId = 1;

export const ANN = { id: 42, is_bot: false, first_name: 'Ann', last_name: 'Lee', username: 'ann' };
export const DM_CHAT = { id: 42, type: 'private', first_name: 'Ann', last_name: 'Lee' };
export const GROUP_CHAT = { id: -100123, type: 'supergroup', title: 'Family' };

export function messageUpdate(
  chat: Record<string, unknown>,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  return {
    message: {
      message_id: nextMessageId++,
      date: 1_700_000_000,
      chat,
      from: ANN,
      ...fields,
    },
  };
}
