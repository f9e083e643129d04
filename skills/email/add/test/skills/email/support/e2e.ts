/**
 * What the email end-to-end tests share: the host harness of every channel skill
 * (test/support/channel-e2e.ts) with the mail world (real dovecot + local SMTP server) and the
 * settings `skills add email --set …` writes for it, and the mail the agent sent.
 */
import { dotenvOf, startHostE2e, untilCli, type HostE2e } from '../../../support/channel-e2e.js';
import { startMailWorld, type MailWorld } from './harness.js';
import type { SentMail } from './smtp.js';

export { untilCli };

export interface E2e extends HostE2e {
  world: MailWorld;
  /** Mail the agent sent whose text contains `match`. */
  replies(match: string): SentMail[];
}

export async function startE2e(prefix: string, extraDotenv = ''): Promise<E2e> {
  const world = await startMailWorld();
  const host = await startHostE2e(prefix, {
    dotenv: `${dotenvOf(world.values())}${extraDotenv}`,
    apiKey: 'sk-e2e-email-key',
  });
  return {
    ...host,
    world,
    replies: (match) =>
      world.smtp.sent.filter((m) => m.user === 'agent' && (m.parsed.text ?? '').includes(match)),
    async close() {
      await world.close();
      await host.close();
    },
  };
}
