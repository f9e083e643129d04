/**
 * What every channel skill's end-to-end tests share: a fake model on loopback, a NANOCLAW_HOME
 * holding the skill's settings as `skills add --set …` writes them (a 0600 `.env`), the
 * environment for the real host (bubblewrap) and the real CLI. Each skill starts its own fake
 * platform, passes the settings that point at it, and adds its own looks at what the bot sent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempHome, type CliResult } from './cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';

export interface HostE2e {
  model: FakeAnthropic;
  home: string;
  env: Record<string, string>;
  /** The real `nanoclaw` CLI with this home; a non-zero exit or stderr output throws. */
  cli(args: string[]): Promise<CliResult>;
  /** Closes the model and removes the home (the skill closes its own fake first). */
  close(): Promise<void>;
}

export interface HostE2eOptions {
  /** The `.env` the skill's settings make, as `skills add --set …` writes it. */
  dotenv: string;
  /** The model key the host is given (each skill its own, so a leak names its test). */
  apiKey: string;
  /** How long an idle sandbox stays (IDLE_TIMEOUT_MS). */
  idleTimeoutMs?: number;
}

/** `KEY=value` lines of a `.env`. */
export function dotenvOf(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');
}

export async function startHostE2e(prefix: string, options: HostE2eOptions): Promise<HostE2e> {
  const model = await startFakeAnthropic();
  const home = tempHome(prefix);
  fs.writeFileSync(path.join(home, '.env'), options.dotenv, { mode: 0o600 });
  const env = {
    NANOCLAW_HOME: home,
    NANOCLAW_RUNTIME: 'bwrap',
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: options.apiKey,
    IDLE_TIMEOUT_MS: String(options.idleTimeoutMs ?? 2000),
    TZ: 'UTC',
  };
  return {
    model,
    home,
    env,
    async cli(args) {
      const result = await runCli(args, env);
      if (result.code !== 0 || result.stderr !== '') {
        throw new Error(`nanoclaw ${args.join(' ')} → ${result.code}\n${result.stderr}`);
      }
      return result;
    },
    async close() {
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
