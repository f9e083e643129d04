/**
 * The email channel: owns the `email:<address>` chats, one per sender (a sender is simple to
 * register and pair; each reply still threads on the mail it answers). Inbound, it turns INBOX
 * mail into messages for the host, dropping senders the policy refuses; outbound, it mails the
 * outbox. The core decides what to do with a message: this adapter only reports what arrived.
 */
import { UserError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type {
  Channel,
  ChannelDeps,
  ChannelHealth,
  InboundMessage,
  OutboundMessage,
} from '../channel.js';
import { HealthReporter } from './health.js';
import { Inbox, type FetchedMail, type InboxTiming } from './imap.js';
import { TokenSource } from './oauth.js';
import { parseMail, type ParsedInbound } from './parse.js';
import { decideSender } from './policy.js';
import { type EmailSettings } from './settings.js';
import { Mailer, SmtpError } from './smtp.js';
import type { EmailState } from './state.js';
import { CHAT_PREFIX, chatIdFor } from './threading.js';

export const CHANNEL_NAME = 'email';

export type EmailDeps = Pick<ChannelDeps, 'receive' | 'chatSeen' | 'healthChanged'> & {
  log: Logger;
  state: EmailState;
  assistantName: string;
  now?: () => number;
};

export interface EmailOptions {
  timing: InboxTiming;
  /** Mail larger than this is read only up to it, without attachments. */
  maxMessageBytes: number;
  smtpTimeoutMs: number;
}

export const DEFAULT_OPTIONS: EmailOptions = {
  timing: {
    backoff: { baseMs: 1000, maxMs: 5 * 60_000 },
    random: Math.random,
    idleDelayMs: 250,
    maxIdleMs: 25 * 60_000,
  },
  maxMessageBytes: 30 * 1024 * 1024,
  smtpTimeoutMs: 30_000,
};

export class EmailChannel implements Channel {
  readonly name = CHANNEL_NAME;
  private readonly health_: HealthReporter;
  private readonly inbox: Inbox;
  private readonly mailer: Mailer;
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly settings: EmailSettings,
    private readonly deps: EmailDeps,
    options: EmailOptions = DEFAULT_OPTIONS,
  ) {
    const now = deps.now ?? Date.now;
    const a = settings.auth;
    const tokens = a.kind === 'oauth2' ? new TokenSource(a, now) : undefined;
    this.health_ = new HealthReporter((h) => this.reportHealth(h));
    this.inbox = new Inbox({
      settings,
      state: deps.state,
      health: this.health_,
      timing: options.timing,
      log: deps.log,
      tokens,
      maxMessageBytes: options.maxMessageBytes,
      now,
      handle: (mail, signal) => this.take(mail, signal),
    });
    this.mailer = new Mailer({
      settings,
      state: deps.state,
      tokens,
      assistantName: deps.assistantName,
      now,
      timeoutMs: options.smtpTimeoutMs,
    });
  }

  ownsChat(chatId: string): boolean {
    return chatId.startsWith(CHAT_PREFIX);
  }

  /** Starts reading in the background: a server failure shows in health(), never throws. */
  async start(): Promise<void> {
    this.running ??= this.inbox.run(this.stopping.signal);
  }

  health(): ChannelHealth {
    return this.health_.get();
  }

  async send(message: OutboundMessage): Promise<void> {
    try {
      await this.mailer.send(message, this.stopping.signal);
    } catch (error) {
      if (error instanceof SmtpError && error.auth) {
        this.health_.set({
          state: 'failed',
          reason: error.message,
          fix: 'Check SMTP_USER and SMTP_PASSWORD (or the OAuth2 settings) with nanoclaw skills add email --set NAME=value, then restart NanoClaw.',
        });
      }
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.inbox.close();
    await this.running;
    this.deps.state.close();
  }

  /** One mail: decide, keep its thread, hand it to the host, then count it as taken. */
  private async take(mail: FetchedMail, signal: AbortSignal): Promise<void> {
    const { state, log } = this.deps;
    const parsed = await parseMail(mail.source, mail.truncated);
    if (state.isTaken(parsed.key)) return; // seen before under another UID (copy, new UIDVALIDITY)
    const decision = decideSender(parsed.facts, {
      own: this.settings.address,
      allowlist: this.settings.allowedSenders,
      trustedAuthserv: this.settings.trustedAuthserv,
    });
    if (decision.kind === 'ignore') {
      // Debug only: the address is the sender's, and a flood of spam must not fill the log.
      log.debug({ uid: mail.uid, why: decision.why }, 'mail ignored');
      return;
    }
    const message = this.inbound(mail, parsed, decision.kind === 'context');
    state.saveThread(message.id, threadOf(message.chatId, parsed), mail.ts);
    try {
      await untilAborted(this.deps.receive(CHANNEL_NAME, message), signal);
    } catch (error) {
      // The host refused the message itself (empty, too long): retrying cannot help.
      if (!(error instanceof UserError)) throw error;
      log.info({ chat: message.chatId, err: errorMessage(error) }, 'mail refused');
    }
    state.take(parsed.key, message.id, mail.ts);
  }

  private inbound(mail: FetchedMail, parsed: ParsedInbound, automated: boolean): InboundMessage {
    const address = (parsed.facts.from[0] ?? '').toLowerCase();
    const chatId = chatIdFor(address);
    this.deps.chatSeen?.(CHANNEL_NAME, { chatId, name: address, kind: 'dm' });
    return {
      chatId,
      chatName: parsed.fromName ? `${parsed.fromName} <${address}>` : address,
      id: mail.id,
      ts: mail.ts,
      senderId: chatId,
      senderName: parsed.fromName || address,
      text: parsed.text,
      chatKind: 'dm',
      ...(automated ? { fromBot: true } : {}),
      ...(parsed.attachments.length > 0 ? { attachments: parsed.attachments } : {}),
    };
  }

  private reportHealth(health: ChannelHealth): void {
    const log = this.deps.log;
    if (health.state === 'connected') log.info('email connected');
    else if (health.state === 'reconnecting')
      log.warn({ reason: health.reason }, 'email reconnecting');
    else if (health.state === 'failed')
      log.error({ reason: health.reason, fix: health.fix }, 'email failed');
    this.deps.healthChanged?.(CHANNEL_NAME, health);
  }
}

function threadOf(chatId: string, parsed: ParsedInbound) {
  return {
    chatId,
    messageId: parsed.messageId,
    references: parsed.references,
    subject: parsed.subject,
  };
}

/** Rejects when `signal` aborts, so a hanging store cannot hold up stop(). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('stopped'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
