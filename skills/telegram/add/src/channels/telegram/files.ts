/**
 * Inbound files: getFile, then a download from `<apiRoot>/file/bot<token>/<file_path>`, streamed
 * and stopped as soon as more than the caller's limit arrived. Errors never quote the URL (it
 * holds the token).
 */
import type { BotApi } from './api.js';
import { NanoClawError, errorMessage } from '../../errors.js';
import type { InboundAttachment } from '../channel.js';
import { redact, type TelegramSettings } from './settings.js';
import type { FileRef } from './update.js';

/** A file over the caller's byte limit (announced or while downloading). */
export class AttachmentTooLargeError extends NanoClawError {}

/** Telegram could not hand out or deliver the file. */
export class TelegramFileError extends NanoClawError {}

function tooLarge(ref: FileRef, maxBytes: number): AttachmentTooLargeError {
  return new AttachmentTooLargeError(
    `The ${ref.kind} is larger than the limit of ${maxBytes} bytes; it was not downloaded.`,
    { kind: ref.kind, maxBytes },
  );
}

async function readBounded(body: ReadableStream<Uint8Array>, ref: FileRef, maxBytes: number) {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(ref, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export async function downloadFile(
  api: BotApi,
  settings: TelegramSettings,
  ref: FileRef,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  if (ref.size !== undefined && ref.size > maxBytes) throw tooLarge(ref, maxBytes);
  const file = await api.getFile(ref.fileId, signal);
  if (file.size !== undefined && file.size > maxBytes) throw tooLarge(ref, maxBytes);
  if (!file.path) {
    throw new TelegramFileError(
      'Telegram gave no download path (files over 20 MB cannot be fetched by bots).',
    );
  }
  const path = file.path.split('/').map(encodeURIComponent).join('/');
  let res: Response;
  try {
    res = await fetch(`${settings.apiRoot}/file/bot${settings.token}/${path}`, {
      signal,
      redirect: 'error',
    });
  } catch (error) {
    // undici says "fetch failed"; the reason (ECONNREFUSED…) is in its cause.
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    const why = typeof code === 'string' ? code : redact(errorMessage(error), settings.token);
    throw new TelegramFileError(`Downloading the ${ref.kind} from Telegram failed: ${why}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new TelegramFileError(
      `Downloading the ${ref.kind} from Telegram failed: HTTP ${res.status}`,
    );
  }
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (length > maxBytes) {
    await res.body.cancel();
    throw tooLarge(ref, maxBytes);
  }
  return readBounded(res.body, ref, maxBytes);
}

/** The host-facing attachment: metadata now, the bytes when the host asks (bounded). */
export function attachment(
  ref: FileRef,
  fetchFile: (ref: FileRef, maxBytes: number, signal: AbortSignal) => Promise<Buffer>,
): InboundAttachment {
  return {
    kind: ref.kind,
    ...(ref.name !== undefined ? { name: ref.name } : {}),
    ...(ref.mime !== undefined ? { mime: ref.mime } : {}),
    ...(ref.size !== undefined ? { size: ref.size } : {}),
    fetch: (maxBytes, signal) => fetchFile(ref, maxBytes, signal),
  };
}
