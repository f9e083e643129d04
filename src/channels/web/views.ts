/**
 * The JSON shapes the web chat API returns (docs/API.md). Only these fields leave the host:
 * sender ids and internal flags stay inside.
 */
import { defaultTrigger } from '../../conversation/trigger.js';
import type { Group } from '../../store/groups.js';
import { formatBytes } from '../../shared/mime.js';
import type { StoredMessage } from '../../store/messages.js';

export interface ApiMessage {
  id: string;
  ts: number;
  sender: string;
  fromAssistant: boolean;
  /** Ends with one line per file (`[file: name, size]`), for clients that show only text. */
  text: string;
  /** The message's files, in order; `url` (a download) only for files that were kept. */
  files: ApiFile[];
}

export interface ApiFile {
  name: string;
  size: number;
  url: string | null;
}

export interface ApiChat {
  chatId: string;
  name: string;
  folder: string;
  isMain: boolean;
  /** What a message must start with to wake the assistant; null when every message does. */
  trigger: string | null;
}

export function messageView(m: StoredMessage): ApiMessage {
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

export function chatView(group: Group & { chatId: string }, assistantName: string): ApiChat {
  const answersAll = group.isMain || !group.requiresTrigger;
  return {
    chatId: group.chatId,
    name: group.name,
    folder: group.folder,
    isMain: group.isMain,
    trigger: answersAll ? null : (group.trigger ?? defaultTrigger(assistantName)),
  };
}
