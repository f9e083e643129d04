/**
 * Budgets through the real host process (`nanoclaw start`) and the web API: a group at its budget
 * gets no run and its chat is told once, however many messages come; the host status says so;
 * once the budget is cleared the next message is answered together with those that waited.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from './support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import {
  history,
  postMessage,
  startHostProcess,
  waitForHistory,
  type HostProcess,
} from './support/host-process.js';

const told = (m: { fromAssistant: boolean; text: string }) =>
  m.fromAssistant && m.text.includes('model budget');

describe('budgets in the running host', () => {
  let fake: FakeAnthropic;
  let home: string;
  let host: HostProcess | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    home = tempHome('nanoclaw-usage-host-');
    env = {
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-usage-host',
      IDLE_TIMEOUT_MS: '2000',
    };
    host = await startHostProcess(env);
  });

  afterAll(async () => {
    await host?.stop('SIGKILL');
    await fake?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('tells the chat once, runs nothing, then answers what waited once the budget is cleared', async () => {
    const url = host?.url ?? '';
    expect((await runCli(['budget', 'set', 'main', '--daily-tokens', '0'], env)).code).toBe(0);
    await postMessage(url, 'web:main', 'first question');
    const first = await waitForHistory(url, 'web:main', (m) => m.some(told));
    expect(first.filter(told)).toHaveLength(1);
    expect(first.find(told)?.text).toContain('nanoclaw budget set main --daily-tokens <amount>');
    const status = (await (await fetch(`${url}/api/status`)).json()) as { problems: string[] };
    expect(status.problems.join(' ')).toMatch(/Group main reached the daily model budget/);
    await postMessage(url, 'web:main', 'second question');
    // The second message is stored, then the group is woken and refused again: told no more.
    await waitForHistory(url, 'web:main', (m) => m.some((x) => x.text === 'second question'));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await history(url, 'web:main')).filter(told)).toHaveLength(1);
    expect(fake.requests.filter((r) => r.path.endsWith('/v1/messages'))).toHaveLength(0);

    expect((await runCli(['budget', 'clear', 'main'], env)).code).toBe(0);
    await postMessage(url, 'web:main', 'third question');
    const answered = await waitForHistory(url, 'web:main', (m) =>
      m.some((x) => x.fromAssistant && x.text.startsWith('ECHO:')),
    );
    // One turn answered all three: the prompt carried the messages that waited.
    const prompt = JSON.stringify(fake.requests.at(-1)?.body);
    for (const text of ['first question', 'second question', 'third question']) {
      expect(prompt).toContain(text);
    }
    expect(answered.filter(told)).toHaveLength(1);
  });
});
