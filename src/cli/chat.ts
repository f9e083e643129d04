/**
 * `nanoclaw chat`: the terminal chat. A client of the RUNNING host's web API (same groups, same
 * store) — the host of its own NANOCLAW_HOME, found through the record that host keeps there
 * (find-host.ts), and says where it connected. Prints recent history, sends each line read from stdin, and prints messages as they
 * arrive on the chat's event stream. With piped input it exits once the replies are in.
 */
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { parse } from './args.js';
import { ChatApi, HostUnreachableError } from './chat-api.js';
import { ChatSession } from './chat-session.js';
import { findHostAddress } from './find-host.js';
import type { CliContext } from './index.js';

export const USAGE = 'nanoclaw chat [--chat web:main] [--wait <seconds>]';

interface ChatOptions {
  chat: string;
  waitMs: number;
}

function chatOptions(args: string[]): ChatOptions {
  const { values, positionals } = parse(
    args,
    { chat: { type: 'string', default: 'web:main' }, wait: { type: 'string', default: '120' } },
    USAGE,
  );
  if (positionals.length > 0) {
    throw new UserError(`Unexpected argument "${positionals[0]}".\nUsage: ${USAGE}`);
  }
  if (!/^\d+(\.\d+)?$/.test(values.wait)) {
    throw new UserError(`--wait takes a number of seconds, not "${values.wait}".\nUsage: ${USAGE}`);
  }
  return { chat: values.chat, waitMs: Number(values.wait) * 1000 };
}

export async function chatCommand(args: string[], ctx: CliContext): Promise<number> {
  const options = chatOptions(args);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const address = findHostAddress(config.home);
  if (!address.ok) {
    ctx.stderr.write(`${address.problem}\n`);
    return 1;
  }
  const api = new ChatApi(address.url, config.web.token);
  try {
    return await converse(api, options, ctx, address.pid);
  } catch (error) {
    if (!(error instanceof HostUnreachableError)) throw error;
    ctx.stderr.write(
      `NanoClaw (process ${address.pid}) holds ${config.home} but does not answer at ` +
        `${api.baseUrl}. If it is hanging, restart it.\n`,
    );
    return 1;
  }
}

async function converse(
  api: ChatApi,
  options: ChatOptions,
  ctx: CliContext,
  pid: number,
): Promise<number> {
  const status = await api.status();
  const chats = await api.chats();
  const chat = chats.find((c) => c.chatId === options.chat);
  if (!chat) {
    const known = chats.map((c) => `${c.chatId} (${c.name})`).join(', ') || 'none';
    throw new UserError(`Unknown chat "${options.chat}". Chats: ${known}.`);
  }
  ctx.stderr.write(
    `Connected to NanoClaw at ${api.baseUrl} (process ${pid}), chat ${chat.chatId}.\n`,
  );
  for (const problem of status.problems) ctx.stderr.write(`Action needed: ${problem}\n`);
  if (chat.trigger) {
    ctx.stderr.write(
      `In ${chat.name}, start a message with ${chat.trigger} to wake ${status.assistantName}.\n`,
    );
  }
  const session = new ChatSession({
    api,
    chatId: chat.chatId,
    assistantName: status.assistantName,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
  });
  await session.run(ctx.stdin, options.waitMs, isTty(ctx.stdin));
  return 0;
}

function isTty(stream: NodeJS.ReadableStream): boolean {
  return 'isTTY' in stream && stream.isTTY === true;
}
