/**
 * Slack figures (added by the slack skill; run with `npx tsx bench/slack.ts` after
 * `npm run build`): a Slack event (an events_api envelope on the Socket Mode WebSocket) → the
 * first model request through Bolt, the fake Slack and the real host process (bwrap, SDK CLI,
 * fake model), cold and warm; and outbound throughput of the real adapter against the fake.
 * Prints figures, asserts nothing.
 */
import fs from 'node:fs';
import { silentLogger } from '../src/log.js';
import { DEFAULT_OPTIONS, SlackChannel } from '../src/channels/slack/channel.js';
import { runCli, tempHome } from '../test/support/cli.js';
import { startFakeAnthropic } from '../test/support/fake-anthropic.js';
import { startHostProcess } from '../test/support/host-process.js';
import { slackEnvFile } from '../test/skills/slack/support/e2e.js';
import { startFakeSlack } from '../test/skills/slack/support/fake-slack.js';
import { CHANNEL, messageEvent } from '../test/skills/slack/support/harness.js';
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
  const model = await startFakeAnthropic();
  const slack = await startFakeSlack();
  const home = tempHome('nanoclaw-bench-slack-');
  fs.writeFileSync(`${home}/.env`, slackEnvFile(slack));
  const env = {
    NANOCLAW_HOME: home,
    NANOCLAW_RUNTIME: 'bwrap',
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-bench',
    IDLE_TIMEOUT_MS: '3000',
  };
  await runCli(['groups', 'add', 'sl', '--chat', `slack:${CHANNEL}`, '--no-trigger'], env);
  const host = await startHostProcess(env);
  await until(() => slack.connections() > 0, 30_000);
  await sleep(500); // the hello has been answered
  const replies = () => slack.calls.filter((c) => c.method === 'chat.postMessage').length;
  const sample = async (text: string): Promise<number> => {
    const before = model.requests.length;
    const answered = replies();
    const t0 = Date.now();
    slack.event(messageEvent(CHANNEL, { text }));
    await until(() => model.requests.length > before, 60_000).catch((e: unknown) => {
      console.error(host.output());
      throw e;
    });
    const latency = (model.requests[before]?.at ?? Number.NaN) - t0;
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
  await slack.close();
  await model.close();
  fs.rmSync(home, { recursive: true, force: true });
  console.log('\n## Slack in (host process, Bolt over Socket Mode, fake Slack, bwrap, fake model)');
  console.log(row('event → first model request, cold sandbox', cold));
  console.log(row('event → first model request, warm (piped)', warm));
}

async function benchOutbound(): Promise<void> {
  const slack = await startFakeSlack();
  const channel = new SlackChannel(
    { botToken: slack.botToken, appToken: slack.appToken, apiUrl: slack.url },
    { log: silentLogger(), receive: async () => {} },
    DEFAULT_OPTIONS,
  );
  const rate = async (label: string, n: number, text: string) => {
    const t0 = Date.now();
    for (let i = 0; i < n; i++) {
      await channel.send({ chatId: `slack:${CHANNEL}`, messageId: `${label}${i}`, text });
    }
    const seconds = (Date.now() - t0) / 1000;
    const calls = slack.calls.filter((c) => c.method === 'chat.postMessage').length;
    console.log(
      `${label.padEnd(48)} ${(n / seconds).toFixed(1)} msg/s (${calls} chat.postMessage calls)`,
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
