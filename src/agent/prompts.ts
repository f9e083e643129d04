/**
 * The streaming prompt: user messages for the SDK's `query()`, fed as they arrive from the host.
 * Messages the SDK has taken but not yet answered can be replayed into a new query (after an
 * invalid session is replaced by a fresh one), so no input is lost.
 */
import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import type { ImageBlock } from './images.js';

/** A user message: the text alone, or the images first and then the text (the API's advice). */
export function userMessage(text: string, images: readonly ImageBlock[] = []): SDKUserMessage {
  return {
    type: 'user',
    message: {
      role: 'user',
      content: images.length ? [...images, { type: 'text', text }] : text,
    },
    parent_tool_use_id: null,
    origin: { kind: 'human' },
  };
}

export class PromptFeed {
  private pending: SDKUserMessage[] = [];
  private unanswered: SDKUserMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private generation = 0;
  private ended = false;

  push(text: string, images: readonly ImageBlock[] = []): void {
    this.pending.push(userMessage(text, images));
    this.wakeAll();
  }

  /** No more input: every stream ends once it has handed out what is pending. */
  end(): void {
    this.ended = true;
    this.wakeAll();
  }

  /** Everything taken so far got its answer. */
  answered(): void {
    this.unanswered = [];
  }

  /** Puts taken-but-unanswered messages back in front, for a new query. */
  replay(): void {
    this.pending = [...this.unanswered, ...this.pending];
    this.unanswered = [];
  }

  /**
   * A stream for one query. Taking a new stream retires the earlier one: a query that is over
   * may still be waiting on its stream, and must not take the next message from the new one.
   */
  stream(): AsyncIterable<SDKUserMessage> {
    const generation = ++this.generation;
    this.wakeAll();
    return { [Symbol.asyncIterator]: () => ({ next: () => this.next(generation) }) };
  }

  private async next(generation: number): Promise<IteratorResult<SDKUserMessage>> {
    for (;;) {
      if (generation !== this.generation) return { value: undefined, done: true };
      const next = this.pending.shift();
      if (next) {
        this.unanswered.push(next);
        return { value: next, done: false };
      }
      if (this.ended) return { value: undefined, done: true };
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  private wakeAll(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}
