/**
 * Inbound files: getFile, then a bounded download (core's downloadBounded) from
 * `<apiRoot>/file/bot<token>/<file_path>`. Errors never quote the URL (it holds the token).
 */
import type { BotApi } from './api.js';
import { NanoClawError, errorMessage } from '../../errors.js';
import type { InboundAttachment } from '../channel.js';
import { causeCode, downloadBounded, lazyAttachment, tooLarge } from '../download.js';
import { redact, type TelegramSettings } from './settings.js';
import type { FileRef } from './update.js';

export { AttachmentTooLargeError } from '../download.js';

/** Telegram could not hand out or deliver the file. */
export class TelegramFileError extends NanoClawError {}

export async function downloadFile(
  api: BotApi,
  settings: TelegramSettings,
  ref: FileRef,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  if (ref.size !== undefined && ref.size > maxBytes) throw tooLarge(ref.kind, maxBytes);
  const file = await api.getFile(ref.fileId, signal);
  if (file.size !== undefined && file.size > maxBytes) throw tooLarge(ref.kind, maxBytes);
  if (!file.path) {
    throw new TelegramFileError(
      'Telegram gave no download path (files over 20 MB cannot be fetched by bots).',
    );
  }
  const path = file.path.split('/').map(encodeURIComponent).join('/');
  const failed = (why: string) =>
    new TelegramFileError(`Downloading the ${ref.kind} from Telegram failed: ${why}`);
  return downloadBounded({
    url: `${settings.apiRoot}/file/bot${settings.token}/${path}`,
    kind: ref.kind,
    maxBytes,
    signal,
    unreachable: (error) => failed(causeCode(error) ?? redact(errorMessage(error), settings.token)),
    failed,
  });
}

/** The host-facing attachment: metadata now, the bytes when the host asks (bounded). */
export function attachment(
  ref: FileRef,
  fetchFile: (ref: FileRef, maxBytes: number, signal: AbortSignal) => Promise<Buffer>,
): InboundAttachment {
  return lazyAttachment(ref, (maxBytes, signal) => fetchFile(ref, maxBytes, signal));
}
