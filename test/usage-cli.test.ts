/**
 * The real `nanoclaw usage`, `budget` and `groups set-model` commands (bin/nanoclaw.js → dist/)
 * over a real data directory: readable output, JSON rows, clear messages for wrong input
 * (exit 2). No sandbox is started here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../src/store/db.js';
import { UsageStore } from '../src/store/usage.js';
import { runCli, tempHome } from './support/cli.js';

describe('nanoclaw usage, budget, groups set-model', () => {
  let home: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    home = tempHome('nanoclaw-usage-cli-');
    env = { NANOCLAW_HOME: home, NANOCLAW_MODEL: 'claude-sonnet-4-5' };
    expect((await runCli(['groups', 'add', 'family'], env)).code).toBe(0);
    const db = openDb(path.join(home, 'nanoclaw.db'));
    const usage = new UsageStore(db);
    const tokens = { input: 1000, output: 200, cacheRead: 5000, cacheWrite: 0 };
    usage.record({
      ts: Date.now(),
      group: 'family',
      runId: 'r1',
      model: 'claude-haiku-4-5',
      tokens,
      costUsd: 0.0025,
    });
    usage.record({
      ts: Date.now(),
      group: 'family',
      runId: 'r1',
      model: 'llama3.1:8b',
      tokens,
      costUsd: undefined,
    });
    db.close();
  });

  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('usage prints a table with totals and says which models are counted in tokens only', async () => {
    const out = await runCli(['usage'], env);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(
      /GROUP\s+MODEL\s+CALLS\s+INPUT\s+OUTPUT\s+CACHE-READ\s+CACHE-WRITE\s+COST/,
    );
    expect(out.stdout).toMatch(/family\s+claude-haiku-4-5\s+1\s+1000\s+200\s+5000\s+0\s+\$0\.0025/);
    expect(out.stdout).toMatch(/family\s+llama3\.1:8b\s+1\s+1000\s+200\s+5000\s+0\s+tokens only/);
    expect(out.stdout).toMatch(/TOTAL\s+2\s+2000\s+400\s+10000\s+0\s+\$0\.0025 \+ tokens only/);
    expect(out.stdout).toContain('No price for llama3.1:8b: counted in tokens only');
  });

  it('usage --json lists rows with group, model, tokens and cost', async () => {
    const out = await runCli(['usage', '--json', '--by', 'model', '--since', 'today'], env);
    const report = JSON.parse(out.stdout) as { rows: Record<string, unknown>[] };
    expect(report.rows[0]).toMatchObject({
      key: 'claude-haiku-4-5',
      group: 'family',
      model: 'claude-haiku-4-5',
      inputTokens: 1000,
      outputTokens: 200,
      cacheReadTokens: 5000,
      cacheWriteTokens: 0,
      costUsd: 0.0025,
    });
  });

  it('budget set, show and clear; wrong input is explained', async () => {
    const set = await runCli(
      ['budget', 'set', 'family', '--daily-usd', '2', '--monthly-tokens', '5000'],
      env,
    );
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('family daily: $0.0025 of $2.00');
    expect(set.stdout).toMatch(/family monthly: 12400 tokens of 5000 tokens {2}REACHED/);
    expect((await runCli(['budget', 'set', 'all', '--daily-tokens', '100000'], env)).code).toBe(0);
    const show = await runCli(['budget', 'show'], env);
    expect(show.stdout).toContain('all groups daily: 12400 tokens of 100000 tokens');
    const bad = await runCli(['budget', 'set', 'family', '--daily-usd', 'lots'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--daily-usd "lots" is not an amount in USD');
    const none = await runCli(['budget', 'set', 'nobody', '--daily-usd', '1'], env);
    expect(none.stderr).toContain('No group "nobody"');
    expect((await runCli(['budget', 'clear', 'family'], env)).stdout).toContain(
      'Removed 2 budgets',
    );
    expect((await runCli(['usage', '--by', 'week'], env)).stderr).toContain(
      '--by "week": use one of',
    );
  });

  it('groups set-model sets and clears the model a group runs, shown in groups list', async () => {
    const before = await runCli(['groups', 'list'], env);
    expect(before.stdout).toMatch(/family\t.*\tclaude-sonnet-4-5 \(default\)\t/);
    const set = await runCli(
      ['groups', 'set-model', 'family', 'claude-haiku-4-5', '--effort', 'low'],
      env,
    );
    expect(set.stdout).toContain(
      'Group family uses claude-haiku-4-5 (effort low) from its next run.',
    );
    expect((await runCli(['groups', 'list'], env)).stdout).toMatch(
      /family\t.*\tclaude-haiku-4-5, effort low\t/,
    );
    const bad = await runCli(
      ['groups', 'set-model', 'family', 'claude', '--effort', 'extreme'],
      env,
    );
    expect(bad.stderr).toContain('Effort "extreme" is not one of low, medium, high, xhigh, max.');
    await runCli(['groups', 'set-model', 'family', 'default'], env);
    expect((await runCli(['groups', 'list'], env)).stdout).toMatch(
      /family\t.*\tclaude-sonnet-4-5 \(default\)\t/,
    );
  });

  it('every new command has --help', async () => {
    for (const args of [
      ['usage', '--help'],
      ['budget', 'set', '--help'],
      ['groups', 'set-model', '-h'],
    ]) {
      const out = await runCli(args, { NANOCLAW_HOME: path.join(home, 'never') });
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^Usage: nanoclaw (usage|budget|groups)/);
    }
  });
});
