/**
 * Scheduled tasks end to end: in the web chat, the (fake) model calls schedule_task; the host's
 * scheduler fires it in a real bwrap sandbox; its output arrives in the chat; the CLI and the
 * list_tasks tool show the run.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { runCli, tempHome } from './support/cli.js';
import {
  postMessage,
  startHostProcess,
  waitForHistory,
  type HostProcess,
} from './support/host-process.js';

describe('scheduled task from a chat, end to end', () => {
  let fake: FakeAnthropic;
  let home: string;
  let host: HostProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    home = tempHome();
    env = {
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-e2e-tasks',
      IDLE_TIMEOUT_MS: '1000',
    };
    host = await startHostProcess(env);
  });

  afterAll(async () => {
    await host.stop();
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('the agent schedules a task; it fires on time and its output reaches the chat', async () => {
    const at = new Date(Date.now() + 5000).toISOString();
    const call = JSON.stringify({
      prompt: 'TASK-OUTPUT please',
      schedule_type: 'once',
      schedule_value: at,
    });
    await postMessage(host.url, 'web:main', `TOOL: mcp__nanoclaw__schedule_task ${call}`);
    const messages = await waitForHistory(host.url, 'web:main', (m) =>
      m.some((x) => x.fromAssistant && x.text.includes('ECHO: TASK-OUTPUT please')),
    );
    const scheduledReply = messages.find((m) => m.fromAssistant && m.text.includes('DONE:'));
    expect(scheduledReply?.text).toContain('"status": "active"');
    const output = messages.find((m) => m.text.includes('ECHO: TASK-OUTPUT please'));
    expect(output?.ts).toBeGreaterThanOrEqual(Date.parse(at));
    // Labelled with its task in the history (the sender name), the text unchanged.
    expect([output?.sender, output?.task]).toEqual([
      'Andy · task: TASK-OUTPUT please',
      'TASK-OUTPUT please',
    ]);

    const list = await runCli(['tasks', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/task-[0-9a-f]{8}\s+main\s+completed\s+once/);
    const id = /task-[0-9a-f]{8}/.exec(list.stdout)?.[0] ?? '';
    const show = await runCli(['tasks', 'show', id], env);
    expect(show.stdout).toMatch(/success/);
    expect(show.stdout).toContain('ECHO: TASK-OUTPUT please');

    await postMessage(host.url, 'web:main', 'TOOL: mcp__nanoclaw__list_tasks {}');
    await waitForHistory(host.url, 'web:main', (m) =>
      m.some((x) => x.fromAssistant && x.text.includes(id) && x.text.includes('completed')),
    );
  });

  it('a task added from the CLI is picked up by the running host at once', async () => {
    const added = await runCli(
      ['tasks', 'add', '--group', 'main', '--every', '1h', '--prompt', 'CLI-TASK'],
      env,
    );
    expect(added.code).toBe(0);
    const id = /task-[0-9a-f]{8}/.exec(added.stdout)?.[0] ?? '';
    expect((await runCli(['tasks', 'run', id], env)).code).toBe(0);
    await waitForHistory(
      host.url,
      'web:main',
      (m) => m.some((x) => x.text.includes('ECHO: CLI-TASK')),
      30_000,
    );
    const bad = await runCli(
      ['tasks', 'add', '--group', 'main', '--cron', '61 * * * *', '--prompt', 'x'],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Cron "61 * * * *" is invalid');
  });
});
