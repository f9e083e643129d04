import { describe, expect, it } from 'vitest';
import type { Budget } from '../store/budgets.js';
import { budgetBlock, periodEnd, periodStart } from './budget.js';

const NOW = Date.UTC(2026, 11, 2, 15, 30);
const spend = (byScope: Record<string, { tokens: number; usd: number }>) => (scope: string) =>
  byScope[scope] ?? { tokens: 0, usd: 0 };

describe('budget periods (UTC)', () => {
  it('a day and a month start and end at UTC midnight', () => {
    expect(new Date(periodStart('daily', NOW)).toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(new Date(periodEnd('daily', NOW)).toISOString()).toBe('2026-12-03T00:00:00.000Z');
    expect(new Date(periodStart('monthly', NOW)).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(new Date(periodEnd('monthly', NOW)).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('budgetBlock', () => {
  const daily: Budget = { scope: 'family', period: 'daily', unit: 'usd', amount: 1 };

  it('lets a group below its budget go on', () => {
    expect(
      budgetBlock('family', [daily], spend({ family: { tokens: 5, usd: 0.99 } }), NOW),
    ).toBeUndefined();
  });

  it('blocks at the budget, says what happened and how to raise it', () => {
    const block = budgetBlock('family', [daily], spend({ family: { tokens: 5, usd: 1 } }), NOW);
    expect(block?.message).toMatch(/Group family reached the daily model budget of \$1\.00/);
    expect(block?.message).toContain('nanoclaw budget set family --daily-usd <amount>');
    expect(block?.message).toContain('2026-12-03T00:00:00Z');
    expect(block?.key).toBe(`family:daily:usd:${periodStart('daily', NOW)}`);
  });

  it('an all-groups budget counts every group and binds each', () => {
    const all: Budget = { scope: '*', period: 'monthly', unit: 'tokens', amount: 1000 };
    const block = budgetBlock('work', [all], spend({ '*': { tokens: 1000, usd: 0 } }), NOW);
    expect(block?.message).toMatch(
      /All groups together reached the monthly model budget of 1000 tokens/,
    );
    expect(block?.message).toContain('nanoclaw budget set all --monthly-tokens <amount>');
  });

  it("another group's budget does not bind this one; 0 blocks at once", () => {
    const other: Budget = { ...daily, scope: 'work', amount: 0 };
    expect(budgetBlock('family', [other], spend({}), NOW)).toBeUndefined();
    expect(budgetBlock('work', [other], spend({}), NOW)).toBeDefined();
  });
});
