/**
 * Telegram end to end: the real host process (`nanoclaw start`, the skill applied), real
 * bubblewrap sandboxes, the real SDK CLI and a fake model, with the real adapter polling a fake
 * Bot API. A message in a registered group reaches the agent and its reply arrives at Telegram;
 * a kill -9 mid-turn is answered exactly once after the restart; the Bot API going away and
 * coming back is survived, and `nanoclaw channels` says so in between. Pairing, mentions and
 * files: e2e-*.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../../support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { startFakeTelegram, type FakeCall, type FakeTelegram } from './support/fake-telegram.js';
import { untilCli } from './support/e2e.js';
import { GROUP_CHAT, messageUpdate, until } from './support/harness.js';

describe('telegram end to end (host process, bwrap, SDK CLI, fake model, fake Bot API)', () => {
  let model: FakeAnthropic;
  let telegram: FakeTelegram;
  let home: string;
  let env: Record<string, string>;
  let host: HostProcess | undefined;
  const replies = (match: string) =>
    telegram.calls.filter(
      (c: FakeCall) =>
        c.method === 'sendMessage' &&
        c.params.chat_id === GROUP_CHAT.id &&
        String(c.params.text).includes(match),
    );

  beforeAll(async () => {
    model = await startFakeAnthropic();
    telegram = await startFakeTelegram();
    home = tempHome('nanoclaw-tg-e2e-');
    // Where `nanoclaw skills add telegram --set …` puts the settings.
    fs.writeFileSync(
      path.join(home, '.env'),
      `TELEGRAM_BOT_TOKEN=${telegram.token}\nTELEGRAM_API_ROOT=${telegram.url}\n`,
      { mode: 0o600 },
    );
    env = {
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: model.url,
      ANTHROPIC_API_KEY: 'sk-e2e-telegram-key',
      IDLE_TIMEOUT_MS: '2000',
    };
    const added = await runCli(
      ['groups', 'add', 'family', '--chat', `telegram:${GROUP_CHAT.id}`, '--no-trigger'],
      env,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
  });

  afterEach(async () => {
    await host?.stop('SIGKILL');
    host = undefined;
  });

  afterAll(async () => {
    await telegram.close();
    await model.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('a group message reaches the sandboxed agent and the reply arrives at Telegram', async () => {
    host = await startHostProcess(env);
    telegram.push(messageUpdate(GROUP_CHAT, { text: 'hello from telegram' }));
    const reply = await until(() => replies('hello from telegram')[0], 60_000);
    expect(reply.params.text).toContain('ECHO:');
    expect(reply.params.parse_mode).toBe('HTML');
    // "typing…" was shown while the agent worked.
    expect(telegram.calls.some((c) => c.method === 'sendChatAction')).toBe(true);
    // The update was confirmed once stored.
    await until(() => telegram.pending().length === 0);
  });

  it('kill -9 during a turn: after a restart the message is answered exactly once', async () => {
    host = await startHostProcess(env);
    const before = model.requests.length;
    telegram.push(messageUpdate(GROUP_CHAT, { text: 'RUN: sleep 4; echo slept-once' }));
    await until(() => model.requests.length > before, 60_000);
    await host.stop('SIGKILL');
    host = await startHostProcess(env);
    await until(() => replies('slept-once').length > 0, 90_000);
    // Give a duplicate every chance to appear, then check there is none.
    await new Promise((r) => setTimeout(r, 3000));
    expect(replies('slept-once')).toHaveLength(1);
  });

  it('the Bot API going away and coming back: reconnected, and the next message is answered', async () => {
    host = await startHostProcess(env);
    await until(() => telegram.calls.some((c) => c.method === 'getUpdates'));
    await telegram.pause();
    await until(() => host?.output().includes('telegram reconnecting'), 30_000);
    expect(host.output()).not.toContain(telegram.token);
    await telegram.resume();
    telegram.push(messageUpdate(GROUP_CHAT, { text: 'back again' }));
    await until(() => replies('back again')[0], 60_000);
  });

  it('nanoclaw channels says telegram is reconnecting (and why) while the Bot API is away, then connected', async () => {
    host = await startHostProcess(env);
    await untilCli(env, ['channels'], /^telegram\tconnected$/m);
    await telegram.pause();
    const away = await untilCli(env, ['channels'], /^telegram\treconnecting\b/m);
    expect(away).toMatch(
      /^telegram\treconnecting in \d+s: cannot reach the Bot API at \S+ \(\w+\)$/m,
    );
    expect(away).not.toContain(telegram.token);
    await telegram.resume();
    await untilCli(env, ['channels'], /^telegram\tconnected$/m);
  });
});
