/**
 * A WhatsApp Cloud channel (the real adapter) wired to the fake Graph API, its webhook on an
 * ephemeral loopback port, with the host's side recorded: received messages, seen chats, health
 * changes and every log line.
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { ChannelHealth, InboundMessage, SeenChat } from '../../../../src/channels/channel.js';
import {
  WhatsAppCloudChannel,
  type CloudOptions,
} from '../../../../src/channels/wacloud/channel.js';
import type { FakeGraph } from './fake-graph.js';
import { APP_SECRET, VERIFY_TOKEN } from './webhooks.js';

export const FAST: CloudOptions = {
  backoff: { baseMs: 50, maxMs: 400 },
  random: () => 0.5,
  limits: { rateLimitRetries: 2, rateLimitWaitMs: 20 },
  typingRefreshMs: 150,
  maxBodyBytes: 64 * 1024,
};

export interface Harness {
  channel: WhatsAppCloudChannel;
  webhook: string;
  received: InboundMessage[];
  seen: SeenChat[];
  health: ChannelHealth[];
  logs: string[];
  /** Replaces what the host's receive does (default: records the message). */
  onReceive(fn: (message: InboundMessage) => Promise<void>): void;
}

export async function startChannel(
  graph: FakeGraph,
  options: { token?: string; opts?: CloudOptions } = {},
): Promise<Harness> {
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
  const channel = new WhatsAppCloudChannel(
    {
      token: options.token ?? graph.token,
      phoneNumberId: graph.phoneNumberId,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      graphUrl: graph.url,
      webhookHost: '127.0.0.1',
      webhookPort: 0,
    },
    {
      log: pino({ level: 'debug' }, sink),
      receive: (_channel, message) => receive(message),
      chatSeen: (_channel, chat) => void seen.push(chat),
      healthChanged: (_channel, h) => void health.push(h),
    },
    options.opts ?? FAST,
  );
  await channel.start();
  const port = channel.address()?.port ?? 0;
  return {
    channel,
    webhook: `http://127.0.0.1:${port}/webhook`,
    received,
    seen,
    health,
    logs,
    onReceive(fn) {
      receive = fn;
    },
  };
}

/** A port that was free a moment ago (for the host process, which needs a fixed one). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
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
