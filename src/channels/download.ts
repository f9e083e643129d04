/**
 * Inbound files for channel skills: a fetch that stops as soon as more than the caller's limit
 * is announced (Content-Length) or has arrived, follows no redirect (a redirect could carry the
 * skill's auth header elsewhere) and ends with the caller's AbortSignal. Which URL may receive
 * which header is the skill's rule, decided before it calls this.
 */
import { NanoClawError } from '../errors.js';
import type { InboundAttachment } from './channel.js';

/** A file over the caller's byte limit (announced or while downloading). */
export class AttachmentTooLargeError extends NanoClawError {}

export interface BoundedDownload {
  url: string;
  headers?: Record<string, string>;
  /** What the file is, for messages (`photo`, `document`…). */
  kind: string;
  maxBytes: number;
  signal: AbortSignal;
  /** What to throw when fetch itself fails (network, abort); it must not quote secrets. */
  unreachable(error: unknown): unknown;
  /** The skill's error for an answer that is not the file; `why` is e.g. `HTTP 404`. */
  failed(why: string): Error;
  /** A further look at a good answer before its body is read: an error refuses it. */
  check?(res: Response): Error | undefined;
}

export function tooLarge(kind: string, maxBytes: number): AttachmentTooLargeError {
  return new AttachmentTooLargeError(
    `The ${kind} is larger than the limit of ${maxBytes} bytes; it was not downloaded.`,
    { kind, maxBytes },
  );
}

/** undici says "fetch failed"; the reason (ECONNREFUSED…) is the code of its cause. */
export function causeCode(error: unknown): string | undefined {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

async function readBounded(body: ReadableStream<Uint8Array>, kind: string, maxBytes: number) {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(kind, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export async function downloadBounded(d: BoundedDownload): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(d.url, {
      ...(d.headers ? { headers: d.headers } : {}),
      signal: d.signal,
      redirect: 'error',
    });
  } catch (error) {
    throw d.unreachable(error);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw d.failed(`HTTP ${res.status}`);
  }
  const refused = d.check?.(res);
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (refused || length > d.maxBytes) {
    await res.body.cancel();
    throw refused ?? tooLarge(d.kind, d.maxBytes);
  }
  return readBounded(res.body, d.kind, d.maxBytes);
}

/** The host-facing attachment: metadata now, the bytes when the host asks (bounded). */
export function lazyAttachment(
  ref: Pick<InboundAttachment, 'kind' | 'name' | 'mime' | 'size'>,
  fetch: (maxBytes: number, signal: AbortSignal) => Promise<Buffer>,
): InboundAttachment {
  return {
    kind: ref.kind,
    ...(ref.name !== undefined ? { name: ref.name } : {}),
    ...(ref.mime !== undefined ? { mime: ref.mime } : {}),
    ...(ref.size !== undefined ? { size: ref.size } : {}),
    fetch,
  };
}
