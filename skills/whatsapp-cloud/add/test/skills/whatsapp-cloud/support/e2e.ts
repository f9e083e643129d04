/**
 * What the WhatsApp Cloud end-to-end tests share: the host harness of every channel skill
 * (test/support/channel-e2e.ts) with a fake Graph API on loopback and the skill's settings
 * pointing at it (the webhook on a fixed loopback port, since the host process picks no port of
 * its own), and what the business number sent.
 */
import { dotenvOf, startHostE2e, type HostE2e } from '../../../support/channel-e2e.js';
import { freePort } from '../../../support/channel-harness.js';
import { startFakeGraph, type FakeGraph, type GraphCall } from './fake-graph.js';
import { APP_SECRET, VERIFY_TOKEN } from './webhooks.js';

export interface E2e extends HostE2e {
  graph: FakeGraph;
  webhook: string;
  /** Text messages sent to the number whose body includes `match`. */
  textsTo(waId: string, match: string): GraphCall[];
}

export const textOf = (call: GraphCall): string =>
  (call.body.text as { body?: string } | undefined)?.body ?? '';

export async function startE2e(prefix: string, token?: string): Promise<E2e> {
  const graph = await startFakeGraph(token ? { token } : {});
  const port = await freePort();
  const settings = {
    WHATSAPP_TOKEN: graph.token,
    WHATSAPP_PHONE_NUMBER_ID: graph.phoneNumberId,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    WHATSAPP_GRAPH_URL: graph.url,
    WHATSAPP_WEBHOOK_PORT: String(port),
  };
  const host = await startHostE2e(prefix, {
    dotenv: dotenvOf(settings),
    apiKey: 'sk-e2e-whatsapp-key',
  });
  return {
    ...host,
    graph,
    webhook: `http://127.0.0.1:${port}/webhook`,
    textsTo: (waId, match) =>
      graph.sent().filter((c) => c.body.to === waId && textOf(c).includes(match)),
    async close() {
      await graph.close();
      await host.close();
    },
  };
}
