/**
 * Discord figures (added by the discord skill; run with `npx tsx bench/discord.ts` after
 * `npm run build`): a MESSAGE_CREATE on the fake Gateway → the first model request through
 * discord.js and the real host process (bwrap, SDK CLI, fake model), cold and warm; and
 * outbound throughput of the real adapter against the fake REST API, plain and with 429s.
 * Prints figures, asserts nothing.
 */
import { silentLogger } from '../src/log.js';
import { DEFAULT_OPTIONS, DiscordChannel } from '../src/channels/discord/channel.js';
import { startHostProcess } from '../test/support/host-process.js';
import { startE2e } from '../test/skills/discord/support/e2e.js';
import { GENERAL, startFakeDiscord } from '../test/skills/discord/support/fake-discord.js';
import {
  coldWarm,
  firstRequestSampler,
  printColdWarm,
  printSendRate,
  sleep,
  until,
} from './support/channel.js';

async function benchInbound(): Promise<void> {
  const e2e = await startE2e('nanoclaw-bench-dc-');
  const { discord } = e2e;
  await e2e.cli(['groups', 'add', 'dc', '--chat', `discord:${GENERAL.id}`, '--no-trigger']);
  const host = await startHostProcess({ ...e2e.env, IDLE_TIMEOUT_MS: '3000' });
  await until(
    () => discord.gateway.state.identifies > 0 && discord.gateway.socket !== undefined,
    30_000,
  );
  await sleep(500); // GUILD_CREATE handled, the client ready
  const sample = firstRequestSampler({
    model: e2e.model,
    deliver: (text) => discord.guildMessage(text),
    replies: () => discord.created.length,
    onTimeout: () => console.error(host.output()),
  });
  const figures = await coldWarm(sample);
  await host.stop();
  await e2e.close();
  printColdWarm(
    'Discord in (host process, discord.js, fake Gateway, bwrap, fake model)',
    'MESSAGE_CREATE',
    figures,
  );
}

async function benchOutbound(): Promise<void> {
  const discord = await startFakeDiscord();
  const channel = new DiscordChannel(
    { token: discord.token, apiUrl: discord.url },
    { log: silentLogger(), receive: async () => {} },
    DEFAULT_OPTIONS,
  );
  const rate = async (label: string, n: number, text: string) => {
    discord.calls.length = 0;
    await printSendRate(
      label,
      n,
      (i) => channel.send({ chatId: `discord:${GENERAL.id}`, messageId: `${label}-${i}`, text }),
      () => `${discord.calls.filter((c) => c.path.endsWith('/messages')).length} POSTs`,
    );
  };
  console.log('\n## Discord out (real adapter and @discordjs/rest → fake REST v10)');
  await rate(
    'short messages, one channel',
    300,
    'Hello **there**, `code` and a [link](https://x.y)',
  );
  const long = `${'Some prose paragraph with words. '.repeat(40)}\n\n\`\`\`ts\n${'const x = 1;\n'.repeat(600)}\`\`\``;
  await rate(`long replies (${long.length} chars), one channel`, 20, long);
  discord.rateLimit(10, 0.1);
  await rate('short messages, 10 answered 429 (retry_after 0.1 s)', 50, 'limited');
  await channel.stop();
  await discord.close();
}

const only = process.argv[2];
if (!only || only === 'out') await benchOutbound();
if (!only || only === 'in') await benchInbound();
