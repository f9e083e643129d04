/**
 * Model usage: one row per model response as the gateway saw it, and the SDK's own figures per
 * run beside them. Sums for budgets and the reports behind `nanoclaw usage` and `get_usage`.
 */
import { periodStart } from '../usage/budget.js';
import type { Tokens } from '../usage/tap.js';
import { ALL_GROUPS, type Period } from './budgets.js';
import type { Db } from './db.js';

export interface UsageCall {
  ts: number;
  group: string;
  runId: string;
  task?: string | undefined;
  chatId?: string | undefined;
  model: string;
  tokens: Tokens;
  /** Undefined when the model has no price: counted in tokens only. */
  costUsd: number | undefined;
}

/** What the SDK itself reported for a run (its latest cumulative figures). */
export interface SdkRunUsage {
  runId: string;
  group: string;
  task?: string | undefined;
  costUsd?: number | undefined;
  models: Record<string, Tokens & { costUsd?: number | undefined }>;
}

export const USAGE_DIMENSIONS = ['day', 'group', 'task', 'model', 'channel'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

export interface UsageFilter {
  since: number;
  until?: number;
  group?: string | undefined;
}

export interface UsageRow {
  key: string;
  group: string;
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Cost of the priced calls; `unpricedCalls` were counted in tokens only. */
  costUsd: number;
  unpricedCalls: number;
}

export interface RunComparison {
  runId: string;
  group: string;
  gatewayTokens: number;
  gatewayUsd: number;
  sdkTokens: number;
  sdkUsd: number | null;
}

export interface PrecheckSkips {
  task: string;
  group: string;
  skipped: number;
  /** Skips × the task's average tokens per run (0 when it never ran). */
  tokensSaved: number;
  usdSaved: number;
}

const KEY_SQL: Record<UsageDimension, string> = {
  day: "strftime('%Y-%m-%d', ts / 1000, 'unixepoch')",
  group: 'group_folder',
  task: "COALESCE(task_id, '(chat)')",
  model: 'model',
  channel: "COALESCE(channel, '(none)')",
};

const TOTAL_SQL = 'input_tokens + output_tokens + cache_read_tokens + cache_write_tokens';

function where(filter: UsageFilter): { sql: string; args: (string | number)[] } {
  const parts = ['ts >= ?'];
  const args: (string | number)[] = [filter.since];
  if (filter.until !== undefined) {
    parts.push('ts < ?');
    args.push(filter.until);
  }
  if (filter.group !== undefined) {
    parts.push('group_folder = ?');
    args.push(filter.group);
  }
  return { sql: parts.join(' AND '), args };
}

export class UsageStore {
  // Prepared once: these run on every model request.
  private readonly insertCall;
  private readonly addTotal;
  private readonly totalOf;
  private readonly channelOf;

  constructor(private readonly db: Db) {
    this.insertCall = db.prepare(
      `INSERT INTO model_usage (ts, group_folder, run_id, task_id, chat_id, channel, model,
         input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The group's and all groups' day and month, in one statement.
    this.addTotal = db.prepare(
      `INSERT INTO usage_totals (scope, period, start, tokens, usd)
       VALUES (?, 'daily', ?, ?, ?), (?, 'monthly', ?, ?, ?), (?, 'daily', ?, ?, ?), (?, 'monthly', ?, ?, ?)
       ON CONFLICT (scope, period, start) DO UPDATE SET tokens = tokens + excluded.tokens,
         usd = usd + excluded.usd`,
    );
    this.totalOf = db.prepare<[string, string, number], { tokens: number; usd: number }>(
      'SELECT tokens, usd FROM usage_totals WHERE scope = ? AND period = ? AND start = ?',
    );
    this.channelOf = db.prepare<[string], { channel: string }>(
      'SELECT channel FROM chats WHERE chat_id = ?',
    );
  }

  /** One model response, and the running totals of its group and of all groups, at once. */
  record(call: UsageCall): void {
    const channel = call.chatId ? this.channelOf.get(call.chatId)?.channel : undefined;
    const t = call.tokens;
    const total = t.input + t.output + t.cacheRead + t.cacheWrite;
    this.db.transaction(() => {
      this.insertCall.run(
        call.ts,
        call.group,
        call.runId,
        call.task ?? null,
        call.chatId ?? null,
        channel ?? null,
        call.model,
        t.input,
        t.output,
        t.cacheRead,
        t.cacheWrite,
        call.costUsd ?? null,
      );
      const usd = call.costUsd ?? 0;
      const day = periodStart('daily', call.ts);
      const month = periodStart('monthly', call.ts);
      this.addTotal.run(
        ...[call.group, ALL_GROUPS].flatMap((scope) => [
          scope,
          day,
          total,
          usd,
          scope,
          month,
          total,
          usd,
        ]),
      );
    })();
  }

  /** Tokens and priced USD of a group (or `*`: all groups) in the UTC period holding `at`. */
  spentIn(scope: string, period: Period, at: number): { tokens: number; usd: number } {
    return this.totalOf.get(scope, period, periodStart(period, at)) ?? { tokens: 0, usd: 0 };
  }

  /** The SDK's figures are cumulative per query: the latest replaces what was stored. */
  recordSdk(run: SdkRunUsage, ts: number): void {
    this.db
      .prepare(
        `INSERT INTO run_usage (run_id, ts, group_folder, task_id, sdk_cost_usd, sdk_models)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET ts = excluded.ts, sdk_cost_usd = excluded.sdk_cost_usd,
           sdk_models = excluded.sdk_models`,
      )
      .run(
        run.runId,
        ts,
        run.group,
        run.task ?? null,
        run.costUsd ?? null,
        JSON.stringify(run.models),
      );
  }

  /** Tokens and priced USD since `since`, for one group or (undefined) all groups. */
  spent(group: string | undefined, since: number): { tokens: number; usd: number } {
    const { sql, args } = where({ since, group });
    const row = this.db
      .prepare<(string | number)[], { tokens: number | null; usd: number | null }>(
        `SELECT SUM(${TOTAL_SQL}) AS tokens, SUM(cost_usd) AS usd FROM model_usage WHERE ${sql}`,
      )
      .get(...args);
    return { tokens: row?.tokens ?? 0, usd: row?.usd ?? 0 };
  }

  rows(filter: UsageFilter, by: UsageDimension): UsageRow[] {
    const { sql, args } = where(filter);
    return this.db
      .prepare<(string | number)[], UsageRow>(
        `SELECT ${KEY_SQL[by]} AS key, group_folder AS "group", model, COUNT(*) AS calls,
           SUM(input_tokens) AS inputTokens, SUM(output_tokens) AS outputTokens,
           SUM(cache_read_tokens) AS cacheReadTokens, SUM(cache_write_tokens) AS cacheWriteTokens,
           COALESCE(SUM(cost_usd), 0) AS costUsd,
           SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unpricedCalls
         FROM model_usage WHERE ${sql}
         GROUP BY key, group_folder, model ORDER BY key, group_folder, model`,
      )
      .all(...args);
  }

  /** Each run in the window with the SDK's figures beside the gateway's. */
  compare(filter: UsageFilter): RunComparison[] {
    const { sql, args } = where(filter);
    const runs = this.db
      .prepare<(string | number)[], { runId: string; group: string; tokens: number; usd: number }>(
        `SELECT run_id AS runId, group_folder AS "group", SUM(${TOTAL_SQL}) AS tokens,
           COALESCE(SUM(cost_usd), 0) AS usd
         FROM model_usage WHERE ${sql} GROUP BY run_id, group_folder`,
      )
      .all(...args);
    const sdk = this.db.prepare<[string], { cost: number | null; models: string }>(
      'SELECT sdk_cost_usd AS cost, sdk_models AS models FROM run_usage WHERE run_id = ?',
    );
    return runs.flatMap((run) => {
      const row = sdk.get(run.runId);
      if (!row) return [];
      const models = JSON.parse(row.models) as Record<string, Tokens>;
      const sdkTokens = Object.values(models).reduce(
        (sum, t) => sum + t.input + t.output + t.cacheRead + t.cacheWrite,
        0,
      );
      return [
        {
          runId: run.runId,
          group: run.group,
          gatewayTokens: run.tokens,
          gatewayUsd: run.usd,
          sdkTokens,
          sdkUsd: row.cost,
        },
      ];
    });
  }

  /** The SDK's stored figures for one run (tests, `usage --json`). */
  sdkRun(runId: string): { costUsd: number | null; models: Record<string, Tokens> } | undefined {
    const row = this.db
      .prepare<[string], { cost: number | null; models: string }>(
        'SELECT sdk_cost_usd AS cost, sdk_models AS models FROM run_usage WHERE run_id = ?',
      )
      .get(runId);
    return row
      ? { costUsd: row.cost, models: JSON.parse(row.models) as Record<string, Tokens> }
      : undefined;
  }

  /** Task runs a pre-check skipped in the window, and what they saved at the task's average. */
  precheckSkips(filter: UsageFilter): PrecheckSkips[] {
    const args: (string | number)[] = [filter.since];
    if (filter.group !== undefined) args.push(filter.group);
    return this.db
      .prepare<(string | number)[], PrecheckSkips>(
        `SELECT t.id AS task, t.group_folder AS "group", COUNT(*) AS skipped,
           CAST(COUNT(*) * COALESCE(a.tokens / a.runs, 0) AS INTEGER) AS tokensSaved,
           COUNT(*) * COALESCE(a.usd / a.runs, 0) AS usdSaved
         FROM task_runs r JOIN tasks t ON t.id = r.task_id
         LEFT JOIN (SELECT task_id, SUM(${TOTAL_SQL}) * 1.0 AS tokens,
                      COALESCE(SUM(cost_usd), 0) AS usd, COUNT(DISTINCT run_id) AS runs
                    FROM model_usage WHERE task_id IS NOT NULL GROUP BY task_id) a
           ON a.task_id = t.id
         WHERE r.status = 'skipped' AND r.result LIKE 'the pre-check%' AND r.started_at >= ?
           ${filter.group !== undefined ? 'AND t.group_folder = ?' : ''}
         GROUP BY t.id ORDER BY t.id`,
      )
      .all(...args);
  }
}
