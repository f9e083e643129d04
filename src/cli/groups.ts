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
import { operatorOf, usageService } from './usage.js';
import type { CliContext } from './index.js';

export const USAGE =
  'nanoclaw groups list\n' +
  '       nanoclaw groups add <folder> [--name <name>] [--chat <channel:id>] [--trigger <word>] [--no-trigger]\n' +
  '       nanoclaw groups remove <folder>\n' +
  '       nanoclaw groups link|unlink <folder> <chat id>   (a group may answer several chats)\n' +
  '       nanoclaw groups set-model <folder> <model|default> [--effort low|medium|high|xhigh|max]\n' +
  "                                 [--task <task id>]   (the task's own model instead)\n" +
  '  --chat defaults to web:<folder>; other channels come with channel skills (nanoclaw skills)';

const OPTIONS = {
  name: { type: 'string' },
  chat: { type: 'string' },
  trigger: { type: 'string' },
  'no-trigger': { type: 'boolean', default: false },
  effort: { type: 'string' },
  task: { type: 'string' },
} as const;

export async function groupsCommand(args: string[], ctx: CliContext): Promise<number> {
  const [given, ...rest] = args;
  const sub = subcommand(given, ['list', 'add', 'remove', 'link', 'unlink', 'set-model'], USAGE);
  const { values, positionals } = parse(rest, OPTIONS, USAGE);
  const folder = positionals[0];
  if (sub !== 'list' && !folder) throw new UserError(`Give a group folder.\nUsage: ${USAGE}`);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const store = openStore(config);
  try {
    if (sub === 'list') {
      const modelOf = (g: Group) => modelText(store.budgets.model('group', g.folder), config.model);
      ctx.stdout.write(
        listText(store.groups.list(), config, (g) => store.groups.chats(g.folder), modelOf),
      );
      return 0;
    }
    if (sub === 'set-model') {
      ctx.stdout.write(setModel(store, folder ?? '', positionals[1], values));
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
  modelOf: (g: Group) => string,
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
    return `${g.folder}\t${chats}\t${trigger}\t${modelOf(g)}\t${g.name}\n`;
  });
  return `FOLDER\tCHATS (home first)\tTRIGGER\tMODEL\tNAME\n${lines.join('')}`;
}

/** `claude-sonnet-4-5 (effort high)`, or the default model the group falls back to. */
function modelText(setting: { model?: string; effort?: string }, fallback: string | undefined) {
  const model = setting.model ?? `${fallback ?? 'SDK default'} (default)`;
  return setting.effort ? `${model}, effort ${setting.effort}` : model;
}

function setModel(
  store: Store,
  folder: string,
  model: string | undefined,
  values: { effort?: string | undefined; task?: string | undefined },
): string {
  if (!model) throw new UserError(`Give a model id, or "default".\nUsage: ${USAGE}`);
  if (!store.groups.get(folder))
    throw new UserError(`No group "${folder}" (nanoclaw groups list).`);
  const task = values.task ? store.tasks.get(values.task) : undefined;
  if (values.task && task?.groupFolder !== folder) {
    throw new UserError(`Group ${folder} has no task ${values.task} (nanoclaw tasks list).`);
  }
  const effort = values.effort as 'low' | 'medium' | 'high' | 'xhigh' | 'max' | undefined;
  const setting = { model: model === 'default' ? null : model, effort: effort ?? null };
  const target = task ? { task_id: task.id } : { group_folder: folder };
  usageService(store).setModel(operatorOf(store), { ...target, ...setting });
  const what = task ? `Task ${task.id}` : `Group ${folder}`;
  return model === 'default'
    ? `${what} uses the default model again from its next run.\n`
    : `${what} uses ${model}${effort ? ` (effort ${effort})` : ''} from its next run.\n`;
}
