/**
 * The streaming prompt: user messages for the SDK's `query()`, fed as they arrive from the host.
 * Messages the SDK has taken but not yet answered can be replayed into a new query (after an
 * invalid session is replaced by a fresh one), so no input is lost.
 */
import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';

export function userMessage(text: string): SDKUserMessage {
  return {
    type: 'user',
    message: { role: 'user', content: text },
    parent_tool_use_id: null,
    origin: { kind: 'human' },
  };
}

export class PromptFeed {
  private pending: SDKUserMessage[] = [];
  private unanswered: SDKUserMessage[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  push(text: string): void {
    this.pending.push(userMessage(text));
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  get isEnded(): boolean {
    return this.ended;
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

  /** One pass over the feed; a new query takes a new stream. */
  stream(): AsyncIterable<SDKUserMessage> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<SDKUserMessage>> => {
          for (;;) {
            const next = this.pending.shift();
            if (next) {
              this.unanswered.push(next);
              return { value: next, done: false };
            }
            if (this.ended) return { value: undefined, done: true };
            await new Promise<void>((resolve) => (this.wake = resolve));
            this.wake = undefined;
          }
        },
      }),
    };
  }
}
