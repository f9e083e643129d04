/**
 * `nanoclaw budget`: model budgets per group or for all groups together, per UTC day or month,
 * in USD or tokens. Enforced by the running host's gateway at the next model request (it reads
 * budgets from the store each time). The operator acts as main.
 */
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { openStore } from '../host.js';
import type { BudgetUnit, Period } from '../store/budgets.js';
import { parse, subcommand } from './args.js';
import type { CliContext } from './index.js';
import { budgetLine, operatorOf, usageService } from './usage.js';

export const USAGE = `nanoclaw budget set <group|all> [--daily-usd N] [--monthly-usd N]
                              [--daily-tokens N] [--monthly-tokens N]
       nanoclaw budget show [<group|all>]
       nanoclaw budget clear <group|all>
  "all" is the budget of all groups together. Days and months are UTC. When a budget is reached,
  the gateway refuses that group's model requests and its chat is told once.`;

const FLAGS = {
  'daily-usd': ['daily', 'usd'],
  'monthly-usd': ['monthly', 'usd'],
  'daily-tokens': ['daily', 'tokens'],
  'monthly-tokens': ['monthly', 'tokens'],
} as const satisfies Record<string, readonly [Period, BudgetUnit]>;

const OPTIONS = {
  'daily-usd': { type: 'string' },
  'monthly-usd': { type: 'string' },
  'daily-tokens': { type: 'string' },
  'monthly-tokens': { type: 'string' },
} as const;

/** A budget amount: a non-negative number (whole for tokens). */
export function parseAmount(flag: string, text: string, unit: BudgetUnit): number {
  const value = Number(text);
  const ok = text.trim() !== '' && Number.isFinite(value) && value >= 0;
  if (!ok || (unit === 'tokens' && !Number.isInteger(value))) {
    throw new UserError(
      `--${flag} "${text}" is not ${unit === 'usd' ? 'an amount in USD (e.g. 2.50)' : 'a whole number of tokens'}.`,
    );
  }
  return value;
}

export async function budgetCommand(args: string[], ctx: CliContext): Promise<number> {
  const [given, ...rest] = args;
  const sub = subcommand(given, ['set', 'show', 'clear'], USAGE);
  const { values, positionals } = parse(rest, OPTIONS, USAGE);
  const target = positionals[0];
  if (sub !== 'show' && !target)
    throw new UserError(`Give a group folder or "all".\nUsage: ${USAGE}`);
  const changes = Object.entries(FLAGS).flatMap(([flag, [period, unit]]) => {
    const text = values[flag as keyof typeof FLAGS];
    return text === undefined ? [] : [{ period, unit, amount: parseAmount(flag, text, unit) }];
  });
  if (sub === 'set' && changes.length === 0) {
    throw new UserError(`Give at least one budget, e.g. --daily-usd 2.\nUsage: ${USAGE}`);
  }
  const store = openStore(loadConfig(ctx.env, ctx.appRoot));
  try {
    const service = usageService(store);
    const operator = operatorOf(store);
    if (sub === 'set') {
      for (const change of changes) {
        service.setBudget(operator, { group_folder: target ?? '', ...change });
      }
    } else if (sub === 'clear') {
      const removed = service.clearBudgets(operator, target ?? '');
      ctx.stdout.write(`Removed ${removed} budget${removed === 1 ? '' : 's'} of ${target}.\n`);
      return 0;
    }
    const scope = target === undefined || target === 'all' ? undefined : target;
    if (scope && !store.groups.get(scope)) throw new UserError(`No group "${scope}".`);
    const states = service.budgetStates(scope, Date.now());
    ctx.stdout.write(
      states.length
        ? `Budgets (UTC periods):\n${states.map(budgetLine).join('\n')}\n`
        : 'No budgets.\n',
    );
    return 0;
  } finally {
    store.db.close();
  }
}
