/**
 * The Discord channel: owns the `discord:<channel id>` chats (guild text channels and DMs).
 * Inbound, it turns gateway messages into messages for the host (chat kind, mentions, replies
 * to the bot, bot senders, attachments) and reports every chat it sees; outbound, it delivers
 * the outbox over REST. The core decides what to do with a message: this adapter only reports
 * what Discord said.
 */
import { setMaxListeners } from 'node:events';
import { UserError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type {
  Channel,
  ChannelDeps,
  ChannelHealth,
  InboundMessage,
  OutboundMessage,
} from '../channel.js';
import type { REST } from 'discord.js';
import { missedMessages, type Backlog } from './catchup.js';
import { attachment } from './files.js';
import { sleep } from '../retry.js';
import { Gateway, type GatewayTiming } from './gateway.js';
import { HealthReporter } from './health.js';
import {
  CHAT_PREFIX,
  discordChannelId,
  interpretMessage,
  seenChatOfChannel,
  type BotIdentity,
  type ParsedMessage,
  type Place,
} from './message.js';
import { Sender, restClient, type SendLimits } from './send.js';
import { redact, type DiscordSettings } from './settings.js';

export const CHANNEL_NAME = 'discord';

export type DiscordDeps = Pick<ChannelDeps, 'receive' | 'chatSeen' | 'healthChanged'> & {
  log: Logger;
  /** The host's stored chats, for catch-up after a fresh session (none: no catch-up). */
  backlog?: Backlog;
};

export interface DiscordOptions {
  timing: GatewayTiming;
  limits: SendLimits;
  /** Typing is sent at most this often per chat (Discord shows it for about 10 s). */
  typingEveryMs: number;
  /** A message the host failed to store is tried again after this long (until stop). */
  receiveRetryMs: number;
}

export const DEFAULT_OPTIONS: DiscordOptions = {
  timing: { backoff: { baseMs: 1000, maxMs: 5 * 60_000 }, random: Math.random, libraryRetries: 2 },
  limits: { maxRateLimitWaitMs: 60_000, requestTimeoutMs: 15_000 },
  typingEveryMs: 8000,
  receiveRetryMs: 2000,
};

export class DiscordChannel implements Channel {
  readonly name = CHANNEL_NAME;
  private readonly health_: HealthReporter;
  private readonly rest: REST;
  private readonly sender: Sender;
  private readonly gateway: Gateway;
  private readonly typingSent = new Map<string, number>();
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly settings: DiscordSettings,
    private readonly deps: DiscordDeps,
    private readonly options: DiscordOptions = DEFAULT_OPTIONS,
  ) {
    this.health_ = new HealthReporter((h) => this.reportHealth(h));
    this.rest = restClient(settings, options.limits);
    this.sender = new Sender(this.rest, options.limits);
    this.gateway = new Gateway({
      settings,
      log: deps.log,
      health: this.health_,
      timing: options.timing,
      onMessage: (data, bot, place, signal) => this.handle(data, bot, place, signal),
      onSession: (bot, signal) => this.catchUp(bot, signal),
      onChannel: (id, place) => this.deps.chatSeen?.(CHANNEL_NAME, seenChatOfChannel(id, place)),
    });
  }

  ownsChat(chatId: string): boolean {
    return chatId.startsWith(CHAT_PREFIX);
  }

  /** Connects in the background: a platform failure shows in health(), never throws. */
  async start(): Promise<void> {
    this.running ??= this.gateway.run(this.stopping.signal);
  }

  health(): ChannelHealth {
    return this.health_.get();
  }

  async send(message: OutboundMessage): Promise<void> {
    await this.sender.send(message, this.requestSignal());
  }

  /**
   * A signal per call that aborts with stop(): @discordjs/rest adds an abort listener to the
   * signal of every request and never removes it, so the long-lived one would collect them.
   */
  private requestSignal(): AbortSignal {
    const signal = AbortSignal.any([this.stopping.signal]);
    // One more per retry of the same request (429s waited out): expected, not a leak.
    setMaxListeners(100, signal);
    return signal;
  }

  /** The host renews "typing…" every few seconds; Discord shows it for 10 s, so fewer calls. */
  async setTyping(chatId: string, on: boolean): Promise<void> {
    const channel = discordChannelId(chatId);
    if (channel === undefined) return;
    if (!on) {
      // Discord has no "stop typing": it ends with the next message or after 10 s.
      this.typingSent.delete(channel);
      return;
    }
    const last = this.typingSent.get(channel);
    if (last !== undefined && Date.now() - last < this.options.typingEveryMs) return;
    this.typingSent.set(channel, Date.now());
    await this.sender.typing(channel, this.requestSignal()).catch((error: unknown) => {
      this.typingSent.delete(channel);
      this.deps.log.debug({ chat: chatId, err: this.safe(error) }, 'typing indicator failed');
    });
  }

  async stop(): Promise<void> {
    this.typingSent.clear();
    this.stopping.abort();
    await this.running;
  }

  /**
   * One gateway message. Discord does not redeliver, so a store failure is retried here until
   * it works or the channel stops; never rejects (the gateway's queue must go on).
   */
  private async handle(data: unknown, bot: BotIdentity, place: Place, signal: AbortSignal) {
    const meaning = interpretMessage(data, bot, place);
    if (meaning.chat) this.deps.chatSeen?.(CHANNEL_NAME, meaning.chat);
    if (meaning.kind === 'ignore') return;
    const inbound = this.inbound(meaning.message);
    while (!signal.aborted) {
      try {
        await this.deps.receive(CHANNEL_NAME, inbound);
        return;
      } catch (error) {
        if (error instanceof UserError) {
          // The host refused the message itself (empty, too long): retrying cannot help.
          this.deps.log.info({ chat: inbound.chatId, err: errorMessage(error) }, 'message refused');
          return;
        }
        this.deps.log.warn(
          { chat: inbound.chatId, err: this.safe(error) },
          'storing a discord message failed; retrying',
        );
        await sleep(this.options.receiveRetryMs, signal);
      }
    }
  }

  /** Stores what registered chats got while no session was up (best effort per chat). */
  private async catchUp(bot: BotIdentity, signal: AbortSignal): Promise<void> {
    for (const { chatId, kind } of this.deps.backlog?.chats() ?? []) {
      const after = this.deps.backlog?.lastInbound(chatId);
      if (after === undefined || signal.aborted) continue;
      try {
        const missed = await missedMessages(this.rest, chatId, after, this.requestSignal());
        const channelId = discordChannelId(chatId) ?? '';
        const place = { ...this.gateway.place(channelId), kind };
        for (const raw of missed) await this.handle(raw, bot, place, signal);
        if (missed.length > 0)
          this.deps.log.info({ chat: chatId, count: missed.length }, 'discord messages caught up');
      } catch (error) {
        this.deps.log.warn(
          { chat: chatId, err: this.safe(error) },
          'catching up a discord chat failed',
        );
      }
    }
  }

  private inbound(m: ParsedMessage): InboundMessage {
    const { files, ...rest } = m;
    return files.length > 0 ? { ...rest, attachments: files.map(attachment) } : rest;
  }

  private reportHealth(health: ChannelHealth): void {
    const log = this.deps.log;
    if (health.state === 'connected') log.info('discord connected');
    else if (health.state === 'reconnecting')
      log.warn({ reason: health.reason }, 'discord reconnecting');
    else if (health.state === 'failed')
      log.error({ reason: health.reason, fix: health.fix }, 'discord failed');
    this.deps.healthChanged?.(CHANNEL_NAME, health);
  }

  private safe(error: unknown): string {
    return redact(errorMessage(error), this.settings.token);
  }
}
