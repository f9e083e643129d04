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
import { row } from './stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

async function benchInbound(): Promise<void> {
  const e2e = await startE2e('nanoclaw-bench-wac-');
  e2e.env.IDLE_TIMEOUT_MS = '3000';
  await e2e.cli(['groups', 'add', 'wa', '--chat', `wacloud:${ANN.waId}`, '--no-trigger']);
  const host = await startHostProcess(e2e.env);
  await until(() => e2e.graph.calls.length > 0, 30_000); // the token check: the channel is up
  const replies = () => e2e.graph.sent().length;
  const sample = async (text: string): Promise<number> => {
    const before = e2e.model.requests.length;
    const answered = replies();
    const payload = messagesPayload(e2e.graph.phoneNumberId, { messages: [textMessage(text)] });
    const t0 = Date.now();
    const res = await deliver(e2e.webhook, payload);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    await until(() => e2e.model.requests.length > before, 60_000);
    const latency = (e2e.model.requests[before]?.at ?? Number.NaN) - t0;
    await until(() => replies() > answered, 60_000);
    return latency;
  };
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    cold.push(await sample(`cold ${i}`));
    for (let j = 0; j < 4; j++) warm.push(await sample(`warm ${i}.${j}`));
    await sleep(4000); // the idle sandbox closes: the next sample starts cold
  }
  await host.stop();
  await e2e.close();
  console.log(
    '\n## WhatsApp Cloud in (host process, signed webhook, fake Graph API, bwrap, fake model)',
  );
  console.log(row('webhook → first model request, cold sandbox', cold));
  console.log(row('webhook → first model request, warm (piped)', warm));
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
  const n = 300;
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    await channel.send({
      chatId: `wacloud:${ANN.waId}`,
      messageId: `b${i}`,
      text: 'Hello **there**',
    });
  }
  const seconds = (Date.now() - t0) / 1000;
  console.log('\n## WhatsApp Cloud out (real adapter → fake Graph API)');
  console.log(
    `${'short messages, one chat, no limit'.padEnd(48)} ${(n / seconds).toFixed(1)} msg/s`,
  );
  await channel.stop();
  await graph.close();
}

const only = process.argv[2];
if (!only || only === 'out') await benchOutbound();
if (!only || only === 'in') await benchInbound();
