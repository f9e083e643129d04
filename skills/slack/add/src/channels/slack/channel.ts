/**
 * The Slack channel: owns the `slack:<channel id>` chats (channels, private channels, group DMs
 * and DMs; a thread belongs to its channel's chat, replies go back into it). Inbound events
 * come through the real Bolt app over Socket Mode; outbound it delivers the outbox. The core
 * decides what to do with a message: this adapter only reports what Slack said.
 */
import { App, webApi } from '@slack/bolt';
import { UserError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Channel, ChannelDeps, ChannelHealth, OutboundMessage } from '../channel.js';
import { Connection, type ConnectionTiming } from './connection.js';
import { Directory } from './directory.js';
import {
  CHAT_PREFIX,
  chatIdOf,
  interpretEvent,
  type BotIdentity,
  type ParsedMessage,
} from './event.js';
import { attachment, downloadFile } from './files.js';
import { HealthReporter } from './health.js';
import { AckAfterStoreReceiver } from './receiver.js';
import { Sender, type SendLimits } from './send.js';
import { redact, type SlackSettings } from './settings.js';
import { slackLogger } from './slack-log.js';
import { Typing } from './typing.js';

export const CHANNEL_NAME = 'slack';

export type SlackDeps = Pick<ChannelDeps, 'receive' | 'chatSeen' | 'healthChanged'> & {
  log: Logger;
};

export interface SlackOptions {
  timing: ConnectionTiming;
  limits: SendLimits;
  clientPingTimeoutMs: number;
  serverPingTimeoutMs: number;
}

export const DEFAULT_OPTIONS: SlackOptions = {
  timing: { backoff: { baseMs: 1000, maxMs: 5 * 60_000 }, random: Math.random },
  limits: { maxRetryAfterS: 60, maxRateLimitRetries: 3 },
  clientPingTimeoutMs: 5000,
  serverPingTimeoutMs: 30_000,
};

