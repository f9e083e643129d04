/**
 * Outbound: Markdown rendered in WhatsApp's formatting, split at 4096 characters by the core
 * splitter (code blocks intact), sent in order; a file is uploaded, then sent as an image or a
 * document (captioned when the text fits). Rate limits are waited out briefly, then left to the
 * outbox, which retries the message later skipping the parts already delivered (no doubles).
 * A closed 24-hour window (131047) becomes an error that says what happened and what to do.
 */
import { NanoClawError, UserError } from '../../errors.js';
import type { OutboundMessage } from '../channel.js';
import { splitMarkdown } from '../split.js';
import { GraphError, WINDOW_CLOSED, type GraphApi } from './graph.js';
import { waIdOf } from './payload.js';
import { CAPTION_LIMIT, MESSAGE_LIMIT, renderWhatsApp } from './render.js';
import { SendProgress } from '../progress.js';

export interface SendLimits {
  /** Rate-limited calls retried in place before the outbox takes over. */
  rateLimitRetries: number;
  /** The first in-place wait; doubled each time. */
  rateLimitWaitMs: number;
}

/** WhatsApp refuses free-form messages 24 hours after the user last wrote. */
export class WindowClosedError extends NanoClawError {}

/** Meta rate-limits this number; the outbox retries the message later. */
export class RateLimitedError extends NanoClawError {}

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png']);
/** The Cloud API's image size limit; larger images go as documents. */
const IMAGE_MAX_BYTES = 5 * 1024 * 1024;

type Step = (signal: AbortSignal) => Promise<void>;

export function windowClosedMessage(chatId: string): string {
  return (
    `WhatsApp refused the reply to ${chatId} (error 131047): more than 24 hours have passed ` +
    'since that person last wrote, and a business number may then send only approved template ' +
    'messages. The reply stays queued and is delivered once they write again.'
  );
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export class Sender {
  private readonly progress = new SendProgress();

  constructor(
    private readonly api: GraphApi,
    private readonly limits: SendLimits,
  ) {}

  async send(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    const to = waIdOf(message.chatId);
    if (to === undefined) throw new UserError(`${message.chatId} is not a WhatsApp Cloud chat id`);
    const steps = this.steps(to, message);
    try {
      await this.progress.run(message.messageId, steps.length, (i) => steps[i]?.(signal));
    } catch (error) {
      if (error instanceof GraphError && error.code === WINDOW_CLOSED) {
        throw new WindowClosedError(windowClosedMessage(message.chatId), {}, { cause: error });
      }
      throw error;
    }
  }

  private steps(to: string, message: OutboundMessage): Step[] {
    const { file } = message;
    const caption = renderWhatsApp(message.text);
    if (file && caption.length <= CAPTION_LIMIT)
      return [(s) => this.sendFile(to, file, caption, s)];
    const chunks = splitMarkdown(message.text, {
      limit: MESSAGE_LIMIT,
      measure: (md) => renderWhatsApp(md).length,
    });
    const steps: Step[] = chunks.map((md) => (s) => this.sendText(to, renderWhatsApp(md), s));
    if (file) steps.push((s) => this.sendFile(to, file, '', s));
    return steps;
  }

  private async sendText(to: string, body: string, signal: AbortSignal): Promise<void> {
    const text = { body, preview_url: /https?:\/\//.test(body) };
    await this.call(() => this.api.sendMessage({ to, type: 'text', text }, signal), signal);
  }

  private async sendFile(
    to: string,
    file: NonNullable<OutboundMessage['file']>,
    caption: string,
    signal: AbortSignal,
  ): Promise<void> {
    const asImage = IMAGE_TYPES.has(file.mime) && file.bytes.length <= IMAGE_MAX_BYTES;
    const mime = asImage || file.mime ? file.mime : 'application/octet-stream';
    const id = await this.call(() => this.api.uploadMedia({ ...file, mime }, signal), signal);
    const withCaption = caption ? { caption } : {};
    const payload = asImage
      ? { to, type: 'image', image: { id, ...withCaption } }
      : { to, type: 'document', document: { id, filename: file.name, ...withCaption } };
    await this.call(() => this.api.sendMessage(payload, signal), signal);
  }

  /** Runs a Graph call, waiting out rate limits a few times (bounded) before giving up. */
  private async call<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await fn();
      } catch (error) {
        if (!(error instanceof GraphError) || !error.rateLimited) throw error;
        if (tries >= this.limits.rateLimitRetries || signal.aborted) {
          throw new RateLimitedError(
            `WhatsApp rate-limits this number (${error.message}); the message will be retried.`,
            { code: error.code },
            { cause: error },
          );
        }
        const wait = (error.retryAfterS ?? 0) * 1000 || this.limits.rateLimitWaitMs * 2 ** tries;
        await sleep(wait, signal);
      }
    }
  }
}
