/**
 * Attachments in: files that come with a chat message are fetched (size-capped, with a
 * timeout) and saved into the group's folder under `inbox/<date>/<message id>-<name>`, through
 * the host-file helper (the folder is agent-writable). Names come from strangers, so they are
 * reduced to a safe, bounded basename. A file that cannot be saved is not fatal: the message
 * keeps a note for the agent saying what was lost and why.
 */
import type { InboundAttachment, InboundMessage } from '../channels/channel.js';
import { errorMessage } from '../errors.js';
import { createAgentFileIn, ensureAgentDir } from '../groups/agent-files.js';
import type { Logger } from '../log.js';
import { SANDBOX_PATHS } from '../sandbox/spec.js';
import { extensionFor, formatBytes, guessMime } from '../shared/mime.js';
import type { SavedAttachment } from '../store/messages.js';

/** How long one file may take to download. */
export const ATTACHMENT_FETCH_TIMEOUT_MS = 60_000;
/** Most files saved from one message (the rest get a note). */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
const MAX_STEM_CHARS = 80;
const MAX_ID_CHARS = 40;

const DEFAULT_EXTENSION: Record<string, string> = {
  photo: 'jpg',
  voice: 'ogg',
  audio: 'mp3',
  video: 'mp4',
  sticker: 'webp',
};

/** Pure: only `[A-Za-z0-9._-]`, no leading dots or dashes, runs of `_` collapsed. */
function safeChars(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[._-]+/, '')
    .replace(/[._-]+$/, '');
}

/**
 * Pure: the file name an attachment is saved under: `<message id>-<stem>.<ext>`. Basename only,
 * safe characters, bounded length; the extension from the name, else from the type, else from
 * the kind. Never empty, hidden, `..` or a path.
 */
export function attachmentFileName(
  messageId: string,
  attachment: { kind: string; name?: string | undefined; mime?: string | undefined },
): string {
  const base = ((attachment.name ?? '').split(/[/\\]/).pop() ?? '').replace(/^\.+/, '');
  const match = /^(.*)\.([A-Za-z0-9]{1,10})$/.exec(base);
  const stem = safeChars(match ? (match[1] ?? '') : base).slice(0, MAX_STEM_CHARS);
  const ext =
    match?.[2]?.toLowerCase() ??
    (attachment.mime ? extensionFor(attachment.mime) : undefined) ??
    DEFAULT_EXTENSION[attachment.kind] ??
    'bin';
  const id = safeChars(messageId).slice(0, MAX_ID_CHARS) || 'message';
  return `${id}-${safeChars(stem) || attachment.kind}.${ext}`;
}

/** Pure: the inbox folder (relative to the group folder) for a message's time, in `timeZone`. */
export function inboxFolder(ts: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(ts));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `inbox/${get('year')}-${get('month')}-${get('day')}`;
}

export interface InboxDeps {
  /** The group's folder on the host. */
  groupDir: string;
  /** Who owns what the host creates there (the sandbox uid when the host is root). */
  owner: { uid: number; gid: number } | undefined;
  maxBytes: number;
  timezone: string;
  /** A re-delivered message (already stored) fetches nothing again. */
  alreadyStored(chatId: string, id: string): boolean;
  log: Logger;
}

/** What the agent is told about a file that was not saved. */
function unsaved(attachment: InboundAttachment, note: string): SavedAttachment {
  return {
    kind: attachment.kind,
    path: '',
    mime: attachment.mime ?? 'application/octet-stream',
    size: attachment.size ?? 0,
    name: attachment.name ?? '',
    note,
  };
}

async function saveOne(
  deps: InboxDeps,
  message: InboundMessage,
  attachment: InboundAttachment,
  signal: AbortSignal,
): Promise<SavedAttachment> {
  const limit = `over ATTACHMENT_MAX_MB (${formatBytes(deps.maxBytes)})`;
  const what = `a ${attachment.size ? `${formatBytes(attachment.size)} ` : ''}${attachment.kind}`;
  if ((attachment.size ?? 0) > deps.maxBytes)
    return unsaved(attachment, `${what} was not saved: ${limit}`);
  let bytes: Buffer;
  try {
    const timeout = AbortSignal.timeout(ATTACHMENT_FETCH_TIMEOUT_MS);
    bytes = await attachment.fetch(deps.maxBytes, AbortSignal.any([signal, timeout]));
  } catch (error) {
    deps.log.warn({ chat: message.chatId, err: errorMessage(error) }, 'attachment fetch failed');
    return unsaved(attachment, `${what} could not be downloaded (${errorMessage(error)})`);
  }
  if (bytes.length > deps.maxBytes) return unsaved(attachment, `${what} was not saved: ${limit}`);
  const rel = createAgentFileIn(
    deps.groupDir,
    inboxFolder(message.ts, deps.timezone),
    attachmentFileName(message.id, attachment),
    bytes,
    deps.owner,
  );
  const guessed = guessMime(rel, bytes);
  return {
    kind: attachment.kind,
    path: `${SANDBOX_PATHS.group}/${rel}`,
    // The content decides where it can (an image's magic bytes); else the platform's word.
    mime: guessed === 'application/octet-stream' ? (attachment.mime ?? guessed) : guessed,
    size: bytes.length,
    name: attachment.name ?? '',
  };
}

/**
 * Fetches and saves a message's attachments into the group's inbox, one at a time. Never
 * throws for one file: each failure becomes a note on its entry.
 */
export async function saveAttachments(
  deps: InboxDeps,
  message: InboundMessage,
  signal: AbortSignal,
): Promise<SavedAttachment[]> {
  const all = message.attachments ?? [];
  if (all.length === 0 || deps.alreadyStored(message.chatId, message.id)) return [];
  ensureAgentDir(deps.groupDir, deps.owner);
  const saved: SavedAttachment[] = [];
  for (const [i, attachment] of all.entries()) {
    if (i >= MAX_ATTACHMENTS_PER_MESSAGE) {
      const note = `not saved: at most ${MAX_ATTACHMENTS_PER_MESSAGE} files per message are kept`;
      saved.push(unsaved(attachment, note));
      continue;
    }
    try {
      saved.push(await saveOne(deps, message, attachment, signal));
    } catch (error) {
      deps.log.warn({ chat: message.chatId, err: errorMessage(error) }, 'attachment not saved');
      saved.push(unsaved(attachment, `not saved (${errorMessage(error)})`));
    }
  }
  return saved;
}
