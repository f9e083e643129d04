/**
 * A WhatsApp Cloud channel (the real adapter) wired to the fake Graph API, its webhook on an
 * ephemeral loopback port, with the host's side recorded: received messages, seen chats, health
 * changes and every log line.
 */
import {
  WhatsAppCloudChannel,
  type CloudOptions,
} from '../../../../src/channels/wacloud/channel.js';
import type { FakeGraph } from './fake-graph.js';
import { APP_SECRET, VERIFY_TOKEN } from './webhooks.js';
import { recordHost, until, type HostRecorder } from '../../../support/channel-harness.js';

export { until };

export const FAST: CloudOptions = {
  backoff: { baseMs: 50, maxMs: 400 },
  random: () => 0.5,
  limits: { rateLimitRetries: 2, rateLimitWaitMs: 20 },
  typingRefreshMs: 150,
  maxBodyBytes: 64 * 1024,
};

export interface Harness extends HostRecorder {
  channel: WhatsAppCloudChannel;
  webhook: string;
}

export async function startChannel(
  graph: FakeGraph,
  options: { token?: string; opts?: CloudOptions } = {},
): Promise<Harness> {
  const host = recordHost();
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
    host.deps,
    options.opts ?? FAST,
  );
  await channel.start();
  const port = channel.address()?.port ?? 0;
  return {
    channel,
    webhook: `http://127.0.0.1:${port}/webhook`,
    ...host,
  };
}
