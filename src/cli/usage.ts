/**
 * `nanoclaw usage`: model usage as the gateway recorded it (tokens, cost at the price table),
 * the SDK's own figures where they disagree, what pre-checks saved, and budgets. The operator
 * acts as main: every group is visible.
 */
import { loadConfig } from '../config.js';
import type { RunContext } from '../gateway/types.js';
import { openStore, type Store } from '../host.js';
import { USAGE_DIMENSIONS, type UsageDimension, type UsageRow } from '../store/usage.js';
import { formatAmount } from '../usage/budget.js';
import { UsageService, type BudgetState, type UsageReport } from '../usage/service.js';
import { UserError } from '../errors.js';
import { noPositionals, parse } from './args.js';
import type { CliContext } from './index.js';

export const USAGE = `nanoclaw usage [--group G] [--since today|month|24h|7d|2026-12-01]
                      [--by day|group|task|model|channel] [--json]
  Tokens (input, output, cache read, cache write) and cost per row; the default is this month
  (UTC) by group. Models without a price are counted in tokens only (see docs/USAGE.md).`;

const OPTIONS = {
  group: { type: 'string' },
  since: { type: 'string' },
  by: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export function operatorOf(store: Store): RunContext {
  return { runId: 'cli', group: { folder: store.groups.main()?.folder ?? 'main', isMain: true } };
}

export function usageService(store: Store): UsageService {
  return new UsageService({ ...store, now: Date.now });
}

function dimension(text: string | undefined): UsageDimension {
  if (text === undefined) return 'group';
  const found = USAGE_DIMENSIONS.find((d) => d === text);
  if (!found) throw new UserError(`--by "${text}": use one of ${USAGE_DIMENSIONS.join(', ')}.`);
  return found;
}

export async function usageCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, USAGE);
  noPositionals(positionals, USAGE);
  const by = dimension(values.by);
  const store = openStore(loadConfig(ctx.env, ctx.appRoot));
  try {
    const report = usageService(store).report(operatorOf(store), {
      group: values.group,
      since: values.since,
      by,
    });
    ctx.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
    return 0;
  } finally {
    store.db.close();
  }
}

const usd = (n: number) => `$${n.toFixed(4)}`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function costCell(r: { calls: number; unpricedCalls: number; costUsd: number }): string {
  if (r.unpricedCalls === 0) return usd(r.costUsd);
  return r.unpricedCalls === r.calls ? 'tokens only' : `${usd(r.costUsd)} + tokens only`;
}

function rowCells(lead: string[], r: Omit<UsageRow, 'key' | 'group' | 'model'>): string[] {
  return [
    ...lead,
    String(r.calls),
    String(r.inputTokens),
    String(r.outputTokens),
    String(r.cacheReadTokens),
    String(r.cacheWriteTokens),
    costCell(r),
  ];
}

export function budgetLine(b: BudgetState): string {
  const scope = b.scope === '*' ? 'all groups' : b.scope;
  const state = b.reached ? '  REACHED: model requests refused' : '';
  return `  ${scope} ${b.period}: ${formatAmount(b.unit, b.spent)} of ${formatAmount(b.unit, b.amount)}${state}`;
}

export function reportText(report: UsageReport): string {
  const { by, totals } = report;
  const out: string[] = [
    `Usage since ${report.since} (by ${by}${report.group ? `, group ${report.group}` : ''})\n`,
  ];
  if (report.rows.length === 0) out.push('No model requests recorded.\n');
  else {
    const lead = by === 'group' ? ['GROUP', 'MODEL'] : [by.toUpperCase(), 'GROUP', 'MODEL'];
    const header = [...lead, 'CALLS', 'INPUT', 'OUTPUT', 'CACHE-READ', 'CACHE-WRITE', 'COST'];
    const keys = (r: UsageRow) => (by === 'group' ? [r.group, r.model] : [r.key, r.group, r.model]);
    const pad = lead.map((_, i) => (i === 0 ? 'TOTAL' : ''));
    const rows = report.rows.map((r) => rowCells(keys(r), r));
    out.push(table(header, [...rows, rowCells(pad, totals)]));
  }
  if (totals.unpricedModels.length > 0) {
    out.push(
      `No price for ${totals.unpricedModels.join(', ')}: counted in tokens only ` +
        '(add it to $NANOCLAW_HOME/prices.json, see docs/USAGE.md).\n',
    );
  }
  out.push(`SDK's own estimate: ${usd(report.sdk.costUsd)} over ${report.sdk.runs} runs.\n`);
  for (const d of report.disagreements) {
    out.push(
      `  run ${d.runId} (${d.group}) disagrees: gateway ${d.gatewayTokens} tokens ${usd(d.gatewayUsd)}, ` +
        `SDK ${d.sdkTokens} tokens ${d.sdkUsd === null ? '(no cost)' : usd(d.sdkUsd)}\n`,
    );
  }
  for (const s of report.precheckSkips) {
    out.push(
      `Pre-check skipped task ${s.task} (${s.group}) ${s.skipped} times: about ${s.tokensSaved} ` +
        `tokens (${usd(s.usdSaved)}) saved.\n`,
    );
  }
  if (report.budgets.length > 0)
    out.push(`Budgets (UTC periods):\n${report.budgets.map(budgetLine).join('\n')}\n`);
  return out.join('');
}
