/**
 * A fetched mail → what the channel needs: the facts the sender policy decides on, the text
 * (HTML-only mail converted by mailparser's own html-to-text with its limits), the attachments
 * (already in memory: the whole message was fetched under EMAIL_MAX_MESSAGE_MB) and the headers
 * a reply threads on.
 */
import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';
import type { AttachmentKind, InboundAttachment } from '../channel.js';
import type { MailFacts } from './policy.js';
import { messageText } from './text.js';
import { messageKey } from './threading.js';

export interface ParsedInbound {
  key: string;
  facts: MailFacts;
  fromName: string;
  subject: string;
  text: string;
  messageId: string;
  references: string[];
  attachments: InboundAttachment[];
}

/** HTML → text through mailparser: a root text/html part is converted (bounded depth/length). */
async function htmlText(html: string): Promise<string> {
  const wrapped = `Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${html}`;
  return (await simpleParser(wrapped)).text ?? '';
}

function kindOf(mime: string): AttachmentKind {
  if (mime.startsWith('image/')) return 'photo';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  return 'document';
}

/** A part the host may save; inline images of an HTML body are skipped (logos, signatures). */
function isFile(a: Attachment): boolean {
  return !(a.related && a.contentDisposition !== 'attachment');
}

function attachment(a: Attachment): InboundAttachment {
  const bytes = a.content;
  return {
    kind: kindOf(a.contentType),
    ...(a.filename ? { name: a.filename } : {}),
    mime: a.contentType,
    size: bytes.length,
    fetch: async (maxBytes) => {
      if (bytes.length > maxBytes) {
        throw new Error(`the file is larger than the limit of ${maxBytes} bytes`);
      }
      return bytes;
    },
  };
}

const headerList = (mail: ParsedMail, name: string): string[] => {
  const value = mail.headers.get(name);
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
};

/** Auto-Submitted (RFC 3834) other than `no`, or bulk/list/junk precedence. */
function automated(mail: ParsedMail): boolean {
  const auto = headerList(mail, 'auto-submitted')[0]?.toLowerCase();
  const precedence = headerList(mail, 'precedence')[0]?.toLowerCase();
  return (
    (auto !== undefined && auto !== 'no') || ['bulk', 'list', 'junk'].includes(precedence ?? '')
  );
}

function headerBlock(mail: ParsedMail): string {
  return mail.headerLines
    .filter((h) => ['from', 'to', 'date', 'subject'].includes(h.key))
    .map((h) => h.line)
    .join('\n');
}

export async function parseMail(source: Buffer, truncated: boolean): Promise<ParsedInbound> {
  const mail = await simpleParser(source);
  const from = (mail.from?.value ?? []).map((a) => a.address ?? '').filter(Boolean);
  const body = mail.text ?? (mail.html ? await htmlText(mail.html) : '');
  const subject = mail.subject ?? '';
  const note = truncated
    ? '\n\n[This mail is larger than the channel reads; only its beginning is here and its attachments were left out.]'
    : '';
  const references = Array.isArray(mail.references)
    ? mail.references
    : mail.references
      ? [mail.references]
      : [];
  return {
    key: messageKey(mail.messageId, headerBlock(mail)),
    facts: {
      from,
      authResults: headerList(mail, 'authentication-results'),
      automated: automated(mail),
    },
    fromName: mail.from?.value[0]?.name ?? '',
    subject,
    text: messageText(subject, body) + note,
    messageId: mail.messageId ?? '',
    references,
    attachments: truncated ? [] : mail.attachments.filter(isFile).map(attachment),
  };
}
