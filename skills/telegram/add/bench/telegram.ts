/**
 * Telegram figures (added by the telegram skill; run with `npx tsx bench/telegram.ts` after
 * `npm run build`): a Telegram update → the first model request through grammY, the fake Bot
 * API and the real host process (bwrap, SDK CLI, fake model), cold and warm; and outbound
 * throughput of the real adapter against the fake, unlimited and under a flood limit.
 * Prints figures, asserts nothing.
 */
import { silentLogger } from '../src/log.js';
import { DEFAULT_OPTIONS, TelegramChannel } from '../src/channels/telegram/channel.js';
import { startHostProcess } from '../test/support/host-process.js';
import { startE2e } from '../test/skills/telegram/support/e2e.js';
import { startFakeTelegram } from '../test/skills/telegram/support/fake-telegram.js';
import { GROUP_CHAT, messageUpdate } from '../test/skills/telegram/support/harness.js';
import { coldWarm, firstRequestSampler, printColdWarm, until } from './support/channel.js';

async function benchInbound(): Promise<void> {
  const e2e = await startE2e('nanoclaw-bench-tg-');
  const { telegram } = e2e;
  await e2e.cli(['groups', 'add', 'tg', '--chat', `telegram:${GROUP_CHAT.id}`, '--no-trigger']);
  const host = await startHostProcess({ ...e2e.env, IDLE_TIMEOUT_MS: '3000' });
  await until(() => telegram.calls.some((c) => c.method === 'getUpdates'), 30_000);
  const sample = firstRequestSampler({
    model: e2e.model,
    deliver: (text) => telegram.push(messageUpdate(GROUP_CHAT, { text })),
    replies: () => telegram.calls.filter((c) => c.method === 'sendMessage').length,
    onTimeout: () =>
      console.error(host.output(), JSON.stringify(telegram.calls.map((c) => c.method))),
  });
  const figures = await coldWarm(sample);
  await host.stop();
  await e2e.close();
  printColdWarm(
    'Telegram in (host process, grammY, fake Bot API, bwrap, fake model)',
    'update',
    figures,
  );
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
