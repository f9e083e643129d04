/**
 * The WhatsApp Cloud API channel: owns the `wacloud:<number>` chats (one-to-one chats
 * with the business number). Inbound, a signed webhook is turned into messages for the host
 * (media fetched through the Graph API when the host asks); outbound, the outbox is delivered
 * through Graph API sends. Health: the webhook listens and the token works (checked at start,
 * retried with backoff).
 */
import http from 'node:http';
import { UserError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type {
  Channel,
  ChannelDeps,
  ChannelHealth,
  InboundAttachment,
  InboundMessage,
  OutboundMessage,
} from '../channel.js';
import { GraphApi, MediaTooLargeError } from './graph.js';
import { backoffDelay, classifyCheckError, HealthReporter, type Backoff } from './health.js';
import { ChatClock } from './ordering.js';
import { CHAT_PREFIX, type MediaRef, type ParsedMessage, type WebhookEvent } from './payload.js';
import { Sender, WindowClosedError, type SendLimits } from './send.js';
import { redact, type CloudSettings } from './settings.js';
import { webhookListener } from './webhook.js';

export const CHANNEL_NAME = 'wacloud';

export type CloudDeps = Pick<ChannelDeps, 'receive' | 'chatSeen' | 'healthChanged'> & {
  log: Logger;
};

export interface CloudOptions {
  backoff: Backoff;
  random: () => number;
  limits: SendLimits;
  /** Meta shows "typing…" for up to 25 s: renewed this often while the agent works. */
  typingRefreshMs: number;
  maxBodyBytes: number;
}

export const DEFAULT_OPTIONS: CloudOptions = {
  backoff: { baseMs: 1000, maxMs: 5 * 60_000 },
  random: Math.random,
  limits: { rateLimitRetries: 2, rateLimitWaitMs: 1000 },
  typingRefreshMs: 20_000,
  maxBodyBytes: 1024 * 1024,
};

/** Chats whose last inbound message id is remembered (typing needs one). */
const LAST_INBOUND_LIMIT = 5000;

export class WhatsAppCloudChannel implements Channel {
  readonly name = CHANNEL_NAME;
  private readonly api: GraphApi;
  private readonly sender: Sender;
  private readonly health_: HealthReporter;
  private readonly clock = new ChatClock();
  private readonly lastInbound = new Map<string, string>();
  private readonly typing = new Map<string, NodeJS.Timeout>();
  private readonly stopping = new AbortController();
  private server: http.Server | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly settings: CloudSettings,
    private readonly deps: CloudDeps,
    private readonly options: CloudOptions = DEFAULT_OPTIONS,
  ) {
    this.api = new GraphApi(settings);
    this.sender = new Sender(this.api, options.limits);
    this.health_ = new HealthReporter((h) => this.reportHealth(h));
  }

  ownsChat(chatId: string): boolean {
    return chatId.startsWith(CHAT_PREFIX);
  }

  /** The webhook's address once listening (tests and the bench use port 0). */
  address(): { host: string; port: number } | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : undefined;
  }

  /** Listens for the webhook, then checks the token in the background; never throws. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer(
      webhookListener({
        settings: this.settings,
        log: this.deps.log,
        maxBodyBytes: this.options.maxBodyBytes,
        handle: (events) => this.handle(events),
      }),
    );
    server.requestTimeout = 30_000;
    this.server = server;
    const listening = await new Promise<Error | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(this.settings.webhookPort, this.settings.webhookHost, () => resolve(undefined));
    });
    if (listening) {
      this.health_.set({
        state: 'failed',
        reason: `the webhook cannot listen on ${this.settings.webhookHost}:${this.settings.webhookPort} (${(listening as NodeJS.ErrnoException).code ?? listening.message})`,
        fix: 'Free the port or choose another with nanoclaw skills add whatsapp-cloud --set WHATSAPP_WEBHOOK_PORT=<port> (and point the tunnel at it), then restart NanoClaw.',
      });
      return;
    }
    this.deps.log.info({ webhook: this.address() }, 'wacloud webhook listening');
    this.checking = this.check(this.stopping.signal);
  }

  health(): ChannelHealth {
    return this.health_.get();
  }

  async send(message: OutboundMessage): Promise<void> {
    this.stopTyping(message.chatId);
    try {
      await this.sender.send(message, this.stopping.signal);
    } catch (error) {
      if (error instanceof WindowClosedError)
        this.deps.log.warn({ chat: message.chatId }, error.message);
      throw error;
    }
  }

  async setTyping(chatId: string, on: boolean): Promise<void> {
    if (!on) return this.stopTyping(chatId);
    const messageId = this.lastInbound.get(chatId);
    if (!messageId || this.typing.has(chatId)) return;
    const tick = () =>
      this.api.markReadTyping(messageId, this.stopping.signal).catch((error: unknown) => {
        this.deps.log.debug({ chat: chatId, err: this.safe(error) }, 'typing indicator failed');
      });
    this.typing.set(chatId, setInterval(tick, this.options.typingRefreshMs));
    await tick();
  }

  async stop(): Promise<void> {
    for (const chatId of [...this.typing.keys()]) this.stopTyping(chatId);
    this.stopping.abort();
    await this.checking;
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private stopTyping(chatId: string): void {
    clearInterval(this.typing.get(chatId));
    this.typing.delete(chatId);
  }

  /** Proves the token and phone number ID work: connected, failed (fix), or retried. */
  private async check(signal: AbortSignal): Promise<void> {
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.api.phoneNumber(signal);
        this.health_.set({ state: 'connected' });
        return;
      } catch (error) {
        if (signal.aborted) return;
        const failure = classifyCheckError(error);
        if (failure.kind === 'failed') {
          this.health_.set({ state: 'failed', reason: failure.reason, fix: failure.fix });
          return;
        }
        const retryInMs = backoffDelay(attempt, this.options.backoff, this.options.random);
        this.health_.set({
          state: 'reconnecting',
          reason: redact(failure.reason, this.settings),
          retryInMs,
        });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, retryInMs);
          signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    }
  }

  private async handle(events: WebhookEvent[]): Promise<void> {
    for (const event of events) {
      if (event.kind === 'status') this.onStatus(event);
      else if (event.kind === 'skipped')
        this.deps.log.debug({ chat: event.chatId, why: event.why }, 'webhook event skipped');
      else await this.onMessage(event.message);
    }
  }

  private onStatus(event: Extract<WebhookEvent, { kind: 'status' }>): void {
    if (event.status !== 'failed') return;
    const windowClosed = event.errorCodes.includes(131047);
    this.deps.log.warn(
      { message: event.id, codes: event.errorCodes },
      windowClosed
        ? 'WhatsApp did not deliver a message: the 24-hour window had closed (131047)'
        : 'WhatsApp reports a message as not delivered',
    );
  }

  private async onMessage(m: ParsedMessage): Promise<void> {
    this.deps.chatSeen?.(CHANNEL_NAME, { chatId: m.chatId, name: m.chatName, kind: 'dm' });
    this.lastInbound.delete(m.chatId);
    this.lastInbound.set(m.chatId, m.id);
    const oldest = this.lastInbound.keys().next().value;
    if (this.lastInbound.size > LAST_INBOUND_LIMIT && oldest !== undefined)
      this.lastInbound.delete(oldest);
    try {
      await this.deps.receive(CHANNEL_NAME, this.inbound(m));
    } catch (error) {
      // The host refused the message itself (empty, too long): redelivery cannot help.
      if (!(error instanceof UserError)) throw error;
      this.deps.log.info({ chat: m.chatId, err: errorMessage(error) }, 'message refused');
    }
  }

  private inbound(m: ParsedMessage): InboundMessage {
    const { files, ...rest } = m;
    const message: InboundMessage = { ...rest, ts: this.clock.next(m.chatId, m.ts) };
    if (files.length > 0) message.attachments = files.map((f) => this.attachment(f));
    return message;
  }

  private attachment(ref: MediaRef): InboundAttachment {
    return {
      kind: ref.kind,
      ...(ref.name !== undefined ? { name: ref.name } : {}),
      ...(ref.mime !== undefined ? { mime: ref.mime } : {}),
      fetch: async (maxBytes, signal) => {
        const info = await this.api.mediaInfo(ref.mediaId, signal);
        if (info.size !== undefined && info.size > maxBytes) {
          throw new MediaTooLargeError(
            `The ${ref.kind} is larger than the limit of ${maxBytes} bytes; it was not downloaded.`,
          );
        }
        return this.api.download(info.url, maxBytes, signal);
      },
    };
  }

  private reportHealth(health: ChannelHealth): void {
    const log = this.deps.log;
    if (health.state === 'connected') log.info('wacloud connected');
    else if (health.state === 'reconnecting')
      log.warn({ reason: health.reason }, 'wacloud reconnecting');
    else if (health.state === 'failed')
      log.error({ reason: health.reason, fix: health.fix }, 'wacloud failed');
    this.deps.healthChanged?.(CHANNEL_NAME, health);
  }

  private safe(error: unknown): string {
    return redact(errorMessage(error), this.settings);
  }
}
