/**
 * The usage line of the host status (the web page): today and this month (UTC), in all and per
 * group, from the running totals (a few lookups, cheap enough for every status event).
 */
import { ALL_GROUPS } from '../store/budgets.js';
import type { UsageStore } from '../store/usage.js';

export interface Spent {
  tokens: number;
  usd: number;
}

export interface UsageSummary {
  today: Spent;
  month: Spent;
  /** Groups that used the model this month, the largest spender first. */
  groups: { group: string; today: Spent; month: Spent }[];
}

export function usageSummary(
  usage: Pick<UsageStore, 'spentIn'>,
  folders: readonly string[],
  now: number,
): UsageSummary {
  const of = (scope: string) => ({
    today: usage.spentIn(scope, 'daily', now),
    month: usage.spentIn(scope, 'monthly', now),
  });
  const groups = folders
    .map((group) => ({ group, ...of(group) }))
    .filter((g) => g.month.tokens > 0)
    .sort((a, b) => b.month.usd - a.month.usd || b.month.tokens - a.month.tokens);
  return { ...of(ALL_GROUPS), groups };
}
