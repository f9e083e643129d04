/**
 * What the Discord end-to-end tests share: a fake model and a fake Discord on loopback, a
 * NANOCLAW_HOME holding the skill's settings as `skills add --set …` writes them, the
 * environment for the real host (bubblewrap) and the real CLI, and looks at what the bot sent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempHome, type CliResult } from '../../../support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../../support/fake-anthropic.js';
import { startFakeDiscord, type FakeDiscord, type RestCall } from './fake-discord.js';

export interface E2e {
  model: FakeAnthropic;
  discord: FakeDiscord;
  home: string;
  env: Record<string, string>;
  /** The real `nanoclaw` CLI with this home; a non-zero exit or stderr output throws. */
  cli(args: string[]): Promise<CliResult>;
  /** Messages the bot created in `channelId` whose content includes `match`. */
  sentTo(channelId: string, match?: string): RestCall[];
  close(): Promise<void>;
}

export async function startE2e(prefix: string, options: { token?: string } = {}): Promise<E2e> {
  const model = await startFakeAnthropic();
  const discord = await startFakeDiscord(options.token ? { token: options.token } : {});
  const home = tempHome(prefix);
  fs.writeFileSync(
    path.join(home, '.env'),
    `DISCORD_BOT_TOKEN=${discord.token}\nDISCORD_API_URL=${discord.url}\n`,
    { mode: 0o600 },
  );
  const env = {
    NANOCLAW_HOME: home,
    NANOCLAW_RUNTIME: 'bwrap',
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-e2e-discord-key',
    IDLE_TIMEOUT_MS: '2000',
    TZ: 'UTC',
  };
  return {
    model,
    discord,
    home,
    env,
    async cli(args) {
      const result = await runCli(args, env);
      if (result.code !== 0 || result.stderr !== '') {
        throw new Error(`nanoclaw ${args.join(' ')} → ${result.code}\n${result.stderr}`);
      }
      return result;
    },
    sentTo: (channelId, match = '') =>
      discord.created.filter(
        (c) =>
          c.path === `/channels/${channelId}/messages` && String(c.body.content).includes(match),
      ),
    async close() {
      await discord.close();
      await model.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Polls `nanoclaw <args>` until its output matches (or throws after `timeoutMs`). */
export async function untilCli(
  env: Record<string, string>,
  args: string[],
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { stdout } = await runCli(args, env);
    if (pattern.test(stdout)) return stdout;
    if (Date.now() > deadline) throw new Error(`nanoclaw ${args.join(' ')}: ${stdout}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
