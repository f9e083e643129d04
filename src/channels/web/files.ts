/**
 * Files in the web chat. Uploads (multipart) become an InboundMessage's attachments, which the
 * host saves into the group's inbox exactly like any channel's (attachments.ts: same size cap,
 * same names, images reach the model as images). Downloads serve only files of the chat's own
 * messages, named by message id and index, never by a path the client sends; the bytes come
 * from the outbox (files the assistant sent) or from the group folder under the host-file rules
 * (files people sent).
 */
import { MAX_ATTACHMENTS_PER_MESSAGE } from '../../conversation/attachments.js';
import { MAX_MESSAGE_CHARS } from '../../conversation/service.js';
import { readAgentFile, UnsafeAgentFileError } from '../../groups/agent-files.js';
import { SANDBOX_PATHS } from '../../sandbox/spec.js';
import { formatBytes, sniffImage } from '../../shared/mime.js';
import type { MessageStore } from '../../store/messages.js';
import type { AttachmentKind, InboundAttachment } from '../channel.js';
import type { Parsed, Refusal } from './requests.js';

/** A file part of a multipart body (named from FormData itself: the global `File` type differs by environment). */
type FilePart = Exclude<NonNullable<ReturnType<FormData['get']>>, string>;

const refuse = (status: number, error: string): { ok: false; refusal: Refusal } => ({
  ok: false,
  refusal: { status, error },
});

/** Room for the text field and the multipart framing on top of the files themselves. */
const UPLOAD_OVERHEAD_BYTES = 64 * 1024;

/** The most an upload request may carry: one message's files together, plus its text. */
export const uploadBodyLimit = (maxFileBytes: number) => maxFileBytes + UPLOAD_OVERHEAD_BYTES;

export function uploadTooLarge(maxFileBytes: number): Refusal {
  return {
    status: 413,
    error:
      `The upload is too large: the files of one message may have at most ` +
      `${formatBytes(maxFileBytes)} together (ATTACHMENT_MAX_MB). Send fewer or smaller files.`,
  };
}

export interface Upload {
  text: string;
  attachments: InboundAttachment[];
}

export const isMultipart = (contentType: string | undefined) =>
  /^multipart\/form-data\s*;/i.test(contentType ?? '');

function kindOf(bytes: Uint8Array, mime: string): AttachmentKind {
  if (sniffImage(bytes)) return 'photo';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  return 'document';
}

/** An attachment whose bytes are already here; its fetch still honours the host's cap. */
function heldAttachment(name: string, mime: string, bytes: Buffer): InboundAttachment {
  return {
    kind: kindOf(bytes, mime),
    name,
    ...(mime ? { mime } : {}),
    size: bytes.length,
    fetch: async (maxBytes) => {
      if (bytes.length > maxBytes) throw new Error(`larger than ${formatBytes(maxBytes)}`);
      return bytes;
    },
  };
}

/**
 * Parses a multipart body (fields `text`, optional, and `file`, repeated) that was read within
 * its limit. Node's own multipart parser (the fetch API's FormData) does the framing.
 */
export async function parseUpload(
  body: Buffer,
  contentType: string,
  maxFileBytes: number,
): Promise<Parsed<Upload>> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return refuse(400, 'The body is not valid multipart/form-data (fields "text" and "file").');
  }
  const text = form.get('text') ?? '';
  if (typeof text !== 'string') return refuse(400, 'The "text" field must be text, not a file.');
  if (text.length > MAX_MESSAGE_CHARS) {
    return refuse(
      413,
      `The message is too long (${text.length} characters); the limit is ${MAX_MESSAGE_CHARS}.`,
    );
  }
  const files = form.getAll('file').filter((f): f is FilePart => typeof f !== 'string');
  if (form.getAll('file').length !== files.length) {
    return refuse(400, 'Each "file" field must be a file.');
  }
  if (files.length > MAX_ATTACHMENTS_PER_MESSAGE) {
    return refuse(
      400,
      `At most ${MAX_ATTACHMENTS_PER_MESSAGE} files per message; send the rest in another.`,
    );
  }
  if (!text.trim() && files.length === 0) {
    return refuse(400, 'The message is empty: type something or add a file.');
  }
  const attachments: InboundAttachment[] = [];
  for (const file of files) {
    if (file.size > maxFileBytes) return refuse(413, uploadTooLarge(maxFileBytes).error);
    const bytes = Buffer.from(await file.arrayBuffer());
    attachments.push(heldAttachment(file.name, file.type, bytes));
  }
  return { ok: true, value: { text, attachments } };
}

export interface Download {
  name: string;
  bytes: Buffer;
}

export interface DownloadDeps {
  messages: MessageStore;
  /** The folder of the group the chat belongs to, on the host. */
  groupDir: string;
  maxBytes: number;
}

/** Pure: a message id from the path; an id never contains a path separator or control bytes. */
export function parseMessageId(encoded: string): string | undefined {
  let id: string;
  try {
    id = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  return id.length > 0 && id.length <= 300 && !/[/\\\x00-\x1f\x7f]/.test(id) ? id : undefined;
}

const GROUP_PREFIX = `${SANDBOX_PATHS.group}/`;

/** The file `index` of message `messageId` in `chatId`, or why it cannot be served. */
export function findDownload(
  deps: DownloadDeps,
  chatId: string,
  messageId: string,
  index: number,
): Parsed<Download> {
  const message = deps.messages.message(chatId, messageId);
  const file = message?.attachments?.[index];
  if (!message || !file) {
    return refuse(404, `No file ${index} on message "${messageId}" in this chat.`);
  }
  const name = file.name || file.path.split('/').pop() || `file-${index}`;
  if (message.fromAssistant) {
    const sent = deps.messages.sentFile(chatId, messageId);
    return sent ? { ok: true, value: { name: sent.name || name, bytes: sent.bytes } } : gone(name);
  }
  if (!file.path.startsWith(GROUP_PREFIX)) return gone(name);
  let bytes: Buffer | undefined;
  try {
    bytes = readAgentFile(deps.groupDir, file.path.slice(GROUP_PREFIX.length), deps.maxBytes);
  } catch (error) {
    if (!(error instanceof UnsafeAgentFileError)) throw error;
    return refuse(403, `${name} cannot be downloaded: the inbox file ${error.reason}.`);
  }
  return bytes ? { ok: true, value: { name, bytes } } : gone(name);
}

function gone(name: string): { ok: false; refusal: Refusal } {
  return refuse(
    410,
    `${name} is no longer kept (it was not saved, or was removed from the inbox).`,
  );
}

/**
 * Pure: the headers of a download. Always an attachment, never sniffed; only a real raster
 * image or PDF keeps its type, everything else (HTML, SVG, scripts) is octet-stream, and a
 * sandboxing CSP covers a browser that renders it anyway.
 */
export function downloadHeaders(file: Download): Record<string, string | number> {
  const type =
    sniffImage(file.bytes) ??
    (file.bytes.subarray(0, 5).toString() === '%PDF-'
      ? 'application/pdf'
      : 'application/octet-stream');
  // A sender's name may carry a path ("../../x"): only its last part names the download.
  const base = file.name.split(/[/\\]/).pop() || 'file';
  const ascii = base.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return {
    'content-type': type,
    'content-length': file.bytes.length,
    'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`,
    'content-security-policy': "default-src 'none'; sandbox",
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
  };
}
