/**
 * `delegate` end to end: the real `nanoclaw run` CLI, real bubblewrap sandboxes, the real SDK
 * CLI in each and the fake model, which holds the workers' first requests to see them in flight
 * at once (test/support/fake-delegate.ts). Four sub-tasks under a worker cap of three: three
 * overlap, the fourth starts only after one has ended; one fails and is reported while the others
 * answer; a worker is neither offered delegate nor allowed it, and cannot write the group folder.
 * Then: stopping the lead stops every worker, and no sandbox process is left; and in the running
 * host (`nanoclaw start`), a worker speaks in the web chat under its own name.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceId } from '../src/host.js';
import { CLI, runCli, tempHome } from './support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { workerBarrier, type WorkerBarrier } from './support/fake-delegate.js';
import { until } from './support/attacks.js';
import { postMessage, startHostProcess, waitForHistory } from './support/host-process.js';

/** Processes of this installation's sandboxes (they carry its instance id in their environment). */
function sandboxPids(instance: string): number[] {
  const mark = `NANOCLAW_INSTANCE=${instance}`;
  return fs.readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      return env.includes(mark) ? [Number(entry)] : [];
    } catch {
      return []; // gone meanwhile, or not ours to read
    }
  });
}

const delegateLine = (tasks: { name: string; prompt: string }[]) =>
  `TOOL: mcp__nanoclaw__delegate ${JSON.stringify({ tasks })}`;

