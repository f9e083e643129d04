/**
 * Budget decisions (pure): whether a group may make another model request, given its budgets,
 * the all-groups budgets and what was spent in the current period. Periods are UTC days and
 * months, so every host and the CLI agree on when one resets.
 */
import { ALL_GROUPS, type Budget, type Period } from '../store/budgets.js';

export interface Spend {
  tokens: number;
  usd: number;
}

export interface BudgetBlock {
  budget: Budget;
  spent: number;
  /** When the period ends (epoch ms). */
  resetsAt: number;
  /** Same for every request of the period: the chat is told once per key. */
  key: string;
  /** What the chat and the agent are told: what happened and how to raise it. */
  message: string;
}

export function periodStart(period: Period, now: number): number {
  const d = new Date(now);
  return period === 'daily'
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function periodEnd(period: Period, now: number): number {
  const d = new Date(now);
  return period === 'daily'
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function formatAmount(unit: Budget['unit'], amount: number): string {
  return unit === 'usd' ? `$${amount.toFixed(amount < 1 ? 4 : 2)}` : `${Math.round(amount)} tokens`;
}

function flag(budget: Budget): string {
  return `--${budget.period}-${budget.unit === 'usd' ? 'usd' : 'tokens'}`;
}

function describe(group: string, budget: Budget, spent: number, resetsAt: number): string {
  const whose = budget.scope === ALL_GROUPS ? 'All groups together' : `Group ${group}`;
  const period = budget.period === 'daily' ? 'daily' : 'monthly';
  const scopeArg = budget.scope === ALL_GROUPS ? 'all' : group;
  return (
    `${whose} reached the ${period} model budget of ${formatAmount(budget.unit, budget.amount)} ` +
    `(spent ${formatAmount(budget.unit, spent)}). NanoClaw refuses further model requests ` +
    `until ${new Date(resetsAt).toISOString().replace('.000Z', 'Z')}. To raise it, run ` +
    `\`nanoclaw budget set ${scopeArg} ${flag(budget)} <amount>\` on the host, or ask the main ` +
    "group's assistant."
  );
}

/**
 * The first budget the group has reached, or undefined when it may go on. A budget of 0 blocks
 * at once (a way to switch a group off).
 */
export function budgetBlock(
  group: string,
  budgets: readonly Budget[],
  spentIn: (scope: string, period: Period, at: number) => Spend,
  now: number,
): BudgetBlock | undefined {
  for (const budget of budgets) {
    if (budget.scope !== group && budget.scope !== ALL_GROUPS) continue;
    const since = periodStart(budget.period, now);
    const spend = spentIn(budget.scope, budget.period, now);
    const spent = budget.unit === 'usd' ? spend.usd : spend.tokens;
    if (spent < budget.amount) continue;
    const resetsAt = periodEnd(budget.period, now);
    const key = `${budget.scope}:${budget.period}:${budget.unit}:${since}`;
    return { budget, spent, resetsAt, key, message: describe(group, budget, spent, resetsAt) };
  }
  return undefined;
}
