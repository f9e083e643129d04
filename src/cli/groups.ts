/**
 * `nanoclaw groups list|add|remove`: manage registered groups from the terminal. Works while
 * the host runs: the host reads groups from the store on every message.
 */
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { registerGroup, removeGroup } from '../groups/manage.js';
import { openStore } from '../host.js';
import { parse } from './args.js';
import type { CliContext } from './index.js';

const USAGE =
  'nanoclaw groups list\n' +
  '       nanoclaw groups add <folder> [--name <name>] [--chat <channel:id>] [--trigger <word>] [--no-trigger]\n' +
  '       nanoclaw groups remove <folder>';

export async function groupsCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(
    rest,
    {
      name: { type: 'string' },
      chat: { type: 'string' },
      trigger: { type: 'string' },
      'no-trigger': { type: 'boolean', default: false },
    },
    USAGE,
  );
  const config = loadConfig(ctx.env, ctx.appRoot);
  const store = openStore(config);
  try {
    if (sub === 'list') {
      ctx.stdout.write('FOLDER\tCHAT\tTRIGGER\tNAME\n');
      for (const g of store.groups.list()) {
        const trigger = g.isMain
          ? '(main: every message)'
          : g.requiresTrigger
            ? (g.trigger ?? `@${config.assistantName}`)
            : '(every message)';
        ctx.stdout.write(`${g.folder}\t${g.chatId ?? '-'}\t${trigger}\t${g.name}\n`);
      }
      return 0;
    }
    const folder = positionals[0];
    if (sub === 'add' && folder) {
      const group = registerGroup(
        store,
        config,
        {
          folder,
          name: values.name,
          chatId: values.chat,
          trigger: values.trigger,
          requiresTrigger: !values['no-trigger'],
        },
        new Date(),
      );
      ctx.stdout.write(`Registered group ${group.folder} for chat ${group.chatId}.\n`);
      return 0;
    }
    if (sub === 'remove' && folder) {
      removeGroup(store, folder);
      ctx.stdout.write(`Removed group ${folder} (its folder and memory stay on disk).\n`);
      return 0;
    }
    throw new UserError(`Usage: ${USAGE}`);
  } finally {
    store.db.close();
  }
}
