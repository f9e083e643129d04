/**
 * What the WhatsApp Cloud end-to-end tests share: a fake model and a fake Graph API on loopback,
 * a NANOCLAW_HOME holding the skill's settings as `skills add --set …` writes them (the webhook
 * on a fixed loopback port, since the host process picks no port of its own), the environment
 * for the real host (bubblewrap), and what the business number sent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempHome, type CliResult } from '../../../support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../../support/fake-anthropic.js';
import { startFakeGraph, type FakeGraph, type GraphCall } from './fake-graph.js';
import { freePort } from './harness.js';
import { APP_SECRET, VERIFY_TOKEN } from './webhooks.js';

export interface E2e {
  model: FakeAnthropic;
  graph: FakeGraph;
  home: string;
  env: Record<string, string>;
  webhook: string;
  /** The real `nanoclaw` CLI with this home; a non-zero exit or stderr output throws. */
  cli(args: string[]): Promise<CliResult>;
  /** Text messages sent to the number whose body includes `match`. */
  textsTo(waId: string, match: string): GraphCall[];
  close(): Promise<void>;
}

export const textOf = (call: GraphCall): string =>
  (call.body.text as { body?: string } | undefined)?.body ?? '';

export async function startE2e(prefix: string, token?: string): Promise<E2e> {
  const model = await startFakeAnthropic();
  const graph = await startFakeGraph(token ? { token } : {});
  const home = tempHome(prefix);
  const port = await freePort();
  const settings = {
    WHATSAPP_TOKEN: graph.token,
    WHATSAPP_PHONE_NUMBER_ID: graph.phoneNumberId,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    WHATSAPP_GRAPH_URL: graph.url,
    WHATSAPP_WEBHOOK_PORT: String(port),
  };
  const dotenv = Object.entries(settings).map(([k, v]) => `${k}=${v}\n`);
  fs.writeFileSync(path.join(home, '.env'), dotenv.join(''), { mode: 0o600 });
  const env = {
    NANOCLAW_HOME: home,
    NANOCLAW_RUNTIME: 'bwrap',
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-e2e-whatsapp-key',
    IDLE_TIMEOUT_MS: '2000',
    TZ: 'UTC',
  };
  return {
    model,
    graph,
    home,
    env,
    webhook: `http://127.0.0.1:${port}/webhook`,
    async cli(args) {
      const result = await runCli(args, env);
      if (result.code !== 0 || result.stderr !== '') {
        throw new Error(`nanoclaw ${args.join(' ')} → ${result.code}\n${result.stderr}`);
      }
      return result;
    },
    textsTo: (waId, match) =>
      graph.sent().filter((c) => c.body.to === waId && textOf(c).includes(match)),
    async close() {
      await graph.close();
      await model.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
