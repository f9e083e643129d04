/** `nanoclaw senders show|set <folder>`: who may wake a group's agent in its chat. */
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { openStore } from '../host.js';
import { SenderPolicySchema, type SenderPolicy } from '../shared/policies.js';
import { parse, subcommand } from './args.js';
import { requireGroup } from './group-arg.js';
import type { CliContext } from './index.js';

export const USAGE = `nanoclaw senders show <folder> [--json]
       nanoclaw senders set <folder> --allow all|owner|<id,id,...> [--mode trigger|drop]
  trigger: others' messages are kept as context but cannot wake the agent
  drop:    others' messages are not stored at all`;

const OPTIONS = {
  allow: { type: 'string' },
  mode: { type: 'string', default: 'trigger' },
  json: { type: 'boolean', default: false },
} as const;

/** The policy in words, for `senders show`. */
export function sendersText(folder: string, policy: SenderPolicy, ownerIds: readonly string[]) {
  const who =
    policy.allow === 'all'
      ? 'everyone in the chat'
      : policy.allow === 'owner'
        ? `the owner only (sender ids ${ownerIds.join(', ')})`
        : `these sender ids: ${policy.allow.join(', ')}`;
  const others =
    policy.mode === 'drop'
      ? 'not stored at all (mode drop)'
      : 'kept as context, but they cannot wake the agent (mode trigger)';
  return (
    `Group ${folder}\n  May wake the agent: ${who}\n  Others' messages:  ${others}\n` +
    `Owner sender ids: ${ownerIds.join(', ')} (OWNER_SENDER_IDS adds more)\n`
  );
}

export async function sendersCommand(args: string[], ctx: CliContext): Promise<number> {
  const [given, ...rest] = args;
  const sub = subcommand(given, ['show', 'set'], USAGE);
  const { values, positionals } = parse(rest, OPTIONS, USAGE);
  if (sub === 'set' && !values.allow)
    throw new UserError(`Give --allow all, owner or a list of sender ids.\nUsage: ${USAGE}`);
  if (!positionals[0]) throw new UserError(`Give a group folder.\nUsage: ${USAGE}`);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const store = openStore(config);
  try {
    const { folder, senderPolicy } = requireGroup(store.groups, positionals[0], USAGE);
    if (sub === 'show') {
      ctx.stdout.write(
        values.json
          ? `${JSON.stringify(senderPolicy)}\n`
          : sendersText(folder, senderPolicy, config.ownerIds),
      );
      return 0;
    }
    const allow =
      values.allow === 'all' || values.allow === 'owner'
        ? values.allow
        : (values.allow ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
    const parsed = SenderPolicySchema.safeParse({ allow, mode: values.mode });
    if (!parsed.success)
      throw new UserError(`Invalid policy: ${parsed.error.issues[0]?.message}.\nUsage: ${USAGE}`);
    store.groups.setSenderPolicy(folder, parsed.data);
    ctx.stdout.write(
      `${sendersText(folder, parsed.data, config.ownerIds)}(applies to the next message)\n`,
    );
    return 0;
  } finally {
    store.db.close();
  }
}
