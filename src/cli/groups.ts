/**
 * `nanoclaw groups list|add|remove|link|unlink`: manage registered groups from the terminal. Works while
 * the host runs: the host reads groups from the store on every message.
 */
import { channelNames } from '../channels/registry.js';
import { loadConfig, type Config } from '../config.js';
import { UserError } from '../errors.js';
import { checkChatId, registerGroup, removeGroup } from '../groups/manage.js';
import { openStore, type Store } from '../host.js';
import type { Group } from '../store/groups.js';
import { parse, subcommand } from './args.js';
import type { CliContext } from './index.js';

export const USAGE =
  'nanoclaw groups list\n' +
  '       nanoclaw groups add <folder> [--name <name>] [--chat <channel:id>] [--trigger <word>] [--no-trigger]\n' +
  '       nanoclaw groups remove <folder>\n' +
  '       nanoclaw groups link|unlink <folder> <chat id>   (a group may answer several chats)\n' +
  '  --chat defaults to web:<folder>; other channels come with channel skills (nanoclaw skills)';

const OPTIONS = {
  name: { type: 'string' },
  chat: { type: 'string' },
  trigger: { type: 'string' },
  'no-trigger': { type: 'boolean', default: false },
} as const;

export async function groupsCommand(args: string[], ctx: CliContext): Promise<number> {
  const [given, ...rest] = args;
  const sub = subcommand(given, ['list', 'add', 'remove', 'link', 'unlink'], USAGE);
  const { values, positionals } = parse(rest, OPTIONS, USAGE);
  const folder = positionals[0];
  if (sub !== 'list' && !folder) throw new UserError(`Give a group folder.\nUsage: ${USAGE}`);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const store = openStore(config);
  try {
    if (sub === 'list') {
      ctx.stdout.write(listText(store.groups.list(), config, (g) => store.groups.chats(g.folder)));
      return 0;
    }
    if (sub === 'add') {
      const registration = {
        folder: folder ?? '',
        name: values.name,
        chatId: values.chat,
        trigger: values.trigger,
        requiresTrigger: !values['no-trigger'],
      };
      const group = registerGroup(
        store,
        config,
        registration,
        new Date(),
        channelNames(ctx.appRoot),
      );
      ctx.stdout.write(`Registered group ${group.folder} for chat ${group.chatId}.\n`);
      return 0;
    }
    if (sub === 'link' || sub === 'unlink') {
      ctx.stdout.write(linkChat(store, sub, folder ?? '', positionals[1], ctx.appRoot));
      return 0;
    }
    removeGroup(store, folder ?? '');
    ctx.stdout.write(`Removed group ${folder} (its folder and memory stay on disk).\n`);
    return 0;
  } finally {
    store.db.close();
  }
}

/** Adds a chat to a group (it then answers there too) or removes one from it. */
function linkChat(
  store: Store,
  sub: 'link' | 'unlink',
  folder: string,
  chat: string | undefined,
  appRoot: string,
): string {
  if (!chat) throw new UserError(`Give a chat id.\nUsage: ${USAGE}`);
  const group = store.groups.get(folder);
  if (!group) throw new UserError(`No group "${folder}" (nanoclaw groups list shows them).`);
  if (sub === 'unlink') {
    if (!store.groups.removeChat(folder, chat)) {
      throw new UserError(`Chat ${chat} is not a chat of group "${folder}".`);
    }
    return `Group ${folder} no longer answers ${chat}.\n`;
  }
  const chatId = checkChatId(chat, channelNames(appRoot));
  store.groups.addChat(folder, chatId, new Date());
  if (!store.messages.chatExists(chatId)) {
    store.messages.upsertChat(chatId, chatId.slice(0, chatId.indexOf(':')), group.name);
  }
  return `Group ${folder} now also answers ${chatId} (one conversation, replies to each chat).\n`;
}

function listText(
  groups: readonly Group[],
  config: Config,
  chatsOf: (g: Group) => string[],
): string {
  if (groups.length === 0) {
    return (
      'No groups yet. `nanoclaw start` (or `nanoclaw run`) creates the main group, the web chat;\n' +
      'add another with: nanoclaw groups add <folder> [--chat <channel:id>]\n'
    );
  }
  const lines = groups.map((g) => {
    const trigger = g.isMain
      ? '(main: every message)'
      : g.requiresTrigger
        ? (g.trigger ?? `@${config.assistantName}`)
        : '(every message)';
    const chats = chatsOf(g).join(',') || '-';
    return `${g.folder}\t${chats}\t${trigger}\t${g.name}\n`;
  });
  return `FOLDER\tCHATS (home first)\tTRIGGER\tNAME\n${lines.join('')}`;
}
