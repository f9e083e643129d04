/**
 * Pure: ids and headers that make replies thread in mail clients. An inbound message's id is
 * `<UIDVALIDITY>.<UID>`, both zero-padded to 10 digits (32-bit numbers), so ids sort as text in
 * arrival order and a recreated mailbox (new UIDVALIDITY) never reuses an id.
 */
import crypto from 'node:crypto';

export const CHAT_PREFIX = 'email:';

/** What is kept per inbound mail so a reply to it can thread (subject, Message-ID, References). */
export interface ThreadInfo {
  chatId: string;
  /** The mail's Message-ID with angle brackets, or '' when it had none. */
  messageId: string;
  references: string[];
  subject: string;
}

const pad10 = (n: number | bigint | string) => String(n).padStart(10, '0');

export function inboundId(uidValidity: number | bigint | string, uid: number): string {
  return `${pad10(uidValidity)}.${pad10(uid)}`;
}

export function chatIdFor(address: string): string {
  return `${CHAT_PREFIX}${address.toLowerCase()}`;
}

/** The address a chat id names, or undefined for another channel's id. */
export function addressOf(chatId: string): string | undefined {
  if (!chatId.startsWith(CHAT_PREFIX)) return undefined;
  const address = chatId.slice(CHAT_PREFIX.length);
  return /^[^\s@<>,]+@[^\s@<>,]+$/.test(address) ? address : undefined;
}

/** `Re: <subject>`, without piling up `Re: Re:` (nor `RE:`, `Aw:`, `Sv:`). */
export function replySubject(subject: string): string {
  const s = subject.replace(/[\r\n]+/g, ' ').trim();
  if (/^(re|aw|sv|antw)\s*:/i.test(s)) return s;
  return s ? `Re: ${s}` : 'Re: your message';
}

/** Most References ids kept (RFC 5322 allows trimming the middle; clients cope). */
const MAX_REFERENCES = 20;

/** In-Reply-To and References for a reply to `thread`. */
export function replyHeaders(thread: ThreadInfo): { inReplyTo?: string; references?: string[] } {
  if (!thread.messageId) return {};
  const chain = [...thread.references.filter((r) => r !== thread.messageId), thread.messageId];
  const refs =
    chain.length > MAX_REFERENCES ? [chain[0] ?? '', ...chain.slice(-(MAX_REFERENCES - 1))] : chain;
  return { inReplyTo: thread.messageId, references: refs };
}

/**
 * The Message-ID of an outgoing message: derived from the outbox message id, so a retry after a
 * crash (sent but not yet confirmed) carries the same id and clients show it once.
 */
export function outboundMessageId(messageId: string, fromAddress: string): string {
  const domain = fromAddress.split('@').pop() || 'localhost';
  const tag = crypto.createHash('sha256').update(messageId).digest('hex').slice(0, 24);
  return `<nanoclaw.${tag}@${domain}>`;
}

/** A subject for a message that answers nothing (a scheduled task's output): its first words. */
export function freshSubject(text: string, assistantName: string): string {
  const first = text
    .split('\n')
    .map((l) => l.replace(/[#>*_`~[\]]/g, '').trim())
    .find(Boolean);
  if (!first) return `Message from ${assistantName}`;
  return first.length > 70 ? `${first.slice(0, 67).trimEnd()}…` : first;
}

/**
 * What identifies a mail across mailboxes and UIDVALIDITY changes: its Message-ID, or, for mail
 * without one, a hash of the headers that do not change when it is copied.
 */
export function messageKey(messageId: string | undefined, headerBlock: string): string {
  if (messageId) return `mid:${messageId.trim().toLowerCase()}`;
  return `hash:${crypto.createHash('sha256').update(headerBlock).digest('hex')}`;
}
