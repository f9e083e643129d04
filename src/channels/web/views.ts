/**
 * The JSON shapes the web chat API returns (docs/API.md). Only these fields leave the host:
 * sender ids and internal flags stay inside.
 */
import { defaultTrigger } from '../../conversation/trigger.js';
import type { Group } from '../../store/groups.js';
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
    text: m.content,
  };
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
