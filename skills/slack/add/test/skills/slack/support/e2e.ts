/**
 * What the Slack end-to-end tests share: the host harness of every channel skill
 * (test/support/channel-e2e.ts) with a fake Slack on loopback and the skill's settings pointing
 * at it, and looks at what the bot posted.
 */
import { startHostE2e, untilCli, type HostE2e } from '../../../support/channel-e2e.js';
import { startFakeSlack, type FakeCall, type FakeSlack } from './fake-slack.js';

export { untilCli };

export interface E2e extends HostE2e {
  slack: FakeSlack;
  /** chat.postMessage calls to `channel` whose text contains `match`. */
  posts(channel: string, match?: string): FakeCall[];
}

export function slackEnvFile(slack: FakeSlack, extra = ''): string {
  return (
    `${extra}SLACK_BOT_TOKEN=${slack.botToken}\nSLACK_APP_TOKEN=${slack.appToken}\n` +
    `SLACK_API_URL=${slack.url}\n`
  );
}

export async function startE2e(prefix: string, slackOptions = {}): Promise<E2e> {
  const slack = await startFakeSlack(slackOptions);
  const host = await startHostE2e(prefix, {
    dotenv: slackEnvFile(slack),
    apiKey: 'sk-e2e-slack-key',
  });
  return {
    ...host,
    slack,
    posts: (channel, match = '') =>
      slack.calls.filter(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.params.channel === channel &&
          String(c.params.text).includes(match),
      ),
    async close() {
      await slack.close();
      await host.close();
    },
  };
}
