/**
 * Attack: the Slack tokens never reach a sandbox. The real host runs the Slack channel with
 * both tokens in its .env; a scripted agent, woken by a Slack message, searches its sandbox for
 * them (environment of every process, files, the agent's own env, the host's .env) and prints
 * BLOCKED or BREACH per attempt; the reply arrives at the fake Slack. The tokens are assembled
 * inside the script, so they never appear in the message (which the agent sees); a control
 * marker planted in the group folder proves the same search does find what is there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assemble,
  controlAttempts,
  inEnviron,
  inFiles,
  plantControl,
  verdictsOf,
} from '../../support/channel-token.js';
import { runCli, tempHome } from '../../support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { slackEnvFile } from './support/e2e.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { CHANNEL, messageEvent, until } from './support/harness.js';

const BOT_PARTS = ['xoxb', '4242', 'attack', 'suite', 'Qz7abcdefghij'];
const APP_PARTS = ['xapp', '1', 'A4242', 'attack', 'Vb9klmnopqrst'];
const CONTROL = ['control', 'marker', 'Sk3'];

const ATTEMPTS = [
  assemble('B', BOT_PARTS),
  assemble('A', APP_PARTS),
  ...controlAttempts(CONTROL),
  inEnviron('bot-token', 'B'),
  inEnviron('app-token', 'A'),
  inFiles('bot-token', 'B'),
  inFiles('app-token', 'A'),
  `t slack-setting-in-env sh -c 'env | grep -q SLACK_'`,
  `t slack-host-env cat ${'$NANOCLAW_HOME'}/.env`,
];

describe('attack: the Slack tokens are nowhere inside a sandbox', () => {
  let model: FakeAnthropic;
  let slack: FakeSlack;
  let home: string;
  let host: HostProcess | undefined;

  beforeAll(async () => {
    model = await startFakeAnthropic();
    slack = await startFakeSlack({ botToken: BOT_PARTS.join('-'), appToken: APP_PARTS.join('-') });
    home = tempHome('nanoclaw-slack-attack-');
    fs.writeFileSync(
      path.join(home, '.env'),
      slackEnvFile(slack, 'ANTHROPIC_API_KEY=sk-slack-attack\n'),
      {
        mode: 0o600,
      },
    );
  });

  afterAll(async () => {
    await host?.stop('SIGKILL');
    await slack.close();
    await model.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('every attempt is BLOCKED, and the reply came through Slack', async () => {
    const env = { NANOCLAW_HOME: home, NANOCLAW_RUNTIME: 'bwrap', ANTHROPIC_BASE_URL: model.url };
    const added = await runCli(
      ['groups', 'add', 'family', '--chat', `slack:${CHANNEL}`, '--no-trigger'],
      env,
    );
    expect(added.code).toBe(0);
    plantControl(home, CONTROL);
    host = await startHostProcess(env);
    slack.event(messageEvent(CHANNEL, { text: `RUN: ${ATTEMPTS.join('; ')}` }));
    const reply = await until(
      () =>
        slack.calls.find(
          (c) =>
            c.method === 'chat.postMessage' && String(c.params.text).includes('slack-host-env'),
        ),
      90_000,
    );
    const verdicts = verdictsOf(String(reply.params.text));
    expect(verdicts).toEqual([
      'BREACH control-found',
      'BLOCKED bot-token-in-environ',
      'BLOCKED app-token-in-environ',
      'BLOCKED bot-token-in-files',
      'BLOCKED app-token-in-files',
      'BLOCKED slack-setting-in-env',
      'BLOCKED slack-host-env',
    ]);
    // The adapter really used both tokens (Socket Mode with the app token, the reply with the bot's).
    expect(
      slack.calls.some(
        (c) => c.method === 'apps.connections.open' && c.token === APP_PARTS.join('-'),
      ),
    ).toBe(true);
    expect(reply.token).toBe(BOT_PARTS.join('-'));
    expect(host.output()).not.toContain(BOT_PARTS.join('-'));
    expect(host.output()).not.toContain(APP_PARTS.join('-'));
  }, 180_000);
});
