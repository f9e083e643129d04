/**
 * Outbound: Markdown rendered as Telegram HTML, split at 4096 characters of HTML by the core
 * splitter (code blocks intact), sent in order. Markup Telegram refuses is sent again as plain
 * text; a 429 is waited out (`retry_after`, bounded) and retried; other failures throw, so the
 * outbox retries the message later, skipping the parts already delivered.
 */
import { GrammyError } from 'grammy';
import { NanoClawError, UserError } from '../../errors.js';
import type { OutboundMessage } from '../channel.js';
import type { BotApi } from './api.js';
import { splitMarkdown } from '../split.js';
import { sleep } from '../retry.js';
import { CAPTION_LIMIT, MESSAGE_LIMIT, htmlToPlain, renderHtml } from './render.js';
import { telegramChatNumber } from './update.js';
import { SendProgress } from '../progress.js';

export interface SendLimits {
  /** A longer `retry_after` is not waited out here: the outbox retries later instead. */
  maxRetryAfterS: number;
  /** 429s waited out for one call before giving up. */
  maxRateLimitRetries: number;
}

/** Telegram rate-limited a send longer than we wait in place; the outbox retries it. */
export class TelegramRateLimitError extends NanoClawError {}

const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);
/** sendPhoto's size limit; larger images go as documents. */
const PHOTO_MAX_BYTES = 10 * 1024 * 1024;

const isParseError = (e: unknown) =>
  e instanceof GrammyError && e.error_code === 400 && /can't parse entities/i.test(e.description);

/** One step of a message: a text chunk or the file. */
type Step = (signal: AbortSignal) => Promise<void>;

export class Sender {
  private readonly progress = new SendProgress();

  constructor(
    private readonly api: BotApi,
    private readonly limits: SendLimits,
  ) {}

  async send(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    const chat = telegramChatNumber(message.chatId);
    if (chat === undefined) throw new UserError(`${message.chatId} is not a Telegram chat id`);
    const steps = this.steps(chat, message);
    await this.progress.run(message.messageId, steps.length, (i) => steps[i]?.(signal));
  }

  private steps(chat: number, message: OutboundMessage): Step[] {
    const { file } = message;
    const caption = renderHtml(message.text);
    if (file && caption.length <= CAPTION_LIMIT)
      return [(s) => this.sendFile(chat, file, caption, s)];
    const chunks = splitMarkdown(message.text, {
      limit: MESSAGE_LIMIT,
      measure: (md) => renderHtml(md).length,
    });
    const steps: Step[] = chunks.map((md) => (s) => this.sendText(chat, renderHtml(md), s));
    if (file) steps.push((s) => this.sendFile(chat, file, '', s));
    return steps;
  }

  private async sendText(chat: number, html: string, signal: AbortSignal): Promise<void> {
    try {
      await this.call(() => this.api.sendMessage(chat, html, true, signal), signal);
    } catch (error) {
      if (!isParseError(error)) throw error;
      await this.call(() => this.api.sendMessage(chat, htmlToPlain(html), false, signal), signal);
    }
  }

  private async sendFile(
    chat: number,
    file: NonNullable<OutboundMessage['file']>,
    caption: string,
    signal: AbortSignal,
  ): Promise<void> {
    const asPhoto = PHOTO_TYPES.has(file.mime) && file.bytes.length <= PHOTO_MAX_BYTES;
    const upload = (as: 'photo' | 'document', html: boolean) => {
      const text = html ? caption : htmlToPlain(caption);
      const withCaption = caption ? { text, html } : undefined;
      return this.call(() => this.api.sendFile(as, chat, file, withCaption, signal), signal);
    };
    const attempt = async (as: 'photo' | 'document') => {
      try {
        await upload(as, true);
      } catch (error) {
        if (!isParseError(error)) throw error;
        await upload(as, false);
      }
    };
    try {
      await attempt(asPhoto ? 'photo' : 'document');
    } catch (error) {
      // Telegram refuses some images as photos (dimensions, ratio): send them as documents.
      if (!asPhoto || !(error instanceof GrammyError) || error.error_code !== 400) throw error;
      await attempt('document');
    }
  }

  /** Runs a Bot API call, waiting out 429s with their `retry_after` (bounded). */
  private async call<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await fn();
      } catch (error) {
        const after =
          error instanceof GrammyError && error.error_code === 429
            ? error.parameters.retry_after
            : undefined;
        if (after === undefined) throw error;
        if (after > this.limits.maxRetryAfterS || tries >= this.limits.maxRateLimitRetries) {
          throw new TelegramRateLimitError(
            `Telegram rate-limits this bot (retry after ${after} s); the message will be retried.`,
            { retryAfterS: after },
            { cause: error },
          );
        }
        await sleep(after * 1000, signal);
        if (signal.aborted) throw error;
      }
    }
  }
}
