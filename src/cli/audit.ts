/** `nanoclaw audit [--group G] [--limit N]`: the audit trail, newest first. */
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { openStore } from '../host.js';
import { noPositionals, parse } from './args.js';
import type { CliContext } from './index.js';

export const USAGE = 'nanoclaw audit [--group G] [--limit N] [--json]';

export async function auditCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      group: { type: 'string' },
      limit: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  noPositionals(positionals, USAGE);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UserError(`--limit must be a positive whole number.\nUsage: ${USAGE}`);
  const store = openStore(loadConfig(ctx.env, ctx.appRoot));
  try {
    const records = store.audit.list({ group: values.group, limit });
    if (records.length === 0 && !values.json) {
      const scope = values.group ? ` for group ${values.group}` : '';
      ctx.stdout.write(
        `No audit records${scope} yet: every sandbox run and host API call is recorded here ` +
          '(start one with nanoclaw run "hello" or nanoclaw start).\n',
      );
      return 0;
    }
    for (const r of records) {
      if (values.json) {
        ctx.stdout.write(`${JSON.stringify(r)}\n`);
        continue;
      }
      const detail = r.detail ? ` ${JSON.stringify(r.detail)}` : '';
      ctx.stdout.write(
        `${new Date(r.ts).toISOString()}  ${r.kind.padEnd(8)}  ${r.group.padEnd(12)}  ${r.action}  ${r.decision}${detail}\n`,
      );
    }
    return 0;
  } finally {
    store.db.close();
  }
}
