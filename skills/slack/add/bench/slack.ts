/**
 * Slack figures (added by the slack skill; run with `npx tsx bench/slack.ts` after
 * `npm run build`): a Slack event (an events_api envelope on the Socket Mode WebSocket) → the
 * first model request through Bolt, the fake Slack and the real host process (bwrap, SDK CLI,
 * fake model), cold and warm; and outbound throughput of the real adapter against the fake.
 * Prints figures, asserts nothing.
 */
import { silentLogger } from '../src/log.js';
import { DEFAULT_OPTIONS, SlackChannel } from '../src/channels/slack/channel.js';
import { startHostProcess } from '../test/support/host-process.js';
import { startE2e } from '../test/skills/slack/support/e2e.js';
import { startFakeSlack } from '../test/skills/slack/support/fake-slack.js';
import { CHANNEL, messageEvent } from '../test/skills/slack/support/harness.js';
import {
  coldWarm,
  firstRequestSampler,
  printColdWarm,
  printSendRate,
  sleep,
  until,
} from './support/channel.js';

async function benchInbound(): Promise<void> {
  const e2e = await startE2e('nanoclaw-bench-slack-');
  const { slack } = e2e;
  await e2e.cli(['groups', 'add', 'sl', '--chat', `slack:${CHANNEL}`, '--no-trigger']);
  const host = await startHostProcess({ ...e2e.env, IDLE_TIMEOUT_MS: '3000' });
  await until(() => slack.connections() > 0, 30_000);
  await sleep(500); // the hello has been answered
  const sample = firstRequestSampler({
    model: e2e.model,
    deliver: (text) => slack.event(messageEvent(CHANNEL, { text })),
    replies: () => slack.calls.filter((c) => c.method === 'chat.postMessage').length,
    onTimeout: () => console.error(host.output()),
  });
  const figures = await coldWarm(sample);
  await host.stop();
  await e2e.close();
  printColdWarm(
    'Slack in (host process, Bolt over Socket Mode, fake Slack, bwrap, fake model)',
    'event',
    figures,
  );
}

async function benchOutbound(): Promise<void> {
  const slack = await startFakeSlack();
  const channel = new SlackChannel(
    { botToken: slack.botToken, appToken: slack.appToken, apiUrl: slack.url },
    { log: silentLogger(), receive: async () => {} },
    DEFAULT_OPTIONS,
  );
  const rate = async (label: string, n: number, text: string) => {
    await printSendRate(
      label,
      n,
      (i) => channel.send({ chatId: `slack:${CHANNEL}`, messageId: `${label}${i}`, text }),
      () =>
        `${slack.calls.filter((c) => c.method === 'chat.postMessage').length} chat.postMessage calls`,
    );
    slack.calls.length = 0;
  };
  console.log('\n## Slack out (real adapter and web-api → fake Slack, no rate limit)');
  await rate(
    'short messages, one channel',
    300,
    'Hello **there**, `code` and a [link](https://x.y)',
  );
  const long = `${'Some prose paragraph with words. '.repeat(40)}\n\n\`\`\`ts\n${'const x = 1; // <c>\n'.repeat(900)}\`\`\``;
  await rate(`long replies (${long.length} chars)`, 20, long);
  await channel.stop();
  await slack.close();
}

const only = process.argv[2];
if (!only || only === 'out') await benchOutbound();
if (!only || only === 'in') await benchInbound();
