/** Puts an assistant message into a chat: history, live views and the outbox, in that order. */
import { outboxMessage, type MessageStore, type OutboxFile } from '../store/messages.js';
import type { EventBus } from './bus.js';
import type { Outbox } from './outbox.js';

export interface PostDeps {
  messages: MessageStore;
  bus: EventBus;
  outbox: Outbox;
  assistantName: string;
  now(): number;
}

/**
 * `file`: sent with the text as its caption (read by the host under the host-file rules).
 * `replyTo`: the platform id of the inbound message this belongs to (threading channels such as
 * Slack and email put it in that thread; stored with the outbox item, so it survives a restart).
 * `sender`: a worker or named agent speaking under its own name (default: the assistant).
 */
export function postAssistantMessage(
  deps: PostDeps,
  chatId: string,
  text: string,
  extra: { file?: OutboxFile; replyTo?: string; sender?: string } = {},
): { id: string; ts: number } {
  const now = deps.now();
  const { sender, ...rest } = extra;
  const name = sender ?? deps.assistantName;
  const item = deps.messages.enqueue(chatId, text, name, now, rest);
  deps.bus.emit('message', outboxMessage(item, name, now));
  deps.outbox.kick();
  return { id: item.messageId, ts: now };
}