describe('delegate: workers in their own sandboxes', () => {
  let barrier: WorkerBarrier;
  let fake: FakeAnthropic;
  let home: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    barrier = workerBarrier(4);
    fake = await startFakeAnthropic({ hold: (body) => barrier.hold(body) });
    home = tempHome('nanoclaw-delegate-');
    env = {
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-delegate-key',
      MAX_CONCURRENT_SANDBOXES: '6',
      MAX_SANDBOXES_PER_GROUP: '5',
      MAX_WORKERS_PER_GROUP: '3',
    };
  });

  afterAll(async () => {
    barrier.release();
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('runs workers at once within the cap, gathers answers and reports a failure', async () => {
    const nested = JSON.stringify({ tasks: [{ prompt: 'x' }] });
    const delegateCall =
      `curl -s -X POST -H "authorization: Bearer $ANTHROPIC_API_KEY" ` +
      `-H 'content-type: application/json' -d '${nested}' "$NANOCLAW_HOST_URL/api/delegate"`;
    const tasks = [
      {
        name: 'alpha',
        prompt:
          'BARRIER W-alpha\nRUN: (touch /workspace/group/w 2>/dev/null && echo GROUP-WRITABLE) ' +
          '|| echo GROUP-RO; touch /workspace/scratch/s && echo SCRATCH-OK; echo RESULT-ALPHA',
      },
      { name: 'beta', prompt: 'BARRIER W-beta\nRUN: echo RESULT-BETA' },
      { name: 'gamma', prompt: `BARRIER W-gamma\nRUN: ${delegateCall}; echo RESULT-GAMMA` },
      // Kills its own SDK CLI: the worker's run fails.
      { name: 'delta', prompt: 'BARRIER W-delta\nRUN: kill -9 $PPID' },
    ];
    const run = runCli(['run', delegateLine(tasks)], env, { timeoutMs: 180_000 });
    // Three workers are held in flight at the fake at once; the fourth is not let in.
    await until(() => (barrier.peak() >= 3 ? true : undefined), 120_000);
    await new Promise((r) => setTimeout(r, 5000)); // room for a fourth, were the cap broken
    expect(barrier.peak()).toBe(3);
    barrier.release();
    const out = await run;
    expect(out.code, out.stderr).toBe(0);
    const firsts = barrier.log.filter((e) => e.what === 'first-request').map((e) => e.worker);
    expect(firsts.slice(0, 3).sort()).toEqual(['alpha', 'beta', 'gamma']);
    // The fourth began only after one of the three had answered and ended.
    const delta = barrier.log.findIndex((e) => e.worker === 'delta');
    expect(barrier.log.slice(0, delta).some((e) => e.what === 'answer-turn')).toBe(true);
    // The lead's tool result holds every worker's answer and the failure.
    for (const word of ['RESULT-ALPHA', 'RESULT-BETA', 'RESULT-GAMMA']) {
      expect(out.stdout).toContain(word);
    }
    expect(out.stdout).toMatch(/"name": "delta",\s*"status": "failed"/);
    expect(out.stdout).toContain('GROUP-RO');
    expect(out.stdout).toContain('SCRATCH-OK');
    expect(out.stdout).not.toContain('GROUP-WRITABLE');
    expect(out.stdout).toContain('a worker cannot delegate further');
    // The tool is offered to the lead, not to a worker (the CLI lists MCP tools by name as
    // deferred tools, so the whole request is searched).
    const said = (r: { body: unknown }) => JSON.stringify(r.body);
    const worker = said(
      fake.requests.find((r) => said(r).includes('You are worker beta')) ?? { body: {} },
    );
    const lead = said(
      fake.requests.find((r) => !said(r).includes('You are worker')) ?? { body: {} },
    );
    expect(lead).toContain('mcp__nanoclaw__delegate');
    expect(worker).not.toContain('mcp__nanoclaw__delegate');
    expect(worker).toContain('mcp__nanoclaw__send_message');
    // Every worker's run is in the audit trail as the group's, naming its lead.
    const audit = await runCli(['audit', '--json', '--limit', '100'], env);
    const runs = audit.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; group: string; detail?: { worker?: string } })
      .filter((r) => r.kind === 'sandbox');
    const workers = runs.filter((r) => r.detail?.worker).map((r) => [r.group, r.detail?.worker]);
    expect(workers.sort()).toEqual([
      ['main', 'alpha'],
      ['main', 'beta'],
      ['main', 'delta'],
      ['main', 'gamma'],
    ]);
  }, 240_000);

  it('stopping the lead stops every worker: no sandbox process is left', async () => {
    const stopBarrier = workerBarrier(3);
    await fake.close();
    const held = await startFakeAnthropic({ hold: (body) => stopBarrier.hold(body) });
    const tasks = ['one', 'two', 'three'].map((n) => ({
      name: n,
      prompt: `BARRIER W-${n}\nRUN: sleep 100`,
    }));
    const child = spawn(process.execPath, [CLI, 'run', delegateLine(tasks)], {
      env: {
        PATH: process.env.PATH ?? '',
        LOG_LEVEL: 'warn',
        ...env,
        ANTHROPIC_BASE_URL: held.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await until(() => (stopBarrier.filled() ? true : undefined), 120_000);
      const instance = instanceId(home);
      expect(sandboxPids(instance).length).toBeGreaterThan(3); // the lead and three workers
      child.kill('SIGINT');
      expect(await exited).not.toBe(0);
      await until(() => (sandboxPids(instance).length === 0 ? true : undefined), 20_000);
    } finally {
      stopBarrier.release();
      child.kill('SIGKILL');
      await held.close();
    }
  }, 180_000);

  it('in the running host, a worker speaks in the web chat under its own name, its steps shown', async () => {
    const web = await startFakeAnthropic();
    const host = await startHostProcess({
      ...env,
      ANTHROPIC_BASE_URL: web.url,
      IDLE_TIMEOUT_MS: '2000',
    });
    try {
      const events = await fetch(`${host.url}/api/chats/web%3Amain/events`);
      const reader = events.body?.getReader();
      let streamed = '';
      void (async () => {
        const decoder = new TextDecoder();
        for (;;) {
          const chunk = await reader?.read().catch(() => undefined);
          if (!chunk || chunk.done) break;
          streamed += decoder.decode(chunk.value);
        }
      })();
      const speak = 'TOOL: mcp__nanoclaw__send_message {"text":"SCOUT-HERE"}';
      const line = delegateLine([{ name: 'scout', prompt: speak }]);
      expect((await postMessage(host.url, 'web:main', line)).status).toBe(201);
      const messages = await waitForHistory(
        host.url,
        'web:main',
        (m) => m.some((x) => x.fromAssistant && x.text.includes('"results"')),
        120_000,
      );
      const said = messages.filter((m) => m.fromAssistant).map((m) => [m.sender, m.text]);
      expect(said[0]).toEqual(['scout', 'SCOUT-HERE']);
      expect(said[1]?.[0]).toBe('Andy'); // the lead's answer, carrying the worker's result
      expect(said[1]?.[1]).toContain('"status": "done"');
      // The worker's steps reached the live stream as activity tagged with its name.
      expect(streamed).toMatch(/"agent":"scout","text":"started"/);
      expect(streamed).toMatch(/"agent":"scout","text":"mcp__nanoclaw__send_message/);
      expect(streamed).toMatch(/"agent":"scout","text":"done"/);
      await reader?.cancel();
    } finally {
      await host.stop('SIGKILL');
      await web.close();
    }
  }, 180_000);
});
