/**
 * What the email end-to-end tests share: a fake model, the mail world (real dovecot + local SMTP
 * server), a NANOCLAW_HOME holding the skill's settings as `skills add email --set …` writes
 * them, the environment for the real host (bubblewrap) and the real CLI, and the mail the agent
 * sent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempHome, type CliResult } from '../../../support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../../support/fake-anthropic.js';
import { startMailWorld, type MailWorld } from './harness.js';
import type { SentMail } from './smtp.js';

export interface E2e {
  model: FakeAnthropic;
  world: MailWorld;
  home: string;
  env: Record<string, string>;
  /** The real `nanoclaw` CLI with this home; a non-zero exit or stderr output throws. */
  cli(args: string[]): Promise<CliResult>;
  /** Mail the agent sent whose text contains `match`. */
  replies(match: string): SentMail[];
  close(): Promise<void>;
}

export async function startE2e(prefix: string, extraDotenv = ''): Promise<E2e> {
  const model = await startFakeAnthropic();
  const world = await startMailWorld();
  const home = tempHome(prefix);
  const dotenv = Object.entries(world.values())
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  fs.writeFileSync(path.join(home, '.env'), `${dotenv}\n${extraDotenv}`, { mode: 0o600 });
  const env = {
    NANOCLAW_HOME: home,
    NANOCLAW_RUNTIME: 'bwrap',
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-e2e-email-key',
    IDLE_TIMEOUT_MS: '2000',
    TZ: 'UTC',
  };
  return {
    model,
    world,
    home,
    env,
    async cli(args) {
      const result = await runCli(args, env);
      if (result.code !== 0 || result.stderr !== '') {
        throw new Error(`nanoclaw ${args.join(' ')} → ${result.code}\n${result.stderr}`);
      }
      return result;
    },
    replies: (match) =>
      world.smtp.sent.filter((m) => m.user === 'agent' && (m.parsed.text ?? '').includes(match)),
    async close() {
      await world.close();
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
