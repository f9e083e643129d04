/**
 * What the Telegram end-to-end tests share: a fake model and a fake Bot API on loopback, a
 * NANOCLAW_HOME holding the skill's settings as `skills add --set …` writes them, the
 * environment for the real host (bubblewrap) and the real CLI, and looks at what the bot sent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempHome, type CliResult } from '../../../support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../../support/fake-anthropic.js';
import { startFakeTelegram, type FakeCall, type FakeTelegram } from './fake-telegram.js';
import { until } from './harness.js';

export interface E2e {
  model: FakeAnthropic;
  telegram: FakeTelegram;
  home: string;
  env: Record<string, string>;
  /** The real `nanoclaw` CLI with this home; a non-zero exit or stderr output throws. */
  cli(args: string[]): Promise<CliResult>;
  /** What the bot sent to `chatId` (sendMessage texts, sendDocument/sendPhoto captions). */
  sentTo(chatId: number): FakeCall[];
  close(): Promise<void>;
}

export async function startE2e(prefix: string): Promise<E2e> {
  const model = await startFakeAnthropic();
  const telegram = await startFakeTelegram();
  const home = tempHome(prefix);
  fs.writeFileSync(
    path.join(home, '.env'),
    `TELEGRAM_BOT_TOKEN=${telegram.token}\nTELEGRAM_API_ROOT=${telegram.url}\n`,
    { mode: 0o600 },
  );
  const env = {
    NANOCLAW_HOME: home,
    NANOCLAW_RUNTIME: 'bwrap',
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-e2e-telegram-key',
    IDLE_TIMEOUT_MS: '2000',
    TZ: 'UTC',
  };
  return {
    model,
    telegram,
    home,
    env,
    async cli(args) {
      const result = await runCli(args, env);
      if (result.code !== 0 || result.stderr !== '') {
        throw new Error(`nanoclaw ${args.join(' ')} → ${result.code}\n${result.stderr}`);
      }
      return result;
    },
    sentTo: (chatId) =>
      telegram.calls.filter(
        (c) =>
          ['sendMessage', 'sendDocument', 'sendPhoto'].includes(c.method) &&
          Number(c.params.chat_id) === chatId,
      ),
    async close() {
      await telegram.close();
      await model.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The text of a sendMessage call (or a file's caption). */
export function sentText(call: FakeCall): string {
  return String(call.params.text ?? call.params.caption ?? '');
}

/** Waits until the fake has confirmed every update: the host stored (or dropped) each one. */
export async function allConfirmed(telegram: FakeTelegram): Promise<void> {
  await until(() => telegram.pending().length === 0, 30_000);
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
