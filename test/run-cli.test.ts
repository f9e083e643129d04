/**
 * End to end: `nanoclaw run` with the real host, a real bubblewrap sandbox, the real Claude Agent
 * SDK CLI inside it, and a local fake Anthropic API as the model upstream.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { runCli, tempHome } from './support/cli.js';

// Built so that no file or transcript inside the sandbox can contain it by accident.
const SECRET = ['sk', 'ant', 'real', 'e2e', 'Zq81x'].join('-');

describe('nanoclaw run (bwrap + SDK + fake model)', () => {
  let fake: FakeAnthropic;
  let home: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    home = tempHome();
    env = {
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: SECRET,
    };
  });

  afterAll(async () => {
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('runs Bash as uid 1000 in the sandbox; only the gateway ever holds the real key', async () => {
    // The pieces are joined inside, so the command text itself never contains the secret.
    const parts = SECRET.split('-');
    const probe =
      `id -u; S=${parts[0]}; for p in ${parts.slice(1).join(' ')}; do S="$S-$p"; done; ` +
      `{ env; cat /proc/[0-9]*/environ | tr '\\0' '\\n'; grep -rs . /home/agent /tmp; } 2>/dev/null ` +
      `| grep -c -- "$S"`;
    const result = await runCli(['run', `RUN: ${probe}`], env);
    expect(result.stderr).not.toContain(SECRET);
    expect(result.code).toBe(0);
    // "DONE: <tool output>": uid 1000, then zero occurrences of the real key inside.
    expect(result.stdout).toMatch(/DONE: 1000\n0\b/);
    const modelCalls = fake.requests.filter((r) => r.path.startsWith('/v1/messages'));
    expect(modelCalls.length).toBeGreaterThanOrEqual(2);
    for (const call of modelCalls) {
      expect(call.headers['x-api-key']).toBe(SECRET);
      expect(call.headers.authorization).toBeUndefined();
    }
  });

  it('resumes the group session: the second turn carries the first', async () => {
    fake.requests.length = 0;
    const first = await runCli(['run', 'remember the word PAPAYA'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('ECHO: remember the word PAPAYA');
    const second = await runCli(['run', 'what was the word?'], env);
    expect(second.code).toBe(0);
    const last = fake.requests.at(-1);
    expect(JSON.stringify(last?.body)).toContain('remember the word PAPAYA');
    expect(JSON.stringify(last?.body)).toContain('what was the word?');
  });

  it('keeps the group memory and writes into the group folder only', async () => {
    const result = await runCli(['run', 'RUN: echo made-here > note.txt && pwd'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('/workspace/group');
    const note = path.join(home, 'groups', 'main', 'note.txt');
    expect(fs.readFileSync(note, 'utf8')).toBe('made-here\n');
    expect(fs.statSync(note).uid).toBe(1000);
  });

  it('records every sandbox run and host API call in the audit trail', async () => {
    const sent = await runCli(['run', 'TOOL: mcp__nanoclaw__send_message {"text":"audited"}'], env);
    expect(sent.code).toBe(0);
    const audit = await runCli(['audit', '--json', '--limit', '20'], env);
    expect(audit.code).toBe(0);
    const records = audit.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const run = records.find((r) => r.kind === 'sandbox');
    expect(run).toMatchObject({ group: 'main', action: 'bwrap run', decision: 'ok' });
    expect((run?.detail as { mounts: string[] }).mounts).toContain('/workspace/group:rw');
    expect((run?.detail as { exitCode: number }).exitCode).toBe(0);
    expect(records.find((r) => r.kind === 'host_api')).toMatchObject({
      group: 'main',
      action: '/api/send_message',
      decision: 'allowed',
    });
  });

  it('says what to set when no model credential exists', async () => {
    const result = await runCli(['run', 'hi'], { NANOCLAW_HOME: tempHome() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ANTHROPIC_API_KEY');
    expect(result.stderr).toContain('CLAUDE_CODE_OAUTH_TOKEN');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown group with a clear message', async () => {
    const result = await runCli(['run', '--group', 'nope', 'hi'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No group "nope"');
  });
});
