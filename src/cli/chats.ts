/**
 * `nanoclaw chats`: the chats channels have seen that no group has yet (discovery), or every
 * chat with `--all`. `nanoclaw pair <channel>`: a one-time code that makes your DM with the bot a
 * chat of the main group and you its owner.
 */
import { channelNames } from '../channels/registry.js';
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { openStore } from '../host.js';
import type { ChatInfo } from '../store/messages.js';
import { noPositionals, parse } from './args.js';
import type { CliContext } from './index.js';

export const CHATS_USAGE =
  'nanoclaw chats [--all] [--json]\n' +
  '  Lists chats the channels have seen that no group has yet (--all: every chat).\n' +
  '  Register one: nanoclaw groups add <folder> --chat <chat id>, or join it to a group:\n' +
  '  nanoclaw groups link <folder> <chat id>.';

export const PAIR_USAGE =
  'nanoclaw pair <channel>\n' +
  '  Prints a one-time code (valid 10 minutes). Send it to the bot in a direct message on that\n' +
  '  channel: that DM becomes a chat of your main group, and you its owner.';

function chatLine(c: ChatInfo): string {
  const seen = Math.max(c.seenAt, c.lastMessageTs);
  const when = seen > 0 ? new Date(seen).toISOString().slice(0, 16).replace('T', ' ') : '-';
  return `${c.chatId}\t${c.kind}\t${c.group ?? '(unregistered)'}\t${when}\t${c.name}\n`;
}

export async function chatsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(
    args,
    { all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    CHATS_USAGE,
  );
  noPositionals(positionals, CHATS_USAGE);
  const store = openStore(loadConfig(ctx.env, ctx.appRoot));
  try {
    const chats = store.messages.chats({ unregistered: !values.all });
    if (values.json) {
      for (const c of chats) ctx.stdout.write(`${JSON.stringify(c)}\n`);
    } else if (chats.length === 0) {
      ctx.stdout.write(
        values.all
          ? 'No chats yet: start the assistant with nanoclaw start and open the web chat.\n'
          : 'No unregistered chats seen yet. Add a channel (nanoclaw skills add telegram), write ' +
              'to the bot there, and the chat appears here.\n',
      );
    } else {
      ctx.stdout.write('CHAT\tKIND\tGROUP\tLAST SEEN (UTC)\tNAME\n');
      for (const c of chats) ctx.stdout.write(chatLine(c));
    }
    return 0;
  } finally {
    store.db.close();
  }
}

export async function pairCommand(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parse(args, {}, PAIR_USAGE);
  const [channel, ...extra] = positionals;
  const pairable = channelNames(ctx.appRoot).filter((name) => name !== 'web');
  if (!channel || extra.length > 0) {
    throw new UserError(`Name one channel.\nUsage: ${PAIR_USAGE}`);
  }
  if (!pairable.includes(channel)) {
    throw new UserError(
      pairable.length === 0
        ? `No channel to pair with: the web chat is already yours. Add one first, e.g. ` +
            'nanoclaw skills add telegram.'
        : `Unknown channel "${channel}": this installation has ${pairable.join(', ')}.`,
    );
  }
  const store = openStore(loadConfig(ctx.env, ctx.appRoot));
  try {
    const { code, expiresAt } = store.pairing.create(channel, Date.now());
    const until = new Date(expiresAt).toISOString().slice(11, 16);
    ctx.stdout.write(
      `Pairing code for ${channel}: ${code}\n` +
        `Send it to the bot in a direct message before ${until} UTC (single use; a new code ` +
        'replaces this one). That chat then belongs to your main group, and you are its owner.\n',
    );
    return 0;
  } finally {
    store.db.close();
  }
}
