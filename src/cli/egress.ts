/** `nanoclaw egress show|set <folder>`: where a group's sandbox may connect. */
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { openStore } from '../host.js';
import { EgressPolicySchema } from '../shared/policies.js';
import { parse } from './args.js';
import type { CliContext } from './index.js';

const USAGE = `nanoclaw egress show <folder>
       nanoclaw egress set <folder> --mode public|allowlist|none [--allow host,*.domain,host:port,...]
  public:    any public address (loopback, private, link-local, CGNAT and metadata ranges refused)
  allowlist: only the listed domains
  none:      nothing
  An explicit host:port entry may open a private address.`;

export async function egressCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(
    rest,
    { mode: { type: 'string' }, allow: { type: 'string', default: '' } },
    USAGE,
  );
  const store = openStore(loadConfig(ctx.env, ctx.appRoot));
  try {
    const folder = positionals[0] ?? '';
    const group = store.groups.get(folder);
    if (!group) throw new UserError(`No group "${folder}".\nUsage: ${USAGE}`);
    if (sub === 'show') {
      ctx.stdout.write(`${JSON.stringify(group.egressPolicy)}\n`);
      return 0;
    }
    if (sub === 'set' && values.mode) {
      const allow = values.allow
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const parsed = EgressPolicySchema.safeParse({ mode: values.mode, allow });
      if (!parsed.success)
        throw new UserError(`Invalid policy: ${parsed.error.issues[0]?.message}.\nUsage: ${USAGE}`);
      store.groups.setEgressPolicy(folder, parsed.data);
      ctx.stdout.write(`Group ${folder}: ${JSON.stringify(parsed.data)} (applies at once).\n`);
      return 0;
    }
    throw new UserError(`Usage: ${USAGE}`);
  } finally {
    store.db.close();
  }
}