export class SlackChannel implements Channel {
  readonly name = CHANNEL_NAME;
  private readonly client: InstanceType<typeof webApi.WebClient>;
  private readonly health_: HealthReporter;
  private readonly receiver: AckAfterStoreReceiver;
  private readonly connection: Connection;
  private readonly sender: Sender;
  private readonly directory: Directory;
  private readonly typing: Typing;
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly settings: SlackSettings,
    private readonly deps: SlackDeps,
    options: SlackOptions = DEFAULT_OPTIONS,
  ) {
    const safe = (s: string) => redact(s, settings);
    const logger = slackLogger(deps.log, safe);
    // Rate limits are handled by the Sender (bounded wait, then the outbox); retries inside the
    // client would hold the outbox and could post a message twice after a lost response.
    this.client = new webApi.WebClient(settings.botToken, {
      slackApiUrl: settings.apiUrl,
      logger,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
    });
    this.health_ = new HealthReporter((h) => this.reportHealth(h));
    this.receiver = new AckAfterStoreReceiver({
      appToken: settings.appToken,
      apiUrl: settings.apiUrl,
      slackLogger: logger,
      log: deps.log,
      redact: safe,
      clientPingTimeoutMs: options.clientPingTimeoutMs,
      serverPingTimeoutMs: options.serverPingTimeoutMs,
    });
    this.sender = new Sender(this.client, options.limits);
    this.directory = new Directory(this.client, deps.log, safe);
    this.typing = new Typing(this.client, deps.log, safe);
    this.connection = new Connection({
      health: this.health_,
      timing: options.timing,
      apiUrl: settings.apiUrl,
      redact: safe,
      identify: () => this.identify(),
      connect: () => this.receiver.connect(),
    });
  }

  ownsChat(chatId: string): boolean {
    return chatId.startsWith(CHAT_PREFIX);
  }

  /** Connects in the background: a platform failure shows in health(), never throws. */
  async start(): Promise<void> {
    this.running ??= this.connection.run(this.stopping.signal);
  }

  health(): ChannelHealth {
    return this.health_.get();
  }

  async send(message: OutboundMessage): Promise<void> {
    await this.sender.send(message, this.stopping.signal);
  }

  async setTyping(chatId: string, on: boolean): Promise<void> {
    await this.typing.set(chatId, on);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.receiver.stop();
    await this.running;
    // A connection opened while stop() began (auth.test was in flight) is closed too.
    await this.receiver.stop();
    await this.typing.clear();
  }

  /** auth.test, then the Bolt app that routes this bot's events to handle(). */
  private async identify(): Promise<BotIdentity> {
    const auth = await this.client.auth.test();
    if (!auth.user_id) throw new Error('auth.test gave no bot user id');
    const bot: BotIdentity = {
      userId: auth.user_id,
      ...(auth.bot_id ? { botId: auth.bot_id } : {}),
    };
    const app = new App({
      token: this.settings.botToken,
      botUserId: bot.userId,
      ...(bot.botId ? { botId: bot.botId } : {}),
      receiver: this.receiver,
      logger: slackLogger(this.deps.log, (s) => redact(s, this.settings)),
      tokenVerificationEnabled: false,
      clientOptions: { slackApiUrl: this.settings.apiUrl, retryConfig: { retries: 0 } },
    });
    // Bolt's default handler logs every failure as an error; ours is logged by the receiver.
    app.error(async (error) => {
      throw error;
    });
    const listener = async ({ event }: { event: unknown }) => this.handle(event, bot);
    app.event('message', listener);
    app.event('app_mention', listener);
    // Invited into a channel: it shows in `nanoclaw chats` before anyone writes there.
    app.event('member_joined_channel', async ({ event }) => {
      if (event.user !== bot.userId) return;
      const name = await this.directory.chatName(event.channel, undefined);
      this.seen(chatIdOf(event.channel), 'group', name);
    });
    return bot;
  }

  private async handle(event: unknown, bot: BotIdentity): Promise<void> {
    const meaning = interpretEvent(event, bot);
    if (meaning.kind === 'ignore') {
      const { chat, channel } = meaning;
      if (chat && channel)
        this.seen(chat.chatId, chat.kind, await this.directory.chatName(channel, undefined));
      return;
    }
    const m = meaning.message;
    const chatName = await this.directory.chatName(m.channel, m.userId);
    const senderName = m.userId ? await this.directory.userName(m.userId) : m.senderName;
    this.seen(m.chatId, m.chatKind, chatName);
    if (!m.fromBot) this.typing.lastMessage(m.chatId, m.channel, m.slackTs);
    try {
      await this.deps.receive(CHANNEL_NAME, this.inbound(m, chatName, senderName));
    } catch (error) {
      // The host refused the message itself (empty, too long): redelivery cannot help.
      if (!(error instanceof UserError)) throw error;
      this.deps.log.info({ chat: m.chatId, err: errorMessage(error) }, 'message refused');
    }
  }

  private seen(chatId: string, kind: 'dm' | 'group', name: string): void {
    this.deps.chatSeen?.(CHANNEL_NAME, { chatId, kind, name });
  }

  private inbound(m: ParsedMessage, chatName: string, senderName: string) {
    const { files, channel: _channel, slackTs: _ts, userId: _user, ...rest } = m;
    const auth = { botToken: this.settings.botToken, apiUrl: this.settings.apiUrl };
    const base = { ...rest, chatName, senderName };
    return files.length > 0
      ? {
          ...base,
          attachments: files.map((f) =>
            attachment(f, (ref, max, signal) => downloadFile(ref, auth, max, signal)),
          ),
        }
      : base;
  }

  private reportHealth(health: ChannelHealth): void {
    const log = this.deps.log;
    if (health.state === 'connected') log.info('slack connected');
    else if (health.state === 'reconnecting')
      log.warn({ reason: health.reason }, 'slack reconnecting');
    else if (health.state === 'failed')
      log.error({ reason: health.reason, fix: health.fix }, 'slack failed');
    this.deps.healthChanged?.(CHANNEL_NAME, health);
  }
}
