/**
 * Outgoing mail through SMTP (nodemailer): plain text (the agent's Markdown reads well as is),
 * to the chat's address only (never a Reply-To the sender chose), threaded on the inbound mail
 * the reply answers (In-Reply-To, References, "Re: subject"), with the agent's file attached. An
 * outbox message SMTP accepted is recorded, so a retry after a crash does not mail it again.
 */
import nodemailer from 'nodemailer';
import { NanoClawError, errorMessage } from '../../errors.js';
import type { OutboundMessage } from '../channel.js';
import type { TokenSource } from './oauth.js';
import { redact, secretsOf, type EmailSettings } from './settings.js';
import type { EmailState } from './state.js';
import {
  addressOf,
  freshSubject,
  outboundMessageId,
  replyHeaders,
  replySubject,
  type ThreadInfo,
} from './threading.js';

/** SMTP refused or failed; `auth` when the login was refused (the channel shows it as failed). */
export class SmtpError extends NanoClawError {
  constructor(
    message: string,
    readonly auth: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, {}, options);
  }
}

/** How recent a mail must be for a message that names none to thread on it. */
const RECENT_MS = 3600_000;

export interface MailerDeps {
  settings: EmailSettings;
  state: EmailState;
  tokens: TokenSource | undefined;
  assistantName: string;
  now: () => number;
  /** SMTP connection and greeting timeouts. */
  timeoutMs: number;
}

export interface Composed {
  to: string;
  subject: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
}

/** Pure: the envelope of a reply (thread known) or of a fresh message. */
export function compose(
  message: OutboundMessage,
  thread: ThreadInfo | undefined,
  from: string,
  assistantName: string,
): Composed {
  const to = addressOf(message.chatId);
  if (!to) throw new SmtpError(`${message.chatId} is not an email chat`, false);
  const base = { to, messageId: outboundMessageId(message.messageId, from) };
  // A thread of another chat (should not happen) must not leak its subject or ids.
  if (!thread || thread.chatId !== message.chatId) {
    return { ...base, subject: freshSubject(message.text, assistantName) };
  }
  return { ...base, subject: replySubject(thread.subject), ...replyHeaders(thread) };
}

export class Mailer {
  constructor(private readonly deps: MailerDeps) {}

  async send(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    const { state, settings } = this.deps;
    if (state.wasSent(message.messageId)) return; // accepted before a crash; not again
    // A message sent by a tool during a turn (send_file, send_message) names no mail it answers:
    // it threads on the sender's latest mail if that came within the hour.
    const thread = message.replyTo
      ? state.thread(message.replyTo)
      : state.latestThread(message.chatId, this.deps.now() - RECENT_MS);
    const c = compose(message, thread, settings.address, this.deps.assistantName);
    const transport = nodemailer.createTransport({
      host: settings.smtp.host,
      port: settings.smtp.port,
      secure: settings.smtp.tls === 'true',
      requireTLS: settings.smtp.tls === 'starttls',
      ignoreTLS: settings.smtp.tls === 'false',
      auth: await this.auth(signal),
      connectionTimeout: this.deps.timeoutMs,
      greetingTimeout: this.deps.timeoutMs,
      socketTimeout: this.deps.timeoutMs * 4,
      logger: false,
    });
    const onAbort = () => transport.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await transport.sendMail({
        from: { name: this.deps.assistantName, address: settings.address },
        to: c.to,
        subject: c.subject,
        messageId: c.messageId,
        ...(c.inReplyTo ? { inReplyTo: c.inReplyTo, references: c.references ?? [] } : {}),
        text: message.text,
        headers: { 'Auto-Submitted': 'auto-replied' },
        ...(message.file
          ? {
              attachments: [
                {
                  filename: message.file.name,
                  content: message.file.bytes,
                  contentType: message.file.mime,
                },
              ],
            }
          : {}),
      });
    } catch (error) {
      const e = error as { code?: unknown; responseCode?: unknown };
      const auth = e.code === 'EAUTH' || e.responseCode === 535;
      const text = redact(errorMessage(error), secretsOf(settings));
      if (auth) this.deps.tokens?.invalidate();
      throw new SmtpError(
        `SMTP ${settings.smtp.host}:${settings.smtp.port} did not take the mail: ${text}`,
        auth,
        {
          cause: error,
        },
      );
    } finally {
      signal.removeEventListener('abort', onAbort);
      transport.close();
    }
    state.markSent(message.messageId, this.deps.now());
  }

  private async auth(signal: AbortSignal) {
    const { smtp, auth } = this.deps.settings;
    if (this.deps.tokens) {
      return {
        type: 'OAuth2' as const,
        user: smtp.user,
        accessToken: await this.deps.tokens.get(signal),
      };
    }
    return { user: smtp.user, pass: auth.kind === 'password' ? auth.smtpPassword : '' };
  }
}
