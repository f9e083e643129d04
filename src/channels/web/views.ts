/**
 * The JSON shapes the web chat API returns (docs/API.md). Only these fields leave the host:
 * sender ids and internal flags stay inside.
 */
import { defaultTrigger } from '../../conversation/trigger.js';
import type { Group } from '../../store/groups.js';
import { taskOfSender } from '../../scheduler/label.js';
import { formatBytes } from '../../shared/mime.js';
import type { StoredMessage } from '../../store/messages.js';
import type { Step } from '../../store/steps.js';

export interface ApiMessage {
  id: string;
  ts: number;
  sender: string;
  fromAssistant: boolean;
  /** Ends with one line per file (`[file: name, size]`), for clients that show only text. */
  text: string;
  /** The message's files, in order; `url` (a download) only for files that were kept. */
  files: ApiFile[];
  /** For a scheduled task's answer: the task's label (scheduler/label.ts); else null. */
  task: string | null;
  /** What the turn this reply ended did (tools, team members), oldest first; often none. */
  steps: ApiStep[];
}

export interface ApiStep {
  at: number;
  /** The team member that took the step; null: the assistant itself. */
  agent: string | null;
  text: string;
}

export interface ApiFile {
  name: string;
  size: number;
  url: string | null;
}

/**
 * What the web owner may do in a chat: `chat` (a web chat: messages as the user), `bot-reply`
 * (another channel's chat of main, the owner's group: a message goes out there as the
 * assistant's), `read-only` (another group's chat on another channel).
 */
export type ChatAccess = 'chat' | 'bot-reply' | 'read-only';

export interface ApiChat {
  chatId: string;
  name: string;
  /** The channel the chat is on (`web`, `telegram`, …). */
  channel: string;
  folder: string;
  isMain: boolean;
  access: ChatAccess;
  /** What a message must start with to wake the assistant; null when every message does. */
  trigger: string | null;
}

/**
 * The `chat` event: a message was stored in another chat the viewer's list shows. Enough to
 * count it as unread (the id de-duplicates), nothing of what it says or who sent it.
 */
export interface ApiChatNotice {
  chatId: string;
  id: string;
  ts: number;
  fromAssistant: boolean;
}

export function chatNotice(m: StoredMessage): ApiChatNotice {
  return { chatId: m.chatId, id: m.id, ts: m.ts, fromAssistant: m.fromAssistant };
}

export function messageView(m: StoredMessage, steps: readonly Step[] = []): ApiMessage {
  return {
    id: m.id,
    ts: m.ts,
    sender: m.senderName,
    fromAssistant: m.fromAssistant,
    text: [m.content, ...(m.attachments ?? []).map(fileLine)].filter(Boolean).join('\n'),
    files: (m.attachments ?? []).map((a, i) => ({
      name: fileName(a),
      size: a.size,
      url: a.path || (m.fromAssistant && !a.note) ? fileUrl(m.chatId, m.id, i) : null,
    })),
    task: (m.fromAssistant && taskOfSender(m.senderName)) || null,
    steps: steps.map((s) => ({ at: s.at, agent: s.agent ?? null, text: s.text })),
  };
}

/** Where a message's file is downloaded (GET, see server.ts): by message id and index only. */
export function fileUrl(chatId: string, messageId: string, index: number): string {
  return `/api/chats/${encodeURIComponent(chatId)}/files/${encodeURIComponent(messageId)}/${index}`;
}

function fileName(a: NonNullable<StoredMessage['attachments']>[number]): string {
  return a.name || (a.path ? a.path.split('/').pop() : '') || a.kind;
}

/** A file named with its size (the page offers it for download from `files`). */
function fileLine(a: NonNullable<StoredMessage['attachments']>[number]): string {
  const name = fileName(a);
  return a.path || !a.note
    ? `[file: ${name}, ${formatBytes(a.size)}]`
    : `[file not saved: ${name} (${a.note})]`;
}

/** Pure: who may write what in a chat (see ChatAccess). */
export function chatAccess(chatId: string, group: Group): ChatAccess {
  if (chatId.startsWith('web:')) return 'chat';
  return group.isMain ? 'bot-reply' : 'read-only';
}

export function chatView(
  group: Group,
  chat: { chatId: string; name: string; channel: string },
  assistantName: string,
): ApiChat {
  const answersAll = group.isMain || !group.requiresTrigger;
  return {
    chatId: chat.chatId,
    name: chat.name,
    channel: chat.channel,
    folder: group.folder,
    isMain: group.isMain,
    access: chatAccess(chat.chatId, group),
    trigger: answersAll ? null : (group.trigger ?? defaultTrigger(assistantName)),
  };
}

/** The web sender name of a message the owner typed into another channel's chat, as the bot. */
export const fromWebSender = (assistantName: string) =>
  `${assistantName} · sent by you from the web`;
