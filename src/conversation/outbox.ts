/**
 * Delivers the durable outbox: every assistant message waits in SQLite until its channel
 * confirms, is retried with backoff when sending fails, and is delivered in order per chat.
 * A delivered item is never sent again, also across restarts.
 */
import type { Channel } from '../channels/channel.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { MessageStore } from '../store/messages.js';
import { retryDelay, type Timers } from './queue.js';

export interface OutboxDeps {
  messages: MessageStore;
  channels: () => readonly Channel[];
  now: () => number;
  timers: Timers;
  log: Logger;
  retryBaseMs: number;
  retryMaxDelayMs: number;
}

const BATCH = 100;

export class Outbox {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly deps: OutboxDeps) {}

  /** Delivers what is due now (coalesced: concurrent kicks share one pass). */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      } else {
        this.arm();
      }
    });
  }

  /** Waits for the pass in flight and stops retry timers. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) this.deps.timers.clearTimeout(this.timer);
    await this.running;
  }

  private arm(): void {
    if (this.closed) return;
    if (this.timer) this.deps.timers.clearTimeout(this.timer);
    const next = this.deps.messages.nextOutboxAttempt();
    if (next === undefined) return;
    const delay = Math.max(0, next - this.deps.now());
    this.timer = this.deps.timers.setTimeout(() => this.kick(), delay);
  }

  private async pass(): Promise<void> {
    for (const item of this.deps.messages.dueOutbox(this.deps.now(), BATCH)) {
      const channel = this.deps.channels().find((c) => c.ownsChat(item.chatId));
      try {
        if (!channel) throw new Error(`no connected channel delivers to ${item.chatId}`);
        await channel.send({
          chatId: item.chatId,
          messageId: item.messageId,
          text: item.text,
          ...(item.file ? { file: item.file } : {}),
          ...(item.replyTo ? { replyTo: item.replyTo } : {}),
        });
        this.deps.messages.markDelivered(item.seq, this.deps.now());
        // The chat's next item (if any) is due now: go round again.
        this.again = true;
      } catch (error) {
        const delay = retryDelay(
          item.attempts + 1,
          this.deps.retryBaseMs,
          this.deps.retryMaxDelayMs,
        );
        this.deps.messages.markFailed(item.seq, errorMessage(error), this.deps.now() + delay);
        this.deps.log.warn(
          {
            chat: item.chatId,
            seq: item.seq,
            attempt: item.attempts + 1,
            err: errorMessage(error),
          },
          'delivery failed; will retry',
        );
      }
    }
  }
}
