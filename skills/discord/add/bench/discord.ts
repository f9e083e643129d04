/**
 * Discord figures (added by the discord skill; run with `npx tsx bench/discord.ts` after
 * `npm run build`): a MESSAGE_CREATE on the fake Gateway → the first model request through
 * discord.js and the real host process (bwrap, SDK CLI, fake model), cold and warm; and
 * outbound throughput of the real adapter against the fake REST API, plain and with 429s.
 * Prints figures, asserts nothing.
 */
import fs from 'node:fs';
import { silentLogger } from '../src/log.js';
import { DEFAULT_OPTIONS, DiscordChannel } from '../src/channels/discord/channel.js';
import { runCli, tempHome } from '../test/support/cli.js';
import { startFakeAnthropic } from '../test/support/fake-anthropic.js';
import { startHostProcess } from '../test/support/host-process.js';
import { GENERAL, startFakeDiscord } from '../test/skills/discord/support/fake-discord.js';
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
  const discord = await startFakeDiscord();
  const home = tempHome('nanoclaw-bench-dc-');
  fs.writeFileSync(
    `${home}/.env`,
    `DISCORD_BOT_TOKEN=${discord.token}\nDISCORD_API_URL=${discord.url}\n`,
  );
  const env = {
    NANOCLAW_HOME: home,
    NANOCLAW_RUNTIME: 'bwrap',
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-bench',
    IDLE_TIMEOUT_MS: '3000',
  };
  await runCli(['groups', 'add', 'dc', '--chat', `discord:${GENERAL.id}`, '--no-trigger'], env);
  const host = await startHostProcess(env);
  await until(
    () => discord.gateway.state.identifies > 0 && discord.gateway.socket !== undefined,
    30_000,
  );
  await sleep(500); // GUILD_CREATE handled, the client ready
  const replies = () => discord.created.length;
  const sample = async (text: string): Promise<number> => {
    const before = model.requests.length;
    const answered = replies();
    const t0 = Date.now();
    discord.guildMessage(text);
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
  await discord.close();
  await model.close();
  fs.rmSync(home, { recursive: true, force: true });
  console.log('\n## Discord in (host process, discord.js, fake Gateway, bwrap, fake model)');
  console.log(row('MESSAGE_CREATE → first model request, cold sandbox', cold));
  console.log(row('MESSAGE_CREATE → first model request, warm (piped)', warm));
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
    const t0 = Date.now();
    for (let i = 0; i < n; i++) {
      await channel.send({ chatId: `discord:${GENERAL.id}`, messageId: `${label}-${i}`, text });
    }
    const seconds = (Date.now() - t0) / 1000;
    const posts = discord.calls.filter((c) => c.path.endsWith('/messages')).length;
    console.log(`${label.padEnd(48)} ${(n / seconds).toFixed(1)} msg/s (${posts} POSTs)`);
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
