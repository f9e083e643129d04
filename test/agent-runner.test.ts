/**
 * The agent runner with the real Claude Agent SDK CLI, through a real gateway, against the
 * fake model: sessions, follow-ups, memory, our MCP tools, subagents and bad input.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerToHostSchema, parseLine, type RunnerToHost } from '../src/shared/protocol.js';
import { APP_ROOT } from './support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { startRunnerHarness, type RunnerHarness } from './support/runner.js';

const isResult = (e: RunnerToHost) => e.type === 'result';
const bodyOf = (fake: FakeAnthropic, i: number) => JSON.stringify(fake.requests.at(i)?.body ?? {});

/** The runner fed raw bytes on stdin, no gateway: for input it must refuse before starting. */
function runRaw(cwd: string, input: string): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [path.join(APP_ROOT, 'dist/agent/main.js')], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
}

describe('agent runner (real SDK CLI, fake model)', () => {
  let fake: FakeAnthropic;
  let harness: RunnerHarness;
  let sessionId = '';

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    harness = await startRunnerHarness(fake.url);
    fs.writeFileSync(
      path.join(harness.cwd, 'CLAUDE.md'),
      'GROUP-MEMORY-MARKER: the family likes tea.\n',
    );
  });

  afterAll(async () => {
    await harness.close();
    await fake.close();
  });

  it('runs a Bash turn, reports session, tool, result, then done on close', async () => {
    const run = harness.start({
      prompt: 'RUN: echo hi > out.txt && cat out.txt',
      globalMemory: 'GLOBAL-MEMORY-MARKER',
    });
    const session = await run.waitFor((e) => e.type === 'session');
    expect(session).toMatchObject({ fresh: true });
    const result = await run.waitFor(isResult);
    expect(result).toMatchObject({ type: 'result', text: 'DONE: hi' });
    expect(run.events.some((e) => e.type === 'tool' && e.name === 'Bash')).toBe(true);
    run.send({ type: 'close' });
    expect(await run.exit).toBe(0);
    expect(run.events.at(-1)).toEqual({ type: 'done' });
    expect(fs.readFileSync(path.join(harness.cwd, 'out.txt'), 'utf8')).toBe('hi\n');
    // Memory: the group's CLAUDE.md and the global memory both reach the model.
    const first = bodyOf(fake, -2);
    expect(first).toContain('GROUP-MEMORY-MARKER');
    expect(first).toContain('GLOBAL-MEMORY-MARKER');
    // The model saw the placeholder only; the gateway added the real key.
    expect(fake.requests.at(-1)?.headers['x-api-key']).toBe('sk-runner-test');
    sessionId = (session as { sessionId: string }).sessionId;
  });

  it('resumes a session: the next request carries the earlier turn', async () => {
    const before = fake.requests.length;
    const run = harness.start({ prompt: 'second turn please', sessionId: sessionId });
    expect(await run.waitFor((e) => e.type === 'session')).toMatchObject({
      sessionId: sessionId,
      fresh: false,
    });
    await run.waitFor(isResult);
    run.send({ type: 'close' });
    expect(await run.exit).toBe(0);
    const body = bodyOf(fake, before);
    expect(body).toContain('echo hi > out.txt');
    expect(body).toContain('second turn please');
  });

  it('an invalid stored session is replaced by a fresh one, once, and still answers', async () => {
    const before = fake.requests.length;
    const run = harness.start({
      prompt: 'hello after a lost session',
      sessionId: '3f1d2c9a-0000-4000-8000-000000000000',
    });
    const result = await run.waitFor(isResult);
    expect(result).toMatchObject({ text: 'ECHO: hello after a lost session' });
    run.send({ type: 'close' });
    expect(await run.exit).toBe(0);
    const sessions = run.events.filter((e) => e.type === 'session');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ fresh: true });
    expect(sessions[0]).not.toMatchObject({ sessionId: '3f1d2c9a-0000-4000-8000-000000000000' });
    expect(run.stderr()).toContain('cannot be resumed');
    expect(run.events.some((e) => e.type === 'error')).toBe(false);
    // The failed resume never reached the model; the fresh session asked it once.
    expect(fake.requests.length - before).toBe(1);
  });

  it('a model it cannot reach is an error line and a non-zero exit, not done', async () => {
    const run = harness.start({
      prompt: 'anyone there?',
      gateway: { kind: 'unix', path: path.join(harness.dir, 'no-such.sock') },
    });
    expect(await run.exit).not.toBe(0);
    const errors = run.events.filter((e) => e.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ retryable: true });
    expect(run.events.some((e) => e.type === 'done' || e.type === 'result')).toBe(false);
  });

  it('a follow-up sent during a tool call is seen by the model in the same session', async () => {
    const before = fake.requests.length;
    const run = harness.start({ prompt: 'RUN: sleep 2; echo slow-done' });
    await run.waitFor((e) => e.type === 'tool');
    run.send({ type: 'message', text: 'FOLLOW-UP-MARKER also this' });
    const results: RunnerToHost[] = [await run.waitFor(isResult)];
    if (!JSON.stringify(results).includes('FOLLOW-UP-MARKER'))
      results.push(await run.waitFor(isResult));
    run.send({ type: 'close' });
    expect(await run.exit).toBe(0);
    expect(JSON.stringify(results)).toContain('FOLLOW-UP-MARKER');
    const later = fake.requests.slice(before);
    expect(JSON.stringify(later.at(-1)?.body)).toContain('FOLLOW-UP-MARKER');
    const sessions = new Set(later.map((r) => r.headers['x-claude-code-session-id']));
    expect(sessions.size).toBe(1);
    // The CLI repeats its init message every turn; the host hears of the session once.
    expect(run.events.filter((e) => e.type === 'session')).toHaveLength(1);
    expect(run.events.at(-1)).toEqual({ type: 'done' });
  });

  it('send_message reaches the host with the run capability', async () => {
    const run = harness.start({
      prompt:
        'TOOL: mcp__nanoclaw__send_message {"text":"progress <internal>hidden</internal>update"}',
    });
    const result = await run.waitFor(isResult);
    expect(result).toMatchObject({ text: expect.stringContaining('Message sent') });
    run.send({ type: 'close' });
    await run.exit;
    expect(harness.sent.at(-1)).toMatchObject({
      context: { runId: 'run-1', group: { folder: 'main', isMain: true } },
      body: { text: 'progress update' },
    });
  });

  it('waits for a background subagent before reporting done', async () => {
    const run = harness.start({
      prompt: 'AGENT: sleep 1; echo from-subagent > sub.txt; echo SUB-OUT',
    });
    run.send({ type: 'close' });
    expect(await run.exit).toBe(0);
    expect(fs.readFileSync(path.join(harness.cwd, 'sub.txt'), 'utf8')).toBe('from-subagent\n');
    const doneAt = run.events.findIndex((e) => e.type === 'done');
    expect(doneAt).toBe(run.events.length - 1);
    // The turn that reads the subagent's completion notice is answered before `done`.
    const results = run.events.filter(isResult);
    expect(results.at(-1)).toMatchObject({ text: 'NOTIFIED' });
    const last = JSON.stringify(fake.requests.at(-1)?.body);
    expect(last).toContain('<task-notification>');
    expect(last).toContain('DONE: SUB-OUT'); // the subagent's own answer, not its prompt
  });

  it('input after start that is not a protocol line is reported, and the run goes on', async () => {
    const run = harness.start({ prompt: 'still here?' });
    run.send('this is not json');
    run.send({
      type: 'start',
      runId: 'run-2',
      group: { folder: 'other', isMain: false },
      prompt: 'again',
      gateway: { kind: 'unix', path: '/nonexistent.sock' },
      capability: 'a-second-capability',
      assistantName: 'Andy',
      timezone: 'UTC',
    });
    await run.waitFor(isResult);
    run.send({ type: 'close' });
    expect(await run.exit).toBe(0);
    const errors = run.events.filter((e) => e.type === 'error');
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e.type === 'error' && /bad input line/.test(e.message))).toBe(true);
    expect(run.events.at(-1)).toEqual({ type: 'done' });
  });

  it.each([
    ['not JSON', 'hello there\n'],
    ['not a start message', '{"type":"message","text":"hi"}\n'],
    ['no input at all', ''],
  ])('a first line that is %s: one error line, a non-zero exit', async (_, input) => {
    const run = await runRaw(harness.cwd, input);
    expect(run.code).not.toBe(0);
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(parseLine(RunnerToHostSchema, lines[0] ?? '')).toMatchObject({
      ok: true,
      value: { type: 'error', retryable: false, message: expect.stringMatching(/start message/) },
    });
  });
});
