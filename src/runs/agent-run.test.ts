/**
 * The host side of a run against a hostile runner. The "sandbox" here is a plain node child
 * process (the runtime is the injected boundary; real sandboxes are covered elsewhere) that
 * prints what a compromised runner might: junk, over-long lines, floods.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCapabilityRegistry } from '../gateway/capabilities.js';
import { silentLogger } from '../log.js';
import type { SandboxProcess, SandboxRuntime } from '../sandbox/runtime.js';
import type { SandboxSpec } from '../sandbox/spec.js';
import type { RunnerToHost } from '../shared/protocol.js';
import type { RunContext } from '../gateway/types.js';
import { startAgentRun } from './agent-run.js';

function scriptRuntime(script: string): SandboxRuntime {
  return {
    name: 'bwrap',
    spawn: (_spec, signal) =>
      spawn(process.execPath, ['-e', script], {
        stdio: ['pipe', 'pipe', 'pipe'],
        signal,
      }) as SandboxProcess,
    probe: async () => ({ ok: true }),
    cleanupOrphans: async () => 0,
  };
}

const spec = {
  limits: { timeoutMs: 30_000, outputMb: 3, diskMb: 1, diskScanEntries: 50 },
} as SandboxSpec;
const context = { runId: 'r1', group: { folder: 'main', isMain: true } };
const start = { group: context.group, prompt: 'p', assistantName: 'A', timezone: 'UTC' };

async function runWith(
  script: string,
  folders?: string[],
  sdkUsage?: (context: RunContext, usage: RunnerToHost) => void,
) {
  const capabilities = createCapabilityRegistry();
  const run = startAgentRun(
    { spec, context, start, ...(folders ? { folders } : {}) },
    {
      runtime: scriptRuntime(script),
      capabilities,
      gateway: { kind: 'unix', path: '/x' },
      ...(sdkUsage ? { sdkUsage } : {}),
      log: silentLogger(),
    },
    new AbortController().signal,
  );
  const events: RunnerToHost[] = [];
  for await (const event of run.events) events.push(event);
  return { events, outcome: await run.finished };
}

describe('agent run: untrusted runner output', () => {
  it('keeps valid events and drops junk, unknown types and over-long lines', async () => {
    const { events, outcome } = await runWith(`
      const w = (s) => process.stdout.write(s + '\\n');
      w('{"type":"ready"}');
      w('not json at all');
      w('{"type":"pwned","cmd":"rm -rf /"}');
      w('{"type":"result","text":42}');
      w(JSON.stringify({ type: 'text', text: 'x'.repeat(2 * 1024 * 1024) }));
      w('{"type":"result","text":"fine"}');
      w('{"type":"done"}');
    `);
    expect(events).toEqual([{ type: 'ready' }, { type: 'result', text: 'fine' }, { type: 'done' }]);
    expect(outcome.error).toBeUndefined();
  });

  it('a forged line names nothing beyond its own run: other groups, chats and paths are dropped', async () => {
    const { events } = await runWith(`
      const w = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
      w({ type: 'ready' });
      w({ type: 'session', sessionId: '../../other/../x', fresh: true });
      w({ type: 'session', sessionId: 'ok-1', fresh: true, group: 'other', folder: 'other' });
      w({ type: 'result', text: 'hi', chatId: 'web:other', group: { folder: 'other' } });
      w({ type: 'done' });
    `);
    // Identity comes from the run (its capability and socket), never from what a line claims.
    expect(events).toEqual([
      { type: 'ready' },
      { type: 'session', sessionId: 'ok-1', fresh: true },
      { type: 'result', text: 'hi' },
      { type: 'done' },
    ]);
  });

  it("hands the SDK's usage figures to the host for its run, never as chat events", async () => {
    const seen: { context: RunContext; usage: RunnerToHost }[] = [];
    const { events } = await runWith(
      `
      const w = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
      const m = (n) => ({ input: n, output: 1, cacheRead: 0, cacheWrite: 0 });
      w({ type: 'usage', costUsd: 0.01, models: { 'claude-haiku-4-5': m(10) } });
      w({ type: 'usage', costUsd: -1, models: {} });
      w({ type: 'usage', models: { 'claude-haiku-4-5': { ...m(10), input: -3 } } });
      w({ type: 'usage', costUsd: 0.02, models: { 'claude-haiku-4-5': m(20) } });
      w({ type: 'result', text: 'ok' });
      w({ type: 'done' });
    `,
      undefined,
      (context, usage) => seen.push({ context, usage }),
    );
    expect(events).toEqual([{ type: 'result', text: 'ok' }, { type: 'done' }]);
    expect(seen.map((s) => s.usage)).toEqual([
      {
        type: 'usage',
        costUsd: 0.01,
        models: { 'claude-haiku-4-5': { input: 10, output: 1, cacheRead: 0, cacheWrite: 0 } },
      },
      {
        type: 'usage',
        costUsd: 0.02,
        models: { 'claude-haiku-4-5': { input: 20, output: 1, cacheRead: 0, cacheWrite: 0 } },
      },
    ]);
    expect(seen[0]?.context).toMatchObject({ runId: 'r1', group: { folder: 'main' } });
  });

  it('ends a run that floods the host with malformed lines, and reports it', async () => {
    const { outcome } = await runWith(`
      process.stdout.write('{"type":"ready"}\\n');
      const junk = 'garbage\\n'.repeat(1000);
      const tick = () => process.stdout.write(junk, () => setTimeout(tick, 5));
      tick();
    `);
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.error?.message).toMatch(/ended unexpectedly/);
  });

  it('stops a runner whose valid output passes the total cap, and says why', async () => {
    const { events, outcome } = await runWith(`
      const line = JSON.stringify({ type: 'text', text: 'flood' }) + '\\n';
      const chunk = line.repeat(4096);
      const tick = () => process.stdout.write(chunk, () => setImmediate(tick));
      tick();
    `);
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.error?.message).toBe('the agent printed more than 3 MB and was stopped');
    expect(outcome.error?.retryable).toBe(false);
    // Events up to the cap were delivered; nothing unbounded was kept.
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan((4 * 1024 * 1024) / 30);
  });

  it('stops a run whose folders grow past the disk cap, and says why', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-run-disk-'));
    fs.writeFileSync(path.join(folder, 'before'), Buffer.alloc(4 * 1024 * 1024)); // not counted
    const { outcome } = await runWith(
      `require('fs').writeFileSync(${JSON.stringify(path.join(folder, 'fill'))}, Buffer.alloc(2 * 1024 * 1024));
      setInterval(() => {}, 1000);`,
      [folder],
    );
    fs.rmSync(folder, { recursive: true });
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.error?.message).toBe(
      'the agent wrote more than 1 MB into its folders and was stopped',
    );
    expect(outcome.error?.retryable).toBe(false);
  });

  it('stops a run whose folders cannot be measured (too many entries), and says what to do', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-run-disk-'));
    const links = path.join(folder, 'links');
    const { outcome } = await runWith(
      `const fs = require('fs'); fs.mkdirSync(${JSON.stringify(links)});
      for (let i = 0; i < 60; i++) fs.symlinkSync('x', ${JSON.stringify(links)} + '/' + i);
      setInterval(() => {}, 1000);`,
      [folder],
    );
    fs.rmSync(folder, { recursive: true });
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.error?.message).toBe(
      `the run's folders could not be measured against the disk cap (${folder}: more than 50 ` +
        'entries), so the agent run was stopped; remove files there or raise SANDBOX_DISK_SCAN_ENTRIES',
    );
    expect(outcome.error?.retryable).toBe(false);
  });

  it('a runner that dies without `done` is a failure with its last stderr line', async () => {
    const { outcome } = await runWith(
      `process.stderr.write('boom: out of memory\\n'); process.exit(3);`,
    );
    expect(outcome.exitCode).toBe(3);
    expect(outcome.error?.message).toContain('boom: out of memory');
  });
});
