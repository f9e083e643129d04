/** `nanoclaw egress show|set <folder>`: where a group's sandbox may connect. */
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { openStore } from '../host.js';
import { EgressPolicySchema, type EgressPolicy } from '../shared/policies.js';
import { parse, subcommand } from './args.js';
import { requireGroup } from './group-arg.js';
import type { CliContext } from './index.js';

export const USAGE = `nanoclaw egress show <folder> [--json]
       nanoclaw egress set <folder> --mode public|allowlist|none [--allow host,*.domain,host:port,...]
  public:    any public address (loopback, private, link-local, CGNAT and metadata ranges refused)
  allowlist: only the listed domains
  none:      nothing
  An explicit host:port entry may open a private address.`;

const OPTIONS = {
  mode: { type: 'string' },
  allow: { type: 'string', default: '' },
  json: { type: 'boolean', default: false },
} as const;

/** The policy in words, for `egress show`. */
export function egressText(folder: string, policy: EgressPolicy): string {
  const mode = {
    public: 'any public address (private, loopback and metadata addresses refused)',
    allowlist: 'only the listed destinations',
    none: 'nowhere (no network at all)',
  }[policy.mode];
  const listed = policy.allow.length > 0 ? policy.allow.join(', ') : '(none)';
  const extra = policy.mode === 'none' ? '' : `\n  Listed:        ${listed}`;
  return `Group ${folder}\n  May connect to: ${mode} (mode ${policy.mode})${extra}\n`;
}

export async function egressCommand(args: string[], ctx: CliContext): Promise<number> {
  const [given, ...rest] = args;
  const sub = subcommand(given, ['show', 'set'], USAGE);
  const { values, positionals } = parse(rest, OPTIONS, USAGE);
  if (sub === 'set' && !values.mode)
    throw new UserError(`Give --mode public, allowlist or none.\nUsage: ${USAGE}`);
  if (!positionals[0]) throw new UserError(`Give a group folder.\nUsage: ${USAGE}`);
  const store = openStore(loadConfig(ctx.env, ctx.appRoot));
  try {
    const { folder, egressPolicy } = requireGroup(store.groups, positionals[0], USAGE);
    if (sub === 'show') {
      ctx.stdout.write(
        values.json ? `${JSON.stringify(egressPolicy)}\n` : egressText(folder, egressPolicy),
      );
      return 0;
    }
    const allow = values.allow
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const parsed = EgressPolicySchema.safeParse({ mode: values.mode, allow });
    if (!parsed.success)
      throw new UserError(`Invalid policy: ${parsed.error.issues[0]?.message}.\nUsage: ${USAGE}`);
    store.groups.setEgressPolicy(folder, parsed.data);
    ctx.stdout.write(`${egressText(folder, parsed.data)}(applies at once)\n`);
    return 0;
  } finally {
    store.db.close();
  }
}
