/**
 * `nanoclaw uninstall [--dry-run] [--yes] [--keep-data]`: removes only what this installation
 * made, printing each item; asks before the data (history, groups, .env) on a terminal.
 */
import { loadConfig } from '../config.js';
import { UserError, errorMessage } from '../errors.js';
import { findHost } from '../host-lock.js';
import { terminalAsker } from '../setup/prompt.js';
import { gatherFacts, removeItem, uninstallPlan, type Item } from '../setup/uninstall.js';
import { noPositionals, parse } from './args.js';
import type { CliContext } from './index.js';

export const USAGE = `nanoclaw uninstall [--dry-run] [--yes] [--keep-data]
  Removes what this installation made: its service, sandboxes left running, the agent image
  setup built, the mount allowlist setup created, and the data directory (asked separately;
  --keep-data keeps it). --dry-run lists them and removes nothing. The NanoClaw folder itself
  (your git clone) is left for you to delete.`;

async function confirmed(
  items: Item[],
  values: { yes: boolean; 'keep-data': boolean },
  ctx: CliContext,
): Promise<Item[]> {
  const keep = values['keep-data'] ? items.filter((i) => !i.data) : items;
  if (values.yes) return keep;
  if ((ctx.stdin as { isTTY?: boolean }).isTTY !== true) {
    throw new UserError(
      'Nothing removed: pass --yes to remove without asking (add --keep-data to keep the data), or --dry-run to list.',
    );
  }
  const ask = terminalAsker(ctx);
  const tools = keep.filter((i) => !i.data);
  const data = keep.filter((i) => i.data);
  const out: Item[] = [];
  if (
    tools.length &&
    (await ask.confirm('Remove the service, sandboxes and image listed above?', false))
  )
    out.push(...tools);
  if (
    data.length &&
    (await ask.confirm('Also delete your data (cannot be undone; nanoclaw backup first)?', false))
  )
    out.push(...data);
  return out;
}

export async function uninstallCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      'dry-run': { type: 'boolean', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      'keep-data': { type: 'boolean', default: false },
    },
    USAGE,
  );
  noPositionals(positionals, USAGE);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const facts = gatherFacts(config, ctx.env);
  const host = findHost(config.home);
  if (host.running && !facts.service && !values['dry-run']) {
    throw new UserError(
      `NanoClaw runs for ${config.home} (pid ${host.record?.pid ?? '?'}) outside a service: stop it first (Ctrl-C in its terminal).`,
    );
  }
  const items = uninstallPlan(facts);
  if (items.length === 0) {
    ctx.stdout.write(`Nothing of this installation is left (NANOCLAW_HOME=${config.home}).\n`);
    return 0;
  }
  ctx.stdout.write(`This installation (NANOCLAW_HOME=${config.home}) owns:\n`);
  for (const item of items) ctx.stdout.write(`  - ${item.label}${item.data ? ' [data]' : ''}\n`);
  if (values['dry-run']) {
    ctx.stdout.write('Dry run: nothing was removed.\n');
    return 0;
  }
  let failures = 0;
  for (const item of await confirmed(items, values, ctx)) {
    try {
      await removeItem(item, facts, config, ctx.env);
      ctx.stdout.write(`removed: ${item.label}\n`);
    } catch (error) {
      failures++;
      ctx.stdout.write(`could not remove ${item.label}: ${errorMessage(error)}\n`);
    }
  }
  ctx.stdout.write(
    `The NanoClaw folder ${ctx.appRoot} is your clone: delete it yourself if you want.\n`,
  );
  return failures ? 1 : 0;
}
