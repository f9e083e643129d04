/**
 * Budgets per group (scope = its folder) or for all groups together (scope `*`), the budget
 * notices already sent (so a chat is told once per period), and the model per group or task.
 */
import type { Db } from './db.js';

export const ALL_GROUPS = '*';
export const PERIODS = ['daily', 'monthly'] as const;
export const UNITS = ['usd', 'tokens'] as const;
export type Period = (typeof PERIODS)[number];
export type BudgetUnit = (typeof UNITS)[number];

export interface Budget {
  scope: string;
  period: Period;
  unit: BudgetUnit;
  amount: number;
}

export interface ModelSetting {
  model: string | undefined;
  effort: string | undefined;
}

export class BudgetStore {
  // Prepared once: read before every model request.
  private readonly forGroupQuery;

  constructor(private readonly db: Db) {
    this.forGroupQuery = db.prepare<[string, string], Budget>(
      'SELECT scope, period, unit, amount FROM budgets WHERE scope IN (?, ?)',
    );
  }

  set(budget: Budget): void {
    this.db
      .prepare(
        `INSERT INTO budgets (scope, period, unit, amount) VALUES (?, ?, ?, ?)
         ON CONFLICT (scope, period, unit) DO UPDATE SET amount = excluded.amount`,
      )
      .run(budget.scope, budget.period, budget.unit, budget.amount);
  }

  /** Removes a scope's budgets (all of them, or one period/unit); returns how many. */
  clear(scope: string, only?: { period: Period; unit: BudgetUnit }): number {
    if (only) {
      return this.db
        .prepare('DELETE FROM budgets WHERE scope = ? AND period = ? AND unit = ?')
        .run(scope, only.period, only.unit).changes;
    }
    return this.db.prepare('DELETE FROM budgets WHERE scope = ?').run(scope).changes;
  }

  list(scope?: string): Budget[] {
    const sql = 'SELECT scope, period, unit, amount FROM budgets';
    const order = ' ORDER BY scope, period, unit';
    return scope === undefined
      ? this.db.prepare<[], Budget>(sql + order).all()
      : this.db.prepare<[string], Budget>(`${sql} WHERE scope = ?${order}`).all(scope);
  }

  /** The budgets that bind a group: its own and the all-groups ones. */
  forGroup(folder: string): Budget[] {
    return this.forGroupQuery.all(folder, ALL_GROUPS);
  }

  /** True the first time for a key (this notice should be sent), false after. */
  noticeOnce(key: string, now: number): boolean {
    return (
      this.db.prepare('INSERT OR IGNORE INTO budget_notices (key, at) VALUES (?, ?)').run(key, now)
        .changes === 1
    );
  }

  setModel(kind: 'group' | 'task', target: string, setting: ModelSetting): void {
    if (!setting.model && !setting.effort) {
      this.db.prepare('DELETE FROM model_settings WHERE kind = ? AND target = ?').run(kind, target);
      return;
    }
    this.db
      .prepare(
        `INSERT INTO model_settings (kind, target, model, effort) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, target) DO UPDATE SET model = excluded.model, effort = excluded.effort`,
      )
      .run(kind, target, setting.model ?? null, setting.effort ?? null);
  }

  model(kind: 'group' | 'task', target: string): ModelSetting {
    const row = this.db
      .prepare<[string, string], { model: string | null; effort: string | null }>(
        'SELECT model, effort FROM model_settings WHERE kind = ? AND target = ?',
      )
      .get(kind, target);
    return { model: row?.model ?? undefined, effort: row?.effort ?? undefined };
  }
}
