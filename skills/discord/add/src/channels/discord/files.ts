/**
 * Inbound files: a bounded download (core's downloadBounded) from the attachment's URL
 * (Discord's CDN; no token is sent, the URL itself is the grant).
 */
import { NanoClawError } from '../../errors.js';
import type { InboundAttachment } from '../channel.js';
import { causeCode, downloadBounded, lazyAttachment, tooLarge } from '../download.js';
import type { FileRef } from './message.js';

export { AttachmentTooLargeError } from '../download.js';

/** Discord's CDN could not deliver the file. */
export class DiscordFileError extends NanoClawError {}

export async function downloadFile(
  ref: FileRef,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  if (ref.size !== undefined && ref.size > maxBytes) throw tooLarge(ref.kind, maxBytes);
  const failed = (why: string, cause?: unknown) =>
    new DiscordFileError(
      `Downloading the ${ref.kind} from Discord failed: ${why}`,
      {},
      cause === undefined ? {} : { cause },
    );
  return downloadBounded({
    url: ref.url,
    kind: ref.kind,
    maxBytes,
    signal,
    unreachable: (error) =>
      signal.aborted ? error : failed(causeCode(error) ?? 'network error', error),
    failed,
  });
}

/** The host-facing attachment: metadata now, the bytes when the host asks (bounded). */
export function attachment(ref: FileRef): InboundAttachment {
  return lazyAttachment(ref, (maxBytes, signal) => downloadFile(ref, maxBytes, signal));
}
