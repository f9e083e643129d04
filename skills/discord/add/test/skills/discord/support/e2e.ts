/**
 * What the Discord end-to-end tests share: the host harness of every channel skill
 * (test/support/channel-e2e.ts) with a fake Discord on loopback and the skill's settings pointing
 * at it, and looks at what the bot sent.
 */
import { startHostE2e, untilCli, type HostE2e } from '../../../support/channel-e2e.js';
import { startFakeDiscord, type FakeDiscord, type RestCall } from './fake-discord.js';

export { untilCli };

export interface E2e extends HostE2e {
  discord: FakeDiscord;
  /** Messages the bot created in `channelId` whose content includes `match`. */
  sentTo(channelId: string, match?: string): RestCall[];
}

export async function startE2e(prefix: string, options: { token?: string } = {}): Promise<E2e> {
  const discord = await startFakeDiscord(options.token ? { token: options.token } : {});
  const host = await startHostE2e(prefix, {
    dotenv: `DISCORD_BOT_TOKEN=${discord.token}\nDISCORD_API_URL=${discord.url}\n`,
    apiKey: 'sk-e2e-discord-key',
  });
  return {
    ...host,
    discord,
    sentTo: (channelId, match = '') =>
      discord.created.filter(
        (c) =>
          c.path === `/channels/${channelId}/messages` && String(c.body.content).includes(match),
      ),
    async close() {
      await discord.close();
      await host.close();
    },
  };
}
