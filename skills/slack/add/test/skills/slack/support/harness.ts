/**
 * A Slack channel (the real adapter, real Bolt and web-api) wired to the fake Slack, with the
 * host's side recorded: received messages, seen chats, health changes and every log line.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { ChannelHealth, InboundMessage, SeenChat } from '../../../../src/channels/channel.js';
import { SlackChannel, type SlackOptions } from '../../../../src/channels/slack/channel.js';
import type { FakeSlack } from './fake-slack.js';

export const FAST: SlackOptions = {
  timing: { backoff: { baseMs: 50, maxMs: 400 }, random: () => 0.5 },
  limits: { maxRetryAfterS: 2, maxRateLimitRetries: 3 },
  clientPingTimeoutMs: 2000,
  serverPingTimeoutMs: 5000,
};

export interface Harness {
  channel: SlackChannel;
  received: InboundMessage[];
  seen: SeenChat[];
  health: ChannelHealth[];
  logs: string[];
  /** Replaces what the host's receive does (default: records the message). */
  onReceive(fn: (message: InboundMessage) => Promise<void>): void;
}

export function startChannel(
  fake: FakeSlack,
  options: { botToken?: string; appToken?: string; opts?: SlackOptions } = {},
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
  const channel = new SlackChannel(
    {
      botToken: options.botToken ?? fake.botToken,
      appToken: options.appToken ?? fake.appToken,
      apiUrl: fake.url,
    },
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

export const ANN = 'UANN0001';
export const CHANNEL = 'C0FAMILY1';
export const DM = 'D0ANNDM01';

let seq = 0;

/** A fresh Slack ts, increasing within one second (fixed width, as Slack's). */
export function nextTs(): string {
  seq += 1;
  return `1700000000.${String(seq * 100).padStart(6, '0')}`;
}

/** A Slack `message` event from Ann (fields override: text, thread_ts, files, subtype…). */
export function messageEvent(
  channel: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown> & { ts: string } {
  const ts = nextTs();
  return {
    type: 'message',
    channel,
    channel_type: channel.startsWith('D') ? 'im' : 'channel',
    user: ANN,
    text: 'hello',
    ts,
    event_ts: ts,
    ...fields,
  };
}
