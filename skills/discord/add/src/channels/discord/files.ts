/**
 * Inbound files: a download from the attachment's URL (Discord's CDN; no token is sent, the
 * URL itself is the grant), streamed and stopped as soon as more than the caller's limit
 * arrived. Redirects are refused, the caller's AbortSignal ends the download.
 */
import { NanoClawError } from '../../errors.js';
import type { InboundAttachment } from '../channel.js';
import type { FileRef } from './message.js';

/** A file over the caller's byte limit (announced or while downloading). */
export class AttachmentTooLargeError extends NanoClawError {}

/** Discord's CDN could not deliver the file. */
export class DiscordFileError extends NanoClawError {}

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
  ref: FileRef,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  if (ref.size !== undefined && ref.size > maxBytes) throw tooLarge(ref, maxBytes);
  let res: Response;
  try {
    res = await fetch(ref.url, { signal, redirect: 'error' });
  } catch (error) {
    if (signal.aborted) throw error;
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    const why = typeof code === 'string' ? code : 'network error';
    throw new DiscordFileError(
      `Downloading the ${ref.kind} from Discord failed: ${why}`,
      {},
      { cause: error },
    );
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new DiscordFileError(
      `Downloading the ${ref.kind} from Discord failed: HTTP ${res.status}`,
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
export function attachment(ref: FileRef): InboundAttachment {
  return {
    kind: ref.kind,
    name: ref.name,
    ...(ref.mime !== undefined ? { mime: ref.mime } : {}),
    ...(ref.size !== undefined ? { size: ref.size } : {}),
    fetch: (maxBytes, signal) => downloadFile(ref, maxBytes, signal),
  };
}
