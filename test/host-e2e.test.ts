/**
 * End to end with the real host process (`nanoclaw start`), real bubblewrap sandboxes, the real
 * Claude Agent SDK CLI and a local fake model: the web API in, the reply out — also across a
 * crash of the host.
 */
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { runCli, tempHome } from './support/cli.js';
import {
  history,
  postMessage,
  startHostProcess,
  waitForHistory,
  type HostProcess,
} from './support/host-process.js';

describe('host end to end (web API → sandboxed agent → reply)', () => {
  let fake: FakeAnthropic;
  let home: string;
  let host: HostProcess | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    home = tempHome();
    env = {
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-e2e-host-key',
      IDLE_TIMEOUT_MS: '2000',
    };
  });

  afterEach(async () => {
    await host?.stop('SIGKILL');
    host = undefined;
  });

  afterAll(async () => {
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('a posted message gets its reply in the history and on the live stream', async () => {
    host = await startHostProcess(env);
    const events = await fetch(`${host.url}/api/chats/web%3Amain/events`);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const reader = events.body?.getReader();
    let streamed = '';
    const sawReply = (async () => {
      const decoder = new TextDecoder();
      while (reader && !streamed.includes('ECHO:')) {
        const { value, done } = await reader.read();
        if (done) break;
        streamed += decoder.decode(value);
      }
    })();
    const res = await postMessage(host.url, 'web:main', 'hello from the web');
    expect(res.status).toBe(201);
    const messages = await waitForHistory(host.url, 'web:main', (m) =>
      m.some((x) => x.fromAssistant),
    );
    expect(messages.map((m) => [m.fromAssistant, m.text])).toEqual([
      [false, 'hello from the web'],
      [true, expect.stringContaining('ECHO:')],
    ]);
    await sawReply;
    expect(streamed).toContain('event: message');
    expect(streamed).toContain('hello from the web');
    await reader?.cancel();
  });

  it('kill -9 during a turn: after a restart the message is answered, once', async () => {
    host = await startHostProcess(env);
    const before = fake.requests.length;
    await postMessage(host.url, 'web:main', 'RUN: sleep 4; echo slept');
    // Wait until the agent is inside its tool call, then crash the host.
    const until = Date.now() + 30_000;
    while (fake.requests.length === before && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(fake.requests.length).toBeGreaterThan(before);
    await host.stop('SIGKILL');
    host = await startHostProcess(env);
    const question = (m: { text: string }) => m.text.includes('sleep 4');
    const answered = (m: { fromAssistant: boolean; ts: number }[], asked: number) =>
      m.filter((x) => x.fromAssistant && x.ts > asked);
    const asked = (await history(host.url, 'web:main')).find(question)?.ts ?? 0;
    const messages = await waitForHistory(
      host.url,
      'web:main',
      (m) => answered(m, asked).length > 0,
    );
    expect(answered(messages, asked)).toHaveLength(1);

    // A reply already delivered is not produced or sent again after another crash.
    const requestsNow = fake.requests.length;
    await host.stop('SIGKILL');
    host = await startHostProcess(env);
    await new Promise((r) => setTimeout(r, 3000));
    const after = await history(host.url, 'web:main');
    expect(answered(after, asked)).toHaveLength(1);
    expect(fake.requests.length).toBe(requestsNow);
  });

  it('nanoclaw run works beside the running host, which keeps answering', async () => {
    host = await startHostProcess(env);
    const run = await runCli(['run', 'from the terminal'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ECHO: from the terminal');
    await postMessage(host.url, 'web:main', 'still here?');
    await waitForHistory(host.url, 'web:main', (m) =>
      m.some((x) => x.fromAssistant && x.text.includes('still here?')),
    );
  });

  it('rejects bad input with clear errors', async () => {
    host = await startHostProcess(env);
    const empty = await postMessage(host.url, 'web:main', '  ');
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: string }).error).toMatch(/empty/i);
    const big = await postMessage(host.url, 'web:main', 'x'.repeat(8001));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toContain('8000');
    const unknown = await postMessage(host.url, 'web:nobody', 'hi');
    expect(unknown.status).toBe(404);
  });

  it('starts without a model credential and says what to set', async () => {
    host = await startHostProcess({ NANOCLAW_HOME: tempHome(), NANOCLAW_RUNTIME: 'bwrap' });
    for (let i = 0; i < 50 && !host.output().includes('ANTHROPIC_API_KEY'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(host.output()).toContain('ANTHROPIC_API_KEY');
    const status = (await (await fetch(`${host.url}/api/status`)).json()) as {
      problems: string[];
    };
    expect(status.problems.join(' ')).toContain('CLAUDE_CODE_OAUTH_TOKEN');
    expect(host.output()).not.toMatch(/\n\s+at /);
  });
});
