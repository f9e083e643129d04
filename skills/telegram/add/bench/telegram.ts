/**
 * Telegram figures (added by the telegram skill; run with `npx tsx bench/telegram.ts` after
 * `npm run build`): a Telegram update → the first model request through grammY, the fake Bot
 * API and the real host process (bwrap, SDK CLI, fake model), cold and warm; and outbound
 * throughput of the real adapter against the fake, unlimited and under a flood limit.
 * Prints figures, asserts nothing.
 */
import fs from 'node:fs';
import { silentLogger } from '../src/log.js';
import { DEFAULT_OPTIONS, TelegramChannel } from '../src/channels/telegram/channel.js';
import { runCli, tempHome } from '../test/support/cli.js';
import { startFakeAnthropic } from '../test/support/fake-anthropic.js';
import { startHostProcess } from '../test/support/host-process.js';
import { startFakeTelegram } from '../test/skills/telegram/support/fake-telegram.js';
import { GROUP_CHAT, messageUpdate } from '../test/skills/telegram/support/harness.js';
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
  const telegram = await startFakeTelegram();
  const home = tempHome('nanoclaw-bench-tg-');
  fs.writeFileSync(
    `${home}/.env`,
    `TELEGRAM_BOT_TOKEN=${telegram.token}\nTELEGRAM_API_ROOT=${telegram.url}\n`,
  );
  const env = {
    NANOCLAW_HOME: home,
    NANOCLAW_RUNTIME: 'bwrap',
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-bench',
    IDLE_TIMEOUT_MS: '3000',
  };
  await runCli(['groups', 'add', 'tg', '--chat', `telegram:${GROUP_CHAT.id}`, '--no-trigger'], env);
  const host = await startHostProcess(env);
  await until(() => telegram.calls.some((c) => c.method === 'getUpdates'), 30_000);
  const replies = () => telegram.calls.filter((c) => c.method === 'sendMessage').length;
  const sample = async (text: string): Promise<number> => {
    const before = model.requests.length;
    const answered = replies();
    const t0 = Date.now();
    telegram.push(messageUpdate(GROUP_CHAT, { text }));
    await until(() => model.requests.length > before, 60_000).catch((e: unknown) => {
      console.error(host.output(), JSON.stringify(telegram.calls.map((c) => c.method)));
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
  await telegram.close();
  await model.close();
  fs.rmSync(home, { recursive: true, force: true });
  console.log('\n## Telegram in (host process, grammY, fake Bot API, bwrap, fake model)');
  console.log(row('update → first model request, cold sandbox', cold));
  console.log(row('update → first model request, warm (piped)', warm));
}

async function benchOutbound(): Promise<void> {
  const telegram = await startFakeTelegram();
  const channel = new TelegramChannel(
    { token: telegram.token, apiRoot: telegram.url },
    { log: silentLogger(), receive: async () => {} },
    DEFAULT_OPTIONS,
  );
  const send = (i: number, text: string, chat = 42) =>
    channel.send({ chatId: `telegram:${chat}`, messageId: `b${i}`, text });
  const rate = async (label: string, n: number, text: string, chats = 1) => {
    const t0 = Date.now();
    const perChat = Array.from({ length: chats }, async (_, c) => {
      for (let i = 0; i < n / chats; i++) await send(c * n + i, text, 1000 + c);
    });
    await Promise.all(perChat);
    const seconds = (Date.now() - t0) / 1000;
    const calls = telegram.calls.filter((c) => c.method === 'sendMessage').length;
    console.log(
      `${label.padEnd(48)} ${(n / seconds).toFixed(1)} msg/s (${calls} sendMessage calls)`,
    );
    telegram.calls.length = 0;
  };
  console.log('\n## Telegram out (real adapter and grammY → fake Bot API)');
  await rate(
    'short messages, one chat, no limit',
    300,
    'Hello **there**, `code` and a [link](https://x.y)',
  );
  const long = `${'Some prose paragraph with words. '.repeat(40)}\n\n\`\`\`ts\n${'const x = 1; // <c>\n'.repeat(900)}\`\`\``;
  await rate(`long replies (${long.length} chars), one chat`, 20, long);
  telegram.rateLimit(20);
  await rate('short messages, one chat, flood limit 20/s', 60, 'limited');
  await rate('short messages, 3 chats, flood limit 20/s each', 120, 'limited', 3);
  await channel.stop();
  await telegram.close();
}

const only = process.argv[2];
if (!only || only === 'out') await benchOutbound();
if (!only || only === 'in') await benchInbound();
