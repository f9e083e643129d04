/**
 * The operations behind `nanoclaw usage|budget`, `groups set-model` and the get_usage,
 * set_budget and set_model tools. Each checks the caller (from its capability) first: any group
 * reads its own usage, main reads any; only main (and the operator's CLI, which acts as main)
 * changes budgets and models.
 */
import { ForbiddenError, UserError } from '../errors.js';
import type { RunContext } from '../gateway/types.js';
import { canActOnGroup, canManageGroups } from '../security/authz.js';
import type { SetBudgetBody, SetModelBody } from '../shared/usage-api.js';
import { ALL_GROUPS, type Budget, type BudgetStore } from '../store/budgets.js';
import type { GroupStore } from '../store/groups.js';
import type { TaskStore } from '../store/tasks.js';
import type {
  PrecheckSkips,
  RunComparison,
  UsageDimension,
  UsageRow,
  UsageStore,
} from '../store/usage.js';
import { periodStart } from './budget.js';
import { checkModelSetting } from './models.js';

export interface UsageServiceDeps {
  usage: UsageStore;
  budgets: BudgetStore;
  groups: GroupStore;
  tasks: TaskStore;
  now(): number;
}

export interface BudgetState extends Budget {
  spent: number;
  reached: boolean;
}

export interface UsageReport {
  since: string;
  by: UsageDimension;
  group: string | null;
  rows: UsageRow[];
  totals: Omit<UsageRow, 'key' | 'group' | 'model'> & { unpricedModels: string[] };
  /** Runs whose SDK figures differ from what the gateway recorded. */
  disagreements: RunComparison[];
  /** Runs with SDK figures in the window, and their SDK cost estimate. */
  sdk: { runs: number; costUsd: number };
  precheckSkips: PrecheckSkips[];
  budgets: BudgetState[];
}

const DURATION = /^(\d+)([hd])$/;

/** `today`, `month`, `24h`, `7d` or an ISO date → epoch ms (UTC); a UserError otherwise. */
export function parseSince(text: string | undefined, now: number): number {
  const value = (text ?? 'month').trim().toLowerCase();
  if (value === 'today') return periodStart('daily', now);
  if (value === 'month') return periodStart('monthly', now);
  const duration = DURATION.exec(value);
  if (duration) return now - Number(duration[1]) * (duration[2] === 'h' ? 3_600_000 : 86_400_000);
  const at = Date.parse(text ?? '');
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(at)) return at;
  throw new UserError(
    `--since "${text}" is not a time: use today, month, a duration like 24h or 7d, or a date ` +
      'like 2026-12-01.',
  );
}

/** Tokens must match exactly; cost within 5 % (the SDK prices with its own table). */
function disagrees(run: RunComparison): boolean {
  if (run.gatewayTokens !== run.sdkTokens) return true;
  if (run.sdkUsd === null) return false;
  return Math.abs(run.gatewayUsd - run.sdkUsd) > Math.max(0.0001, run.sdkUsd * 0.05);
}

function totalsOf(rows: readonly UsageRow[]): UsageReport['totals'] {
  const sum = (pick: (r: UsageRow) => number) => rows.reduce((n, r) => n + pick(r), 0);
  return {
    calls: sum((r) => r.calls),
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
    cacheReadTokens: sum((r) => r.cacheReadTokens),
    cacheWriteTokens: sum((r) => r.cacheWriteTokens),
    costUsd: sum((r) => r.costUsd),
    unpricedCalls: sum((r) => r.unpricedCalls),
    unpricedModels: [...new Set(rows.filter((r) => r.unpricedCalls > 0).map((r) => r.model))],
  };
}

export class UsageService {
  constructor(private readonly deps: UsageServiceDeps) {}

  report(
    caller: RunContext,
    query: { group?: string | undefined; since?: string | undefined; by?: UsageDimension },
  ): UsageReport {
    const group = query.group ?? (caller.group.isMain ? undefined : caller.group.folder);
    if (group !== undefined) this.checkRead(caller, group);
    const now = this.deps.now();
    const since = parseSince(query.since, now);
    const by = query.by ?? 'group';
    const filter = { since, group };
    const rows = this.deps.usage.rows(filter, by);
    const runs = this.deps.usage.compare(filter);
    return {
      since: new Date(since).toISOString(),
      by,
      group: group ?? null,
      rows,
      totals: totalsOf(rows),
      disagreements: runs.filter(disagrees),
      sdk: { runs: runs.length, costUsd: runs.reduce((n, r) => n + (r.sdkUsd ?? 0), 0) },
      precheckSkips: this.deps.usage.precheckSkips(filter),
      budgets: this.budgetStates(group, now),
    };
  }

  /** Budgets with what was spent in their current period (a group sees its own and the global). */
  budgetStates(group: string | undefined, now: number): BudgetState[] {
    const budgets =
      group === undefined ? this.deps.budgets.list() : this.deps.budgets.forGroup(group);
    return budgets.map((b) => {
      const spend = this.deps.usage.spentIn(b.scope, b.period, now);
      const spent = b.unit === 'usd' ? spend.usd : spend.tokens;
      return { ...b, spent, reached: spent >= b.amount };
    });
  }

  setBudget(caller: RunContext, body: SetBudgetBody): { budgets: BudgetState[] } {
    this.checkManage(caller);
    const scope = body.group_folder === 'all' ? ALL_GROUPS : body.group_folder;
    if (scope !== ALL_GROUPS && !this.deps.groups.get(scope)) {
      throw new UserError(`No group "${scope}" (give a group folder, or "all" for all groups).`);
    }
    if (body.amount === null) this.deps.budgets.clear(scope, body);
    else
      this.deps.budgets.set({ scope, period: body.period, unit: body.unit, amount: body.amount });
    return {
      budgets: this.budgetStates(scope === ALL_GROUPS ? undefined : scope, this.deps.now()),
    };
  }

  clearBudgets(caller: RunContext, target: string): number {
    this.checkManage(caller);
    return this.deps.budgets.clear(target === 'all' ? ALL_GROUPS : target);
  }

  setModel(caller: RunContext, body: SetModelBody) {
    this.checkManage(caller);
    checkModelSetting(body.model ?? undefined, body.effort ?? undefined);
    const setting = { model: body.model ?? undefined, effort: body.effort ?? undefined };
    if (body.task_id !== undefined) {
      const task = this.deps.tasks.get(body.task_id);
      if (!task || task.status === 'cancelled') throw new UserError(`No task ${body.task_id}.`);
      this.deps.budgets.setModel('task', task.id, setting);
      return { task: task.id, ...setting, appliesAt: 'its next run' };
    }
    const folder = body.group_folder ?? '';
    if (!this.deps.groups.get(folder)) throw new UserError(`No group "${folder}".`);
    this.deps.budgets.setModel('group', folder, setting);
    return { group: folder, ...setting, appliesAt: 'its next run' };
  }

  private checkRead(caller: RunContext, group: string): void {
    const decision = canActOnGroup(caller, group);
    if (!decision.allow) throw new ForbiddenError(decision.reason);
    if (!this.deps.groups.get(group)) throw new UserError(`No group "${group}".`);
  }

  private checkManage(caller: RunContext): void {
    const decision = canManageGroups(caller);
    if (!decision.allow) {
      throw new ForbiddenError(
        'only the main group (or the operator) may change budgets and models',
      );
    }
  }
}
