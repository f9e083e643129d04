/** Puts an assistant message into a chat: history, live views and the outbox, in that order. */
import { outboxMessage, type MessageStore } from '../store/messages.js';
import type { EventBus } from './bus.js';
import type { Outbox } from './outbox.js';

export interface PostDeps {
  messages: MessageStore;
  bus: EventBus;
  outbox: Outbox;
  assistantName: string;
  now(): number;
}

export function postAssistantMessage(deps: PostDeps, chatId: string, text: string): void {
  const now = deps.now();
  const item = deps.messages.enqueue(chatId, text, deps.assistantName, now);
  deps.bus.emit('message', outboxMessage(item, deps.assistantName, now));
  deps.outbox.kick();
}
