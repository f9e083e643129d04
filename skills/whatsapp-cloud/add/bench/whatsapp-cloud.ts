/**
 * WhatsApp Cloud figures (added by the whatsapp-cloud skill; run with
 * `npx tsx bench/whatsapp-cloud.ts` after `npm run build`): a signed webhook POST → the first
 * model request through the real host process (bwrap, SDK CLI, fake model), cold and warm; and
 * outbound throughput of the real adapter against the fake Graph API. Prints figures, asserts
 * nothing. Meta's own limits, for scale: 80 messages/s per business number by default (up to
 * 1000 on request), and about one message every 6 s to the same user ("pair rate", 131056).
 */
import { silentLogger } from '../src/log.js';
import { DEFAULT_OPTIONS, WhatsAppCloudChannel } from '../src/channels/wacloud/channel.js';
import { startHostProcess } from '../test/support/host-process.js';
import { startFakeGraph } from '../test/skills/whatsapp-cloud/support/fake-graph.js';
import { startE2e } from '../test/skills/whatsapp-cloud/support/e2e.js';
import {
  ANN,
  APP_SECRET,
  VERIFY_TOKEN,
  deliver,
  messagesPayload,
  textMessage,
} from '../test/skills/whatsapp-cloud/support/webhooks.js';
import {
  coldWarm,
  firstRequestSampler,
  printColdWarm,
  printSendRate,
  until,
} from './support/channel.js';

async function benchInbound(): Promise<void> {
  const e2e = await startE2e('nanoclaw-bench-wac-');
  await e2e.cli(['groups', 'add', 'wa', '--chat', `wacloud:${ANN.waId}`, '--no-trigger']);
  const host = await startHostProcess({ ...e2e.env, IDLE_TIMEOUT_MS: '3000' });
  await until(() => e2e.graph.calls.length > 0, 30_000); // the token check: the channel is up
  const sample = firstRequestSampler({
    model: e2e.model,
    deliver: async (text) => {
      const payload = messagesPayload(e2e.graph.phoneNumberId, { messages: [textMessage(text)] });
      const res = await deliver(e2e.webhook, payload);
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    },
    replies: () => e2e.graph.sent().length,
    onTimeout: () => console.error(host.output()),
  });
  const figures = await coldWarm(sample);
  await host.stop();
  await e2e.close();
  printColdWarm(
    'WhatsApp Cloud in (host process, signed webhook, fake Graph API, bwrap, fake model)',
    'webhook',
    figures,
  );
}

async function benchOutbound(): Promise<void> {
  const graph = await startFakeGraph();
  const channel = new WhatsAppCloudChannel(
    {
      token: graph.token,
      phoneNumberId: graph.phoneNumberId,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      graphUrl: graph.url,
      webhookHost: '127.0.0.1',
      webhookPort: 0,
    },
    { log: silentLogger(), receive: async () => {} },
    DEFAULT_OPTIONS,
  );
  console.log('\n## WhatsApp Cloud out (real adapter → fake Graph API)');
  await printSendRate('short messages, one chat, no limit', 300, (i) =>
    channel.send({ chatId: `wacloud:${ANN.waId}`, messageId: `b${i}`, text: 'Hello **there**' }),
  );
  await channel.stop();
  await graph.close();
}

const only = process.argv[2];
if (!only || only === 'out') await benchOutbound();
if (!only || only === 'in') await benchInbound();
