/**
 * The gateway's usage meter: decides before each model request whether the run's group is
 * within its budgets, and records each response's usage (as the gateway parsed it) with the run's
 * group, task, chat and model. Upstream rate limits are counted per run so a run that keeps
 * getting 429/529 is reported to its chat instead of going silent.
 */
import type { RunContext } from '../gateway/types.js';
import type { Logger } from '../log.js';
import type { BudgetStore } from '../store/budgets.js';
import type { UsageStore } from '../store/usage.js';
import { budgetBlock, type BudgetBlock } from './budget.js';
import type { PriceBook } from './prices.js';
import type { ParsedUsage } from './tap.js';

/** What the model proxy asks of usage accounting (see model-proxy.ts). */
export interface UsageHooks {
  /** A reached budget refuses the request; undefined lets it through. */
  admit(context: RunContext): BudgetBlock | undefined;
  record(context: RunContext, usage: ParsedUsage): void;
  /** Every upstream status of a model call (rate limits are watched for). */
  upstreamStatus?(context: RunContext, status: number, retryAfter: string | undefined): void;
}

export interface MeterDeps {
  usage: UsageStore;
  budgets: BudgetStore;
  prices: PriceBook;
  now(): number;
  /** The chat a run is answering (conversation runs; tasks answer their group's chat). */
  chatOf?(context: RunContext): string | undefined;
  /** A request was refused by a budget (the host tells the chat once). */
  refused?(context: RunContext, block: BudgetBlock): void;
  /** The upstream kept answering 429/529 to this run (the host tells the chat once per run). */
  overloaded?(context: RunContext, status: number, retryAfter: string | undefined): void;
  log: Logger;
}

/** Rate-limit answers in a row, for one run, before its chat is told. */
export const OVERLOAD_NOTICE_AFTER = 3;

/** The budget a group has reached now, read fresh from the store (see budget.ts). */
export function groupBudgetBlock(
  stores: Pick<MeterDeps, 'usage' | 'budgets'>,
  folder: string,
  now: number,
): BudgetBlock | undefined {
  return budgetBlock(
    folder,
    stores.budgets.forGroup(folder),
    (scope, period, at) => stores.usage.spentIn(scope, period, at),
    now,
  );
}

export function createUsageMeter(deps: MeterDeps): UsageHooks {
  // Per live run: consecutive 429/529 answers (dropped on success, or once reported).
  const limited = new Map<string, number>();
  return {
    admit(context) {
      const block = groupBudgetBlock(deps, context.group.folder, deps.now());
      if (block) deps.refused?.(context, block);
      return block;
    },
    record(context, parsed) {
      const model = parsed.model ?? 'unknown';
      deps.usage.record({
        ts: deps.now(),
        group: context.group.folder,
        runId: context.runId,
        task: context.task,
        chatId: deps.chatOf?.(context),
        model,
        tokens: parsed.tokens,
        costUsd: deps.prices.costOf(model, parsed.tokens),
      });
    },
    upstreamStatus(context, status, retryAfter) {
      if (status !== 429 && status !== 529) {
        limited.delete(context.runId);
        return;
      }
      // Runs that ended while limited leave an entry: keep the map bounded.
      if (limited.size > 1000) limited.clear();
      const count = (limited.get(context.runId) ?? 0) + 1;
      limited.set(context.runId, count);
      deps.log.warn({ status, retryAfter, count }, 'model upstream is rate limiting');
      if (count === OVERLOAD_NOTICE_AFTER) deps.overloaded?.(context, status, retryAfter);
    },
  };
}
