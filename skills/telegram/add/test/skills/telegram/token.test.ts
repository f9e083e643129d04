/**
 * Attack: the Telegram bot token never reaches a sandbox. The real host runs the Telegram
 * channel with the token in its .env; a scripted agent, woken by a Telegram message, searches
 * its sandbox for the token (environment of every process, files, the agent's own env) and
 * prints BLOCKED or BREACH per attempt; the reply arrives at the fake Bot API. The token is
 * assembled inside the script, so it never appears in the message (which the agent sees); a
 * control marker planted in the group folder proves the same search does find what is there.
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
import { startFakeTelegram, type FakeTelegram } from './support/fake-telegram.js';
import { GROUP_CHAT, messageUpdate, until } from './support/harness.js';

const PARTS = ['987654:Tg', 'attack', 'suite', 'Qz7abcdefghijklmnopqrstuv'];
const TOKEN = PARTS.join('-');
/** A positive control: the same search finds a marker that IS in the sandbox (the group folder). */
const CONTROL = ['control', 'marker', 'Vb3'];

const ATTEMPTS = [
  assemble('T', PARTS),
  ...controlAttempts(CONTROL),
  inEnviron('tg-token', 'T'),
  inFiles('tg-token', 'T'),
  `t tg-setting-in-env sh -c 'env | grep -q TELEGRAM_'`,
  `t tg-host-env cat ${'$NANOCLAW_HOME'}/.env`,
];

describe('attack: the Telegram token is nowhere inside a sandbox', () => {
  let model: FakeAnthropic;
  let telegram: FakeTelegram;
  let home: string;
  let host: HostProcess | undefined;

  beforeAll(async () => {
    model = await startFakeAnthropic();
    telegram = await startFakeTelegram(TOKEN);
    home = tempHome('nanoclaw-tg-attack-');
    fs.writeFileSync(
      path.join(home, '.env'),
      `ANTHROPIC_API_KEY=sk-tg-attack\nTELEGRAM_BOT_TOKEN=${TOKEN}\nTELEGRAM_API_ROOT=${telegram.url}\n`,
      { mode: 0o600 },
    );
  });

  afterAll(async () => {
    await host?.stop('SIGKILL');
    await telegram.close();
    await model.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('every attempt is BLOCKED, and the reply came through Telegram', async () => {
    const env = { NANOCLAW_HOME: home, NANOCLAW_RUNTIME: 'bwrap', ANTHROPIC_BASE_URL: model.url };
    const added = await runCli(
      ['groups', 'add', 'family', '--chat', `telegram:${GROUP_CHAT.id}`, '--no-trigger'],
      env,
    );
    expect(added.code).toBe(0);
    plantControl(home, CONTROL);
    host = await startHostProcess(env);
    telegram.push(messageUpdate(GROUP_CHAT, { text: `RUN: ${ATTEMPTS.join('; ')}` }));
    const reply = await until(
      () =>
        telegram.calls.find(
          (c) => c.method === 'sendMessage' && String(c.params.text).includes('tg-host-env'),
        ),
      90_000,
    );
    const text = String(reply.params.text);
    const verdicts = verdictsOf(text);
    expect(verdicts).toEqual([
      'BREACH control-found',
      'BLOCKED tg-token-in-environ',
      'BLOCKED tg-token-in-files',
      'BLOCKED tg-setting-in-env',
      'BLOCKED tg-host-env',
    ]);
    // The adapter really used the token (it polled and answered with it).
    expect(telegram.calls.some((c) => c.method === 'getUpdates')).toBe(true);
    expect(host.output()).not.toContain(TOKEN);
  });
});
