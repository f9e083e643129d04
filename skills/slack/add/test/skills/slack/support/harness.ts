/**
 * A Slack channel (the real adapter, real Bolt and web-api) wired to the fake Slack, with the
 * host's side recorded: received messages, seen chats, health changes and every log line.
 */
import { SlackChannel, type SlackOptions } from '../../../../src/channels/slack/channel.js';
import type { FakeSlack } from './fake-slack.js';
import { recordHost, until, type HostRecorder } from '../../../support/channel-harness.js';

export { until };

export const FAST: SlackOptions = {
  timing: { backoff: { baseMs: 50, maxMs: 400 }, random: () => 0.5 },
  limits: { maxRetryAfterS: 2, maxRateLimitRetries: 3 },
  clientPingTimeoutMs: 2000,
  serverPingTimeoutMs: 5000,
};

export interface Harness extends HostRecorder {
  channel: SlackChannel;
}

export function startChannel(
  fake: FakeSlack,
  options: { botToken?: string; appToken?: string; opts?: SlackOptions } = {},
): Harness {
  const host = recordHost();
  const channel = new SlackChannel(
    {
      botToken: options.botToken ?? fake.botToken,
      appToken: options.appToken ?? fake.appToken,
      apiUrl: fake.url,
    },
    host.deps,
    options.opts ?? FAST,
  );
  void channel.start();
  return {
    channel,
    ...host,
  };
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
