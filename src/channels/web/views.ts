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
  text: string;
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
  };
}

/** A file is not downloadable from the page yet: it is named, with its size. */
function fileLine(a: NonNullable<StoredMessage['attachments']>[number]): string {
  const name = a.name || (a.path ? a.path.split('/').pop() : '') || a.kind;
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
