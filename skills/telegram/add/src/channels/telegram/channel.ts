/**
 * The Telegram channel: owns the `telegram:<chat id>` chats. Inbound, it turns updates into
 * messages for the host (chat kind, mentions, replies to the bot, bot senders, attachments) and
 * answers /start and /chatid itself; outbound, it delivers the outbox. The core decides what to
 * do with a message: this adapter only reports what Telegram said.
 */
import type { Update } from 'grammy/types';
import { UserError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Channel, ChannelDeps, ChannelHealth, OutboundMessage } from '../channel.js';
import { botApi, type BotApi } from './api.js';
import { attachment, downloadFile } from './files.js';
import { HealthReporter } from './health.js';
import { Poller, type PollTiming } from './poller.js';
import { Sender, type SendLimits } from './send.js';
import { redact, type TelegramSettings } from './settings.js';
import {
  CHAT_PREFIX,
  commandReply,
  interpretUpdate,
  telegramChatNumber,
  type BotIdentity,
  type FileRef,
  type ParsedMessage,
} from './update.js';

export const CHANNEL_NAME = 'telegram';

export type TelegramDeps = Pick<ChannelDeps, 'receive' | 'chatSeen' | 'healthChanged'> & {
  log: Logger;
};

export interface TelegramOptions {
  timing: PollTiming;
  limits: SendLimits;
  /** How often "typing…" is renewed (Telegram shows it for about 5 s). */
  typingRefreshMs: number;
  /** How long stop() waits for a handler that does not return. */
  stopGraceMs: number;
}

export const DEFAULT_OPTIONS: TelegramOptions = {
  timing: {
    pollTimeoutS: 30,
    backoff: { baseMs: 1000, maxMs: 5 * 60_000 },
    handlerRetryMs: 2000,
    random: Math.random,
  },
  limits: { maxRetryAfterS: 60, maxRateLimitRetries: 3 },
  typingRefreshMs: 4000,
  stopGraceMs: 2000,
};

/** Rejects when `signal` aborts, so a hanging store cannot hold up stop(). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('stopped'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class TelegramChannel implements Channel {
  readonly name = CHANNEL_NAME;
  private readonly api: BotApi;
  private readonly health_: HealthReporter;
  private readonly sender: Sender;
  private readonly poller: Poller;
  private readonly typing = new Map<number, NodeJS.Timeout>();
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly settings: TelegramSettings,
    private readonly deps: TelegramDeps,
    private readonly options: TelegramOptions = DEFAULT_OPTIONS,
  ) {
    // The request timeout must outlast a long poll.
    const timeoutSeconds = options.timing.pollTimeoutS + 60;
    this.api = botApi(settings, timeoutSeconds);
    this.health_ = new HealthReporter((h) => this.reportHealth(h));
    this.sender = new Sender(this.api, options.limits);
    this.poller = new Poller({
      api: this.api,
      settings,
      health: this.health_,
      timing: options.timing,
      log: deps.log,
      handle: (update, bot, signal) => this.handle(update, bot, signal),
    });
  }

  ownsChat(chatId: string): boolean {
    return chatId.startsWith(CHAT_PREFIX);
  }

  /** Starts polling in the background: a platform failure shows in health(), never throws. */
  async start(): Promise<void> {
    this.running ??= this.poller.run(this.stopping.signal);
  }

  health(): ChannelHealth {
    return this.health_.get();
  }

  async send(message: OutboundMessage): Promise<void> {
    await this.sender.send(message, this.stopping.signal);
  }

  async setTyping(chatId: string, on: boolean): Promise<void> {
    const chat = telegramChatNumber(chatId);
    if (chat === undefined) return;
    const timer = this.typing.get(chat);
    if (!on) {
      clearInterval(timer);
      this.typing.delete(chat);
      return;
    }
    if (timer) return; // already on; renewed by its own timer
    const tick = () =>
      this.api.sendTyping(chat).catch((error: unknown) => {
        this.deps.log.debug({ chat: chatId, err: this.safe(error) }, 'typing indicator failed');
      });
    this.typing.set(chat, setInterval(tick, this.options.typingRefreshMs));
    await tick();
  }

  async stop(): Promise<void> {
    for (const timer of this.typing.values()) clearInterval(timer);
    this.typing.clear();
    this.stopping.abort();
    await this.running;
    await this.confirmOffset();
  }

  /** Confirms what was handled, so a restart does not answer commands again (best effort). */
  private async confirmOffset(): Promise<void> {
    const offset = this.poller.confirmedOffset;
    if (offset === 0 || this.health_.get().state !== 'connected') return;
    const signal = AbortSignal.timeout(this.options.stopGraceMs);
    await this.api.getUpdates({ offset, limit: 1, timeout: 0 }, signal).catch((error: unknown) => {
      this.deps.log.debug({ err: this.safe(error) }, 'confirming the last Telegram update failed');
    });
  }

  private async handle(update: Update, bot: BotIdentity, signal: AbortSignal): Promise<void> {
    const meaning = interpretUpdate(update, bot);
    if (meaning.kind === 'ignore') {
      if (meaning.chat) this.deps.chatSeen?.(CHANNEL_NAME, meaning.chat);
      return;
    }
    this.deps.chatSeen?.(CHANNEL_NAME, meaning.chat);
    if (meaning.kind === 'command') {
      const text = commandReply(meaning.command, meaning.chat);
      await this.api
        .sendMessage(meaning.chatTarget, text, false, signal)
        .catch((error: unknown) => {
          // Answering a command is best effort: a blocked bot must not stall the chat's updates.
          this.deps.log.warn(
            { chat: meaning.chat.chatId, err: this.safe(error) },
            'command reply failed',
          );
        });
      return;
    }
    try {
      await untilAborted(this.deps.receive(CHANNEL_NAME, this.inbound(meaning.message)), signal);
    } catch (error) {
      // The host refused the message itself (empty, too long): retrying cannot help.
      if (!(error instanceof UserError)) throw error;
      this.deps.log.info(
        { chat: meaning.chat.chatId, err: errorMessage(error) },
        'message refused',
      );
    }
  }

  private inbound(m: ParsedMessage) {
    const fetchFile = (ref: FileRef, maxBytes: number, signal: AbortSignal) =>
      downloadFile(this.api, this.settings, ref, maxBytes, signal);
    const { files, ...rest } = m;
    return files.length > 0
      ? { ...rest, attachments: files.map((f) => attachment(f, fetchFile)) }
      : rest;
  }

  private reportHealth(health: ChannelHealth): void {
    const log = this.deps.log;
    if (health.state === 'connected') log.info('telegram connected');
    else if (health.state === 'reconnecting')
      log.warn({ reason: health.reason }, 'telegram reconnecting');
    else if (health.state === 'failed')
      log.error({ reason: health.reason, fix: health.fix }, 'telegram failed');
    this.deps.healthChanged?.(CHANNEL_NAME, health);
  }

  private safe(error: unknown): string {
    return redact(errorMessage(error), this.settings.token);
  }
}
