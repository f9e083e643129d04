/**
 * Typing indicators: on while a group's agent works, refreshed (platforms expire them after a
 * few seconds), off when it is done. Best effort: a failing channel is logged, never fatal.
 * The state also goes on the event bus, so the web chat shows it for chats on every channel.
 */
import type { Channel } from '../channels/channel.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { EventBus } from './bus.js';
import type { Timers } from './queue.js';

const REFRESH_MS = 4000;

export class TypingIndicator {
  private readonly active = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly deps: {
      channels: () => readonly Channel[];
      timers: Timers & {
        setInterval(fn: () => void, ms: number): NodeJS.Timeout;
        clearInterval(h: NodeJS.Timeout): void;
      };
      log: Logger;
      bus: EventBus;
    },
  ) {}

  start(chatId: string): void {
    if (this.active.has(chatId)) return;
    this.set(chatId, true);
    this.active.set(
      chatId,
      this.deps.timers.setInterval(() => this.set(chatId, true), REFRESH_MS),
    );
  }

  stop(chatId: string): void {
    const timer = this.active.get(chatId);
    if (!timer) return;
    this.deps.timers.clearInterval(timer);
    this.active.delete(chatId);
    this.set(chatId, false);
  }

  private set(chatId: string, on: boolean): void {
    // Repeated with each refresh, so a page opened mid-run learns the run is working.
    this.deps.bus.emit('typing', { chatId, on });
    const channel = this.deps.channels().find((c) => c.ownsChat(chatId));
    channel?.setTyping?.(chatId, on).catch((error: unknown) => {
      this.deps.log.debug({ chat: chatId, err: errorMessage(error) }, 'typing indicator failed');
    });
  }
}
