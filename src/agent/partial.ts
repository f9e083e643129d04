/**
 * Streams the lead agent's reply as it is written (pure apart from the injected clock): the
 * SDK's partial messages carry text deltas; the host gets the block's text so far, at most every
 * PARTIAL_INTERVAL_MS, with every secret masked. A secret can arrive split across deltas, so
 * text that could be the start of one is held back until the next delta shows it is not.
 */
import type { RunnerToHost } from '../shared/protocol.js';

/** Often enough to read as streaming; rarely enough not to flood the protocol and the page. */
export const PARTIAL_INTERVAL_MS = 100;
/** Past this a block is not streamed further (its whole text still arrives when it ends). */
export const PARTIAL_MAX_CHARS = 32_000;

export interface StreamEventLike {
  type?: unknown;
  index?: unknown;
  content_block?: { type?: unknown };
  delta?: { type?: unknown; text?: unknown };
}

/** The text without a tail that could be the beginning of a secret still being written. */
export function withoutSecretStart(text: string, secrets: readonly string[]): string {
  let cut = text.length;
  for (const secret of secrets) {
    for (let n = Math.min(secret.length - 1, text.length); n > 0; n--) {
      if (text.endsWith(secret.slice(0, n))) {
        cut = Math.min(cut, text.length - n);
        break;
      }
    }
  }
  return text.slice(0, cut);
}

export class PartialText {
  private text = '';
  private sentAt = Number.NEGATIVE_INFINITY;
  private sent = '';

  constructor(
    private readonly secrets: readonly string[],
    private readonly mask: (text: string) => string,
    private readonly now: () => number = Date.now,
  ) {}

  /** One stream event of the lead's message: the text so far when it is time to show it. */
  map(event: StreamEventLike): RunnerToHost[] {
    if (event.type === 'content_block_start') {
      this.reset();
      return [];
    }
    const delta = event.delta;
    if (event.type !== 'content_block_delta' || delta?.type !== 'text_delta') return [];
    if (typeof delta.text !== 'string' || this.text.length > PARTIAL_MAX_CHARS) return [];
    this.text += delta.text;
    const at = this.now();
    if (at - this.sentAt < PARTIAL_INTERVAL_MS) return [];
    const shown = withoutSecretStart(this.mask(this.text), this.secrets);
    if (!shown.trim() || shown === this.sent) return [];
    this.sentAt = at;
    this.sent = shown;
    return [{ type: 'text', text: shown, partial: true }];
  }

  private reset(): void {
    this.text = '';
    this.sent = '';
    this.sentAt = Number.NEGATIVE_INFINITY;
  }
}
