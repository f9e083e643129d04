/**
 * What the Slack end-to-end tests share: a fake model and a fake Slack on loopback, a
 * NANOCLAW_HOME holding the skill's settings as `skills add --set …` writes them, the
 * environment for the real host (bubblewrap) and the real CLI, and looks at what the bot posted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempHome, type CliResult } from '../../../support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../../support/fake-anthropic.js';
import { startFakeSlack, type FakeCall, type FakeSlack } from './fake-slack.js';

export interface E2e {
  model: FakeAnthropic;
  slack: FakeSlack;
  home: string;
  env: Record<string, string>;
  /** The real `nanoclaw` CLI with this home; a non-zero exit or stderr output throws. */
  cli(args: string[]): Promise<CliResult>;
  /** chat.postMessage calls to `channel` whose text contains `match`. */
  posts(channel: string, match?: string): FakeCall[];
  close(): Promise<void>;
}

export function slackEnvFile(slack: FakeSlack, extra = ''): string {
  return (
    `${extra}SLACK_BOT_TOKEN=${slack.botToken}\nSLACK_APP_TOKEN=${slack.appToken}\n` +
    `SLACK_API_URL=${slack.url}\n`
  );
}

export async function startE2e(prefix: string, slackOptions = {}): Promise<E2e> {
  const model = await startFakeAnthropic();
  const slack = await startFakeSlack(slackOptions);
  const home = tempHome(prefix);
  fs.writeFileSync(path.join(home, '.env'), slackEnvFile(slack), { mode: 0o600 });
  const env = {
    NANOCLAW_HOME: home,
    NANOCLAW_RUNTIME: 'bwrap',
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-e2e-slack-key',
    IDLE_TIMEOUT_MS: '2000',
    TZ: 'UTC',
  };
  return {
    model,
    slack,
    home,
    env,
    async cli(args) {
      const result = await runCli(args, env);
      if (result.code !== 0 || result.stderr !== '') {
        throw new Error(`nanoclaw ${args.join(' ')} → ${result.code}\n${result.stderr}`);
      }
      return result;
    },
    posts: (channel, match = '') =>
      slack.calls.filter(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.params.channel === channel &&
          String(c.params.text).includes(match),
      ),
    async close() {
      await slack.close();
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
