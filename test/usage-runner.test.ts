/**
 * Usage of a real tool-using turn: the real SDK CLI (the agent runner, no sandbox) through the
 * real gateway to the fake model. Every model response the fake sent is recorded once, for the
 * run's group and task, with the fake's figures; the SDK's own figures for the run (the latest
 * of its cumulative results) agree with them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import type { RunnerToHost } from '../src/shared/protocol.js';
import { BudgetStore } from '../src/store/budgets.js';
import { openDb, type Db } from '../src/store/db.js';
import { UsageStore } from '../src/store/usage.js';
import { createUsageMeter } from '../src/usage/meter.js';
import { DEFAULT_PRICES, priceBook } from '../src/usage/prices.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { startRunnerHarness, type RunnerHarness } from './support/runner.js';

const USAGE = {
  input_tokens: 900,
  output_tokens: 33,
  cache_read_input_tokens: 5000,
  cache_creation_input_tokens: 120,
};
const MODEL = 'claude-haiku-4-5-20251001';

describe('usage of a real SDK turn', () => {
  let dir: string;
  let db: Db;
  let usage: UsageStore;
  let fake: FakeAnthropic;
  let harness: RunnerHarness;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-usage-run-'));
    db = openDb(path.join(dir, 'nanoclaw.db'));
    usage = new UsageStore(db);
    fake = await startFakeAnthropic({ usage: USAGE });
    const meter = createUsageMeter({
      usage,
      budgets: new BudgetStore(db),
      prices: priceBook(DEFAULT_PRICES),
      now: Date.now,
      log: silentLogger(),
    });
    harness = await startRunnerHarness(fake.url, undefined, {
      usage: meter,
      context: { runId: 'run-u', group: { folder: 'family', isMain: false }, task: 'task-u' },
    });
  });

  afterAll(async () => {
    await harness?.close();
    await fake?.close();
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records each request of a Bash turn once, as the fake sent it; the SDK agrees', async () => {
    const run = harness.start({ prompt: 'RUN: echo counted', model: MODEL });
    await run.waitFor((e) => e.type === 'result');
    run.send({ type: 'close' });
    expect(await run.exit).toBe(0);
    const answered = fake.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/v1/messages'),
    );
    expect(answered.length).toBeGreaterThanOrEqual(2); // the tool call, then the answer
    const rows = db
      .prepare(
        'SELECT group_folder, run_id, task_id, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens FROM model_usage',
      )
      .all() as Record<string, unknown>[];
    expect(rows).toHaveLength(answered.length);
    for (const [i, row] of rows.entries()) {
      const body = answered[i]?.body as { model?: string };
      expect(row).toEqual({
        group_folder: 'family',
        run_id: 'run-u',
        task_id: 'task-u',
        model: body.model,
        input_tokens: 900,
        output_tokens: 33,
        cache_read_tokens: 5000,
        cache_write_tokens: 120,
      });
    }
    // The SDK's figures: cumulative per query, so only the latest usage event counts.
    const reports = run.events.filter(
      (e): e is Extract<RunnerToHost, { type: 'usage' }> => e.type === 'usage',
    );
    expect(reports.length).toBeGreaterThanOrEqual(1);
    const latest = reports.at(-1);
    const sdkTokens = Object.values(latest?.models ?? {}).reduce(
      (n, m) => n + m.input + m.output + m.cacheRead + m.cacheWrite,
      0,
    );
    expect(sdkTokens).toBe(usage.spent('family', 0).tokens);
    expect(latest?.costUsd).toBeGreaterThan(0);
    expect(latest?.models[MODEL]).toBeDefined();
  });
});
