/**
 * Outbound: Markdown adapted for Discord, split at 2000 characters by the core splitter (code
 * blocks intact), sent in order over REST v10. The first part replies to the message it answers
 * (`message_reference`, no ping); a file rides on the last part. Nothing is sent twice: each part
 * carries a nonce derived from the outbox message id with `enforce_nonce` (Discord returns the
 * message already created instead of a second one), and parts already delivered are skipped on
 * a retry. A 429 is waited out by @discordjs/rest as `retry_after` says; a wait longer than
 * `maxRateLimitWaitMs` throws instead, so the outbox retries later. Mentions in the agent's text
 * never ping anyone (`allowed_mentions.parse` empty).
 */
import { createHash } from 'node:crypto';
import { REST, RateLimitError, Routes, type RateLimitData } from 'discord.js';
import { NanoClawError, UserError } from '../../errors.js';
import type { OutboundMessage } from '../channel.js';
import { splitMarkdown } from '../split.js';
import { discordChannelId, snowflakeOf } from './message.js';
import { MESSAGE_LIMIT, renderDiscord } from './render.js';
import type { DiscordSettings } from './settings.js';
import { SendProgress } from '../progress.js';

export interface SendLimits {
  /** A longer rate-limit wait is not waited out here: the outbox retries later instead. */
  maxRateLimitWaitMs: number;
  /** One REST request's timeout. */
  requestTimeoutMs: number;
}

/** Discord rate-limits this bot for longer than we wait in place; the outbox retries. */
export class DiscordRateLimitError extends NanoClawError {}

/** Discord's nonce: at most 25 characters; the same for every retry of the same part. */
export function partNonce(messageId: string, part: number): string {
  return createHash('sha256').update(`${messageId}\0${part}`).digest('base64url').slice(0, 25);
}

export interface Part {
  content: string;
  replyTo?: string;
  file?: NonNullable<OutboundMessage['file']>;
}

/** Pure: the parts of a message, in order. */
export function messageParts(message: OutboundMessage): Part[] {
  const chunks = splitMarkdown(message.text, {
    limit: MESSAGE_LIMIT,
    measure: (md) => renderDiscord(md).length,
  })
    .map(renderDiscord)
    .filter((c) => c.trim() !== '');
  const parts: Part[] = chunks.map((content) => ({ content }));
  if (message.file) {
    const last = parts.at(-1);
    if (last) last.file = message.file;
    else parts.push({ content: '', file: message.file });
  }
  const reference = message.replyTo !== undefined ? snowflakeOf(message.replyTo) : undefined;
  if (parts[0] && reference) parts[0].replyTo = reference;
  return parts;
}

export function restClient(settings: DiscordSettings, limits: SendLimits): REST {
  return new REST({
    api: settings.apiUrl,
    timeout: limits.requestTimeoutMs,
    rejectOnRateLimit: (data: RateLimitData) =>
      Math.max(data.retryAfter, data.timeToReset) > limits.maxRateLimitWaitMs,
  }).setToken(settings.token);
}

export class Sender {
  private readonly progress = new SendProgress();

  constructor(
    private readonly rest: REST,
    private readonly limits: SendLimits,
  ) {}

  async send(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    const channel = discordChannelId(message.chatId);
    if (channel === undefined) throw new UserError(`${message.chatId} is not a Discord chat id`);
    const parts = messageParts(message);
    await this.progress.run(message.messageId, parts.length, async (i) => {
      const part = parts[i];
      if (part) await this.post(channel, part, partNonce(message.messageId, i), signal);
    });
  }

  /** "typing…" for about ten seconds (or until the bot's next message). */
  async typing(channelId: string, signal: AbortSignal): Promise<void> {
    await this.rest.post(Routes.channelTyping(channelId), { signal });
  }

  private async post(channel: string, part: Part, nonce: string, signal: AbortSignal) {
    const body = {
      content: part.content,
      nonce,
      enforce_nonce: true,
      allowed_mentions: { parse: [], replied_user: false },
      ...(part.replyTo
        ? { message_reference: { message_id: part.replyTo, fail_if_not_exists: false } }
        : {}),
      ...(part.file ? { attachments: [{ id: 0, filename: part.file.name }] } : {}),
    };
    const files = part.file
      ? [{ name: part.file.name, data: part.file.bytes, contentType: part.file.mime }]
      : undefined;
    try {
      await this.rest.post(Routes.channelMessages(channel), {
        body,
        ...(files ? { files } : {}),
        signal,
      });
    } catch (error) {
      if (!(error instanceof RateLimitError)) throw error;
      const waitS = Math.ceil(Math.max(error.retryAfter, error.timeToReset) / 1000);
      throw new DiscordRateLimitError(
        `Discord rate-limits this bot (retry after ${waitS} s, longer than ${this.limits.maxRateLimitWaitMs / 1000} s); the message will be retried.`,
        { retryAfterS: waitS, route: error.route },
        { cause: error },
      );
    }
  }
}
