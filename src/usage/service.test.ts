/**
 * Usage reports, budgets and models over a real SQLite file: who may see and change what, the
 * SDK's figures beside the gateway's, pre-check savings, and budget notices told once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError, UserError } from '../errors.js';
import type { RunContext } from '../gateway/types.js';
import { openStore, type Store } from '../host.js';
import { loadConfig } from '../config.js';
import { silentLogger } from '../log.js';
import { modelFor } from '../runs/turn.js';
import { UsageNotices } from './notices.js';
import { parseSince, UsageService } from './service.js';

const NOW = Date.UTC(2026, 11, 2, 12);
const main: RunContext = { runId: 'm', group: { folder: 'main', isMain: true } };
const family: RunContext = { runId: 'f', group: { folder: 'family', isMain: false } };
const tokens = (input: number, output = 0) => ({ input, output, cacheRead: 0, cacheWrite: 0 });

describe('usage service', () => {
  let home: string;
  let store: Store;
  let service: UsageService;

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-usage-svc-'));
    store = openStore(loadConfig({ NANOCLAW_HOME: home }, process.cwd()));
    for (const [folder, isMain] of [
      ['main', true],
      ['family', false],
      ['work', false],
    ] as const) {
      store.groups.ensure({ folder, name: folder, isMain, chatId: `web:${folder}` }, new Date(NOW));
    }
    service = new UsageService({ ...store, now: () => NOW });
    const call = (group: string, runId: string, n: number, task?: string) =>
      store.usage.record({
        ts: NOW - 1000,
        group,
        runId,
        task,
        model: 'claude-haiku-4-5',
        tokens: tokens(n, 10),
        costUsd: n / 1e6,
      });
    call('family', 'f1', 100);
    call('family', 'f1', 200);
    call('work', 'w1', 1000);
    call('family', 't1', 300, 'task-a');
  });

  afterEach(() => {
    store.db.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('a group sees its own usage; main sees every group or any one', () => {
    const own = service.report(family, {});
    expect(own.group).toBe('family');
    expect(own.totals).toMatchObject({ calls: 3, inputTokens: 600, outputTokens: 30 });
    expect(() => service.report(family, { group: 'work' })).toThrow(ForbiddenError);
    expect(service.report(main, {}).totals.calls).toBe(4);
    expect(service.report(main, { group: 'work' }).totals.inputTokens).toBe(1000);
    expect(service.report(main, { by: 'task' }).rows.map((r) => r.key)).toEqual([
      '(chat)',
      '(chat)',
      'task-a',
    ]);
  });

  it('keeps the latest SDK figures of a run and shows the runs where they disagree', () => {
    store.usage.recordSdk({ runId: 'f1', group: 'family', costUsd: 0.1, models: {} }, NOW);
    store.usage.recordSdk(
      {
        runId: 'f1',
        group: 'family',
        costUsd: 0.00033,
        models: { 'claude-haiku-4-5': tokens(300, 20) },
      },
      NOW,
    );
    store.usage.recordSdk(
      {
        runId: 'w1',
        group: 'work',
        costUsd: 0.001,
        models: { 'claude-haiku-4-5': tokens(900, 10) },
      },
      NOW,
    );
    expect(store.usage.sdkRun('f1')).toEqual({
      costUsd: 0.00033,
      models: { 'claude-haiku-4-5': tokens(300, 20) },
    });
    const report = service.report(main, {});
    expect(report.sdk.runs).toBe(2);
    expect(report.disagreements).toEqual([
      expect.objectContaining({ runId: 'w1', gatewayTokens: 1010, sdkTokens: 910 }),
    ]);
  });

  it("counts pre-check skips with the tokens saved at the task's average run", () => {
    const task = store.tasks.create(
      {
        id: 'task-a',
        groupFolder: 'family',
        prompt: 'p',
        scheduleType: 'interval',
        scheduleValue: '60000',
        contextMode: 'isolated',
        script: 'true',
        missedPolicy: 'run-once',
        nextRun: NOW,
      },
      NOW,
    );
    for (const at of [NOW, NOW + 1, NOW + 2]) {
      store.tasks.update(task.id, { nextRun: at }, NOW);
      const id = store.tasks.claim(task.id, at, at + 1, NOW);
      store.tasks.finishRun(
        id ?? 0,
        { status: 'skipped', result: 'the pre-check script did not ask to wake the agent' },
        NOW,
      );
    }
    const [skips] = service.report(family, { since: '7d' }).precheckSkips;
    expect(skips).toMatchObject({ task: 'task-a', group: 'family', skipped: 3, tokensSaved: 930 });
    expect(skips?.usdSaved).toBeCloseTo(0.0009, 10);
  });

  it('only main (or the operator) sets budgets and models', () => {
    const budget = { group_folder: 'family', period: 'daily', unit: 'usd', amount: 1 } as const;
    expect(() => service.setBudget(family, budget)).toThrow(ForbiddenError);
    expect(() => service.setBudget(family, { ...budget, group_folder: 'all' })).toThrow(
      ForbiddenError,
    );
    expect(() =>
      service.setModel(family, { group_folder: 'family', model: 'claude-opus-4-5' }),
    ).toThrow(ForbiddenError);
    expect(() => service.clearBudgets(family, 'family')).toThrow(ForbiddenError);
    expect(store.budgets.list()).toEqual([]);
    const [state] = service.setBudget(main, budget).budgets;
    expect(state).toMatchObject({
      scope: 'family',
      period: 'daily',
      unit: 'usd',
      amount: 1,
      reached: false,
    });
    expect(state?.spent).toBeCloseTo(0.0006, 10);
    expect(() => service.setBudget(main, { ...budget, group_folder: 'nope' })).toThrow(UserError);
    service.setBudget(main, { ...budget, amount: null });
    expect(store.budgets.list()).toEqual([]);
  });

  it("a run's model is its task's, else its group's, else NANOCLAW_MODEL", () => {
    const host = {
      budgets: store.budgets,
      config: { ...loadConfig({ NANOCLAW_HOME: home }, process.cwd()), model: 'claude-sonnet-4-5' },
    };
    expect(modelFor(host, 'family', 'task-a')).toEqual({ model: 'claude-sonnet-4-5' });
    service.setModel(main, { group_folder: 'family', model: 'claude-haiku-4-5', effort: 'low' });
    expect(modelFor(host, 'family', undefined)).toEqual({
      model: 'claude-haiku-4-5',
      effort: 'low',
    });
    store.tasks.create(
      {
        id: 'task-m',
        groupFolder: 'family',
        prompt: 'p',
        scheduleType: 'once',
        scheduleValue: '2027-01-01T00:00',
        contextMode: 'isolated',
        script: undefined,
        missedPolicy: 'run-once',
        nextRun: NOW,
      },
      NOW,
    );
    service.setModel(main, { task_id: 'task-m', model: 'claude-opus-4-5' });
    expect(modelFor(host, 'family', 'task-m')).toEqual({ model: 'claude-opus-4-5', effort: 'low' });
    expect(() => service.setModel(main, { group_folder: 'family', model: 'bad model!' })).toThrow(
      UserError,
    );
    service.setModel(main, { group_folder: 'family', model: null, effort: null });
    expect(modelFor(host, 'work', undefined)).toEqual({ model: 'claude-sonnet-4-5' });
  });

  it('a reached budget refuses the run and tells its chat once per period', () => {
    const posted: { chatId: string; text: string }[] = [];
    let now = NOW;
    const notices = new UsageNotices({
      ...store,
      answering: () => undefined,
      post: (chatId, text) => posted.push({ chatId, text }),
      now: () => now,
      log: silentLogger(),
    });
    expect(notices.mayRun('family', 'web:family')).toBe(true);
    store.budgets.set({ scope: 'family', period: 'daily', unit: 'tokens', amount: 600 });
    expect(notices.mayRun('family', 'web:family')).toBe(false);
    expect(notices.mayRun('family', 'web:family')).toBe(false);
    expect(notices.mayRun('work', 'web:work')).toBe(true);
    expect(posted).toEqual([
      { chatId: 'web:family', text: expect.stringMatching(/daily model budget/) },
    ]);
    expect(notices.problems()).toEqual([expect.stringMatching(/^Group family reached/)]);
    // The next day the budget is fresh; when it is reached again, the chat is told again.
    now += 86_400_000;
    expect(notices.mayRun('family', 'web:family')).toBe(true);
  });
});

describe('overload notices', () => {
  it("tell the run's chat that the model service is limiting, with its retry-after", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-usage-ovl-'));
    const store = openStore(loadConfig({ NANOCLAW_HOME: home }, process.cwd()));
    store.groups.ensure(
      { folder: 'family', name: 'F', isMain: false, chatId: 'web:family' },
      new Date(),
    );
    const posted: string[] = [];
    const notices = new UsageNotices({
      ...store,
      answering: (runId) => (runId === 'chat-run' ? 'web:other' : undefined),
      post: (chatId, text) => posted.push(`${chatId} ${text}`),
      now: Date.now,
      log: silentLogger(),
    });
    const links = notices.links();
    links.overloaded?.({ runId: 'chat-run', group: family.group }, 529, '30');
    links.overloaded?.({ runId: 'task-run', group: family.group, task: 't' }, 429, undefined);
    expect(posted).toEqual([
      expect.stringMatching(/^web:other The model service is overloaded \(HTTP 529\).* wait 30 s/),
      expect.stringMatching(
        /^web:family The model service is rate limiting this assistant \(HTTP 429\)/,
      ),
    ]);
    store.db.close();
    fs.rmSync(home, { recursive: true, force: true });
  });
});

describe('parseSince', () => {
  it('takes today, month, durations and dates; says what it takes otherwise', () => {
    expect(parseSince('today', NOW)).toBe(Date.UTC(2026, 11, 2));
    expect(parseSince(undefined, NOW)).toBe(Date.UTC(2026, 11, 1));
    expect(parseSince('24h', NOW)).toBe(NOW - 86_400_000);
    expect(parseSince('2026-11-15', NOW)).toBe(Date.UTC(2026, 10, 15));
    expect(() => parseSince('yesterday-ish', NOW)).toThrow(/use today, month, a duration/);
  });
});
