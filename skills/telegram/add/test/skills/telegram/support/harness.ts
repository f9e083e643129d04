/**
 * A Telegram channel (the real adapter and real grammY) wired to the fake Bot API, with the
 * host's side recorded: received messages, seen chats, health changes and every log line.
 */
import {
  TelegramChannel,
  type TelegramOptions,
} from '../../../../src/channels/telegram/channel.js';
import type { FakeTelegram } from './fake-telegram.js';
import { recordHost, until, type HostRecorder } from '../../../support/channel-harness.js';

export { until };

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

export interface Harness extends HostRecorder {
  channel: TelegramChannel;
}

export function startChannel(
  fake: FakeTelegram,
  options: { token?: string; opts?: TelegramOptions } = {},
): Harness {
  const host = recordHost();
  const channel = new TelegramChannel(
    { token: options.token ?? fake.token, apiRoot: fake.url },
    host.deps,
    options.opts ?? FAST,
  );
  void channel.start();
  return {
    channel,
    ...host,
  };
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
