/**
 * The agent runner with the real Claude Agent SDK CLI, through a real gateway, against the
 * fake model: sessions, follow-ups, memory, our MCP tools, subagents and bad input.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunnerToHost } from '../src/shared/protocol.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { startRunnerHarness, type RunnerHarness } from './support/runner.js';

const isResult = (e: RunnerToHost) => e.type === 'result';
const bodyOf = (fake: FakeAnthropic, i: number) => JSON.stringify(fake.requests.at(i)?.body ?? {});

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
    expect(run.stderr()).toContain('cannot be resumed');
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
    const sessions = new Set(
      fake.requests.slice(before).map((r) => r.headers['x-claude-code-session-id']),
    );
    expect(sessions.size).toBe(1);
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
    const run = harness.start({ prompt: 'AGENT: sleep 1; echo from-subagent > sub.txt' });
    run.send({ type: 'close' });
    expect(await run.exit).toBe(0);
    expect(fs.readFileSync(path.join(harness.cwd, 'sub.txt'), 'utf8')).toBe('from-subagent\n');
    const doneAt = run.events.findIndex((e) => e.type === 'done');
    expect(doneAt).toBe(run.events.length - 1);
    expect(run.events.filter(isResult).length).toBeGreaterThanOrEqual(1);
  });

  it('rejects a bad first line with an error event and a non-zero exit', async () => {
    const run = harness.start({ prompt: 'x', type: undefined as never });
    expect(await run.exit).not.toBe(0);
    const junk = harness.start({ prompt: 'unused' });
    junk.send('this is not json');
    junk.send({ type: 'close' });
    await junk.exit;
    expect(junk.events.some((e) => e.type === 'error' && /bad input line/.test(e.message))).toBe(
      true,
    );
  });
});
