/**
 * A thin Graph API client for the Cloud API (no SDK: fetch): send a message, upload media, look
 * up and download media, read the phone number (the health check). Every request carries the
 * Bearer token in a header, never in a URL; errors become `GraphError` with Meta's code and never
 * quote the token.
 */
import { z } from 'zod';
import { NanoClawError, errorMessage } from '../../errors.js';
import { GRAPH_VERSION, redact, type CloudSettings } from './settings.js';

/** Codes Meta uses for throughput and rate limits (besides HTTP 429). */
const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131048, 131056]);
/** The 24-hour customer service window is closed (re-engagement needs a template message). */
export const WINDOW_CLOSED = 131047;

/** Meta refused a call, or it never arrived; `code` is Meta's error code when it gave one. */
export class GraphError extends NanoClawError {
  constructor(
    message: string,
    readonly status: number,
    readonly code: number | undefined,
    readonly retryAfterS?: number,
    options?: { cause?: unknown },
  ) {
    super(message, { status, code }, options);
  }
  get rateLimited(): boolean {
    return this.status === 429 || (this.code !== undefined && RATE_LIMIT_CODES.has(this.code));
  }
  get unauthorized(): boolean {
    return this.status === 401 || this.code === 190;
  }
}

/** A file over the caller's byte limit (announced or while downloading). */
export class MediaTooLargeError extends NanoClawError {}

const ErrorBody = z.object({
  error: z.looseObject({
    message: z.string().optional(),
    code: z.number().optional(),
    error_data: z.looseObject({ details: z.string().optional() }).optional(),
  }),
});
const SendResult = z.looseObject({ messages: z.array(z.looseObject({ id: z.string() })).min(1) });
const UploadResult = z.looseObject({ id: z.string().min(1) });
const MediaInfo = z.looseObject({
  url: z.url({ protocol: /^https?$/ }),
  mime_type: z.string().optional(),
  file_size: z.coerce.number().optional(),
});
const PhoneInfo = z.looseObject({ display_phone_number: z.string().optional() });

const TIMEOUT_MS = 30_000;

export interface UploadFile {
  name: string;
  mime: string;
  bytes: Buffer;
}

export class GraphApi {
  constructor(private readonly settings: CloudSettings) {}

  private url(path: string): string {
    return `${this.settings.graphUrl}/${GRAPH_VERSION}/${path}`;
  }

  private async request(url: string, init: RequestInit, signal: AbortSignal): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        redirect: 'error',
        signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
        headers: { ...init.headers, authorization: `Bearer ${this.settings.token}` },
      });
    } catch (error) {
      // undici says "fetch failed"; the reason (ECONNREFUSED…) is in its cause.
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      const why = typeof code === 'string' ? code : redact(errorMessage(error), this.settings);
      throw new GraphError(
        `cannot reach the Graph API at ${this.settings.graphUrl} (${why})`,
        0,
        undefined,
        undefined,
        {
          cause: error,
        },
      );
    }
  }

  /** The JSON of a 2xx answer, or a GraphError with Meta's code and message. */
  private async json(res: Response): Promise<unknown> {
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined; // a proxy's HTML error page: reported by status below
    }
    if (res.ok && body !== undefined) return body;
    const err = ErrorBody.safeParse(body);
    const code = err.success ? err.data.error.code : undefined;
    const said = err.success
      ? [err.data.error.message, err.data.error.error_data?.details].filter(Boolean).join(': ')
      : `HTTP ${res.status}`;
    const after = Number(res.headers.get('retry-after') ?? NaN);
    throw new GraphError(
      `the Graph API answered ${res.status}${code !== undefined ? ` (code ${code})` : ''}: ${redact(said, this.settings)}`,
      res.status,
      code,
      Number.isFinite(after) ? after : undefined,
    );
  }

  async sendMessage(message: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    const res = await this.request(
      this.url(`${this.settings.phoneNumberId}/messages`),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messaging_product: 'whatsapp', ...message }),
      },
      signal,
    );
    const parsed = SendResult.safeParse(await this.json(res));
    if (!parsed.success)
      throw new GraphError('the Graph API gave no message id', res.status, undefined);
    return parsed.data.messages[0]?.id ?? '';
  }

  /** Marks an inbound message read and shows "typing…" (up to 25 s or until we answer). */
  async markReadTyping(messageId: string, signal: AbortSignal): Promise<void> {
    const res = await this.request(
      this.url(`${this.settings.phoneNumberId}/messages`),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          status: 'read',
          message_id: messageId,
          typing_indicator: { type: 'text' },
        }),
      },
      signal,
    );
    await this.json(res);
  }

  async uploadMedia(file: UploadFile, signal: AbortSignal): Promise<string> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', file.mime);
    form.set('file', new Blob([file.bytes], { type: file.mime }), file.name);
    const res = await this.request(
      this.url(`${this.settings.phoneNumberId}/media`),
      { method: 'POST', body: form },
      signal,
    );
    const parsed = UploadResult.safeParse(await this.json(res));
    if (!parsed.success)
      throw new GraphError('the Graph API gave no media id', res.status, undefined);
    return parsed.data.id;
  }

  async mediaInfo(mediaId: string, signal: AbortSignal) {
    const res = await this.request(this.url(encodeURIComponent(mediaId)), {}, signal);
    const parsed = MediaInfo.safeParse(await this.json(res));
    if (!parsed.success)
      throw new GraphError('the Graph API gave no media URL', res.status, undefined);
    return { url: parsed.data.url, mime: parsed.data.mime_type, size: parsed.data.file_size };
  }

  /** The bytes at a media URL (it needs the token too), stopped once more than `maxBytes` arrive. */
  async download(url: string, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
    const res = await this.request(url, {}, signal);
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new GraphError(`downloading media failed: HTTP ${res.status}`, res.status, undefined);
    }
    const tooLarge = () =>
      new MediaTooLargeError(
        `The file is larger than the limit of ${maxBytes} bytes; it was not downloaded.`,
      );
    if (Number(res.headers.get('content-length') ?? NaN) > maxBytes) {
      await res.body.cancel();
      throw tooLarge();
    }
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  }

  /** The business number (proves the token and the phone number ID work). */
  async phoneNumber(signal: AbortSignal): Promise<string | undefined> {
    const res = await this.request(
      this.url(`${this.settings.phoneNumberId}?fields=display_phone_number`),
      {},
      signal,
    );
    const parsed = PhoneInfo.safeParse(await this.json(res));
    return parsed.success ? parsed.data.display_phone_number : undefined;
  }
}
