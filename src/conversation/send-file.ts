/**
 * Attachments out: the `send_file` tool. The host reads the file from the caller's own group
 * folder only, through the host-file helper (no symlink at any level, no FIFO or device, one
 * link, at most ATTACHMENT_MAX_MB), and queues it in the outbox with its caption. The path
 * comes from the agent, so it is mapped, never trusted: `/workspace/group/...` or a path
 * relative to the group folder; anything else is refused before the disk is touched.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { ForbiddenError, UserError } from '../errors.js';
import { readAgentFile, UnsafeAgentFileError } from '../groups/agent-files.js';
import { groupPaths } from '../groups/workspace.js';
import type { RunContext } from '../gateway/types.js';
import { stripInternal } from '../runs/text.js';
import { SANDBOX_PATHS } from '../sandbox/spec.js';
import { canSendTo } from '../security/authz.js';
import { formatBytes, guessMime } from '../shared/mime.js';
import type { SendFileBody } from '../shared/host-api.js';
import type { GroupStore } from '../store/groups.js';
import type { MessageStore } from '../store/messages.js';
import type { AnsweredTurn } from './service.js';
import { postAssistantMessage, type PostDeps } from './post.js';

const GROUP_PREFIX = `${SANDBOX_PATHS.group}/`;

/**
 * Pure: the path relative to the group folder that `agentPath` names, or why it names none.
 * `..` is refused by the reader as well; this step keeps other folders' paths from ever
 * reaching it.
 */
export function groupRelativePath(agentPath: string): { rel: string } | { refused: string } {
  const rel = agentPath.startsWith(GROUP_PREFIX)
    ? agentPath.slice(GROUP_PREFIX.length)
    : path.isAbsolute(agentPath)
      ? undefined
      : agentPath.replace(/^(\.\/)+/, '');
  if (rel === undefined) return { refused: `only files under ${GROUP_PREFIX} can be sent` };
  if (!rel || rel.split(/[/\\]/).includes('..')) {
    return { refused: `the path must name a file inside ${GROUP_PREFIX} (no "..")` };
  }
  return { rel };
}

export interface SendFileDeps extends TargetDeps {
  config: Config;
  post: PostDeps;
}

export interface TargetDeps {
  groups: GroupStore;
  messages: MessageStore;
  /** The chat and message the live conversation run `runId` is answering now, if it is one. */
  answering?(runId: string): AnsweredTurn | undefined;
}

/** Where a tool's message goes, and the inbound message it belongs to (threading), if any. */
export interface ToolTarget {
  chatId: string;
  replyTo?: string;
}

/**
 * Where a tool's message or file goes: the chat named, else the chat the run is answering (a
 * group may have several chats; the reply goes where the question came from), else the group's
 * home chat (scheduled tasks). A group other than main reaches its own chats only. Sent into the
 * chat the run is answering, it replies to the newest message handed to the run (a Slack thread,
 * an email thread); sent anywhere else, it is a message of its own.
 */
export function toolTarget(deps: TargetDeps, context: RunContext, named?: string): ToolTarget {
  const folder = context.group.folder;
  const turn = deps.answering?.(context.runId);
  const target = named ?? turn?.chatId ?? deps.groups.get(folder)?.chatId;
  if (!target) throw new UserError('this group has no chat to send to');
  const decision = canSendTo(context, deps.groups.chats(folder), target);
  if (!decision.allow) throw new ForbiddenError(decision.reason);
  if (!deps.messages.chatExists(target)) throw new UserError(`unknown chat ${target}`);
  return turn?.chatId === target ? { chatId: target, replyTo: turn.messageId } : { chatId: target };
}

/** What the agent is told when its file cannot be read (the cause is kept for the log). */
function refusal(error: unknown, agentPath: string, max: number): Error {
  const options = { cause: error };
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new UserError(`Cannot send ${agentPath}: there is no such file.`, {}, options);
  }
  if (!(error instanceof UnsafeAgentFileError)) return error as Error;
  if (error.reason.startsWith('is larger than')) {
    const limit = `larger than ATTACHMENT_MAX_MB (${formatBytes(max)})`;
    return new UserError(`Cannot send ${agentPath}: it is ${limit}.`, {}, options);
  }
  return new ForbiddenError(`Cannot send ${agentPath}: it ${error.reason}.`, {}, options);
}

function readGroupFile(deps: SendFileDeps, folder: string, agentPath: string): Buffer {
  const mapped = groupRelativePath(agentPath);
  if ('refused' in mapped) throw new ForbiddenError(`Cannot send ${agentPath}: ${mapped.refused}.`);
  const max = deps.config.attachmentMaxBytes;
  let bytes: Buffer | undefined;
  try {
    bytes = readAgentFile(groupPaths(deps.config, folder).groupDir, mapped.rel, max);
  } catch (error) {
    throw refusal(error, agentPath, max);
  }
  if (!bytes) throw new UserError(`Cannot send ${agentPath}: there is no such file.`);
  return bytes;
}

/** Queues a file from the caller's group folder for its chat (main: any known chat). */
export function sendFile(
  deps: SendFileDeps,
  context: RunContext,
  body: SendFileBody,
): { sent: string; size: string; chat: string } {
  const { chatId, replyTo } = toolTarget(deps, context, body.chat_id);
  const bytes = readGroupFile(deps, context.group.folder, body.path);
  const name = path.basename(body.path);
  const caption = stripInternal(body.caption ?? '') || name;
  const file = { name, mime: guessMime(name, bytes), bytes };
  postAssistantMessage(deps.post, chatId, caption, { file, ...(replyTo ? { replyTo } : {}) });
  return { sent: name, size: formatBytes(bytes.length), chat: chatId };
}
