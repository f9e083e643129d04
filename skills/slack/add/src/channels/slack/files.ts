/**
 * Inbound files: Slack's `url_private` needs the bot token, so it is fetched only from Slack's
 * own hosts (https *.slack.com) or the configured API's origin (a local or test server): a URL
 * elsewhere in an event never receives the token. The download is core's bounded one. Errors
 * never quote the token.
 */
import { NanoClawError, errorMessage } from '../../errors.js';
import type { InboundAttachment } from '../channel.js';
import { causeCode, downloadBounded, lazyAttachment, tooLarge } from '../download.js';
import type { FileRef } from './event.js';

export { AttachmentTooLargeError } from '../download.js';

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

export async function downloadFile(
  ref: FileRef,
  auth: { botToken: string; apiUrl: string },
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  if (ref.size !== undefined && ref.size > maxBytes) throw tooLarge(ref.kind, maxBytes);
  if (!mayCarryToken(ref.url, auth.apiUrl)) {
    throw new SlackFileError(
      `The ${ref.kind}'s download URL is not on Slack (${new URL(ref.url).host}); it was not fetched.`,
    );
  }
  const failed = (why: string) =>
    new SlackFileError(`Downloading the ${ref.kind} from Slack failed: ${why}`);
  // No redirects (downloadBounded refuses them): one elsewhere would carry the token off Slack.
  return downloadBounded({
    url: ref.url,
    headers: { authorization: `Bearer ${auth.botToken}` },
    kind: ref.kind,
    maxBytes,
    signal,
    unreachable: (error) =>
      failed(causeCode(error) ?? errorMessage(error).split(auth.botToken).join('<token>')),
    failed,
    // Slack answers a bad or missing token with its HTML login page, status 200.
    check: (res) =>
      (res.headers.get('content-type') ?? '').startsWith('text/html') && ref.mime !== 'text/html'
        ? new SlackFileError(
            `Slack sent a web page instead of the ${ref.kind}: the bot may lack the files:read scope.`,
          )
        : undefined,
  });
}

/** The host-facing attachment: metadata now, the bytes when the host asks (bounded). */
export function attachment(
  ref: FileRef,
  fetchFile: (ref: FileRef, maxBytes: number, signal: AbortSignal) => Promise<Buffer>,
): InboundAttachment {
  return lazyAttachment(ref, (maxBytes, signal) => fetchFile(ref, maxBytes, signal));
}
