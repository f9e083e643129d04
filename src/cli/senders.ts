/** `nanoclaw senders show|set <folder>`: who may wake a group's agent in its chat. */
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { openStore } from '../host.js';
import { SenderPolicySchema } from '../shared/policies.js';
import { parse } from './args.js';
import type { CliContext } from './index.js';

const USAGE = `nanoclaw senders show <folder>
       nanoclaw senders set <folder> --allow all|owner|<id,id,...> [--mode trigger|drop]
  trigger: others' messages are kept as context but cannot wake the agent
  drop:    others' messages are not stored at all`;

export async function sendersCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(
    rest,
    { allow: { type: 'string' }, mode: { type: 'string', default: 'trigger' } },
    USAGE,
  );
  const config = loadConfig(ctx.env, ctx.appRoot);
  const store = openStore(config);
  try {
    const folder = positionals[0] ?? '';
    const group = store.groups.get(folder);
    if (!group) throw new UserError(`No group "${folder}".\nUsage: ${USAGE}`);
    if (sub === 'show') {
      ctx.stdout.write(
        `${JSON.stringify(group.senderPolicy)}\nOwner sender ids: ${config.ownerIds.join(', ')}\n`,
      );
      return 0;
    }
    if (sub === 'set' && values.allow) {
      const allow =
        values.allow === 'all' || values.allow === 'owner'
          ? values.allow
          : values.allow
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
      const parsed = SenderPolicySchema.safeParse({ allow, mode: values.mode });
      if (!parsed.success)
        throw new UserError(`Invalid policy: ${parsed.error.issues[0]?.message}.\nUsage: ${USAGE}`);
      store.groups.setSenderPolicy(folder, parsed.data);
      ctx.stdout.write(
        `Group ${folder}: ${JSON.stringify(parsed.data)} (applies to the next message).\n`,
      );
      return 0;
    }
    throw new UserError(`Usage: ${USAGE}`);
  } finally {
    store.db.close();
  }
}
