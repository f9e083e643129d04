/**
 * Inbound files: Slack's `url_private` needs the bot token, so it is fetched only from Slack's
 * own hosts (https *.slack.com) or the configured API's origin (a local or test server): a URL
 * elsewhere in an event never receives the token. The download is streamed and stopped as soon
 * as more than the caller's limit arrived. Errors never quote the token.
 */
import { NanoClawError, errorMessage } from '../../errors.js';
import type { InboundAttachment } from '../channel.js';
import type { FileRef } from './event.js';

/** A file over the caller's byte limit (announced or while downloading). */
export class AttachmentTooLargeError extends NanoClawError {}

/** Slack could not deliver the file, or its URL is not one the token may go to. */
export class SlackFileError extends NanoClawError {}

/** Pure: the bot token may be sent to `url`. */
export function mayCarryToken(url: string, apiUrl: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.origin === new URL(apiUrl).origin) return true;
  return (
    target.protocol === 'https:' &&
    (target.hostname === 'slack.com' || target.hostname.endsWith('.slack.com'))
  );
}

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
  auth: { botToken: string; apiUrl: string },
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  if (ref.size !== undefined && ref.size > maxBytes) throw tooLarge(ref, maxBytes);
  if (!mayCarryToken(ref.url, auth.apiUrl)) {
    throw new SlackFileError(
      `The ${ref.kind}'s download URL is not on Slack (${new URL(ref.url).host}); it was not fetched.`,
    );
  }
  let res: Response;
  try {
    // No redirects: a redirect elsewhere would carry the token off Slack.
    res = await fetch(ref.url, {
      headers: { authorization: `Bearer ${auth.botToken}` },
      signal,
      redirect: 'error',
    });
  } catch (error) {
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    const why =
      typeof code === 'string' ? code : errorMessage(error).split(auth.botToken).join('<token>');
    throw new SlackFileError(`Downloading the ${ref.kind} from Slack failed: ${why}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new SlackFileError(`Downloading the ${ref.kind} from Slack failed: HTTP ${res.status}`);
  }
  // Slack answers a bad or missing token with its HTML login page, status 200.
  if ((res.headers.get('content-type') ?? '').startsWith('text/html') && ref.mime !== 'text/html') {
    await res.body.cancel();
    throw new SlackFileError(
      `Slack sent a web page instead of the ${ref.kind}: the bot may lack the files:read scope.`,
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
