/**
 * A small client of the running host's web chat API (docs/API.md) for `nanoclaw chat`. Every
 * answer is parsed with zod; an unreachable host is its own error so the command can say
 * "not running" instead of printing a stack trace.
 */
import { z } from 'zod';
import { NanoClawError, UserError } from '../errors.js';
import { SseParser, type SseEvent } from './sse.js';

const REQUEST_TIMEOUT_MS = 15_000;

export const MessageSchema = z.object({
  id: z.string(),
  ts: z.number(),
  sender: z.string(),
  fromAssistant: z.boolean(),
  text: z.string(),
});
export type ApiMessage = z.infer<typeof MessageSchema>;

const StatusSchema = z.object({
  assistantName: z.string(),
  problems: z.array(z.string()),
  channels: z
    .array(z.object({ name: z.string(), state: z.string(), summary: z.string() }))
    .default([]),
});
const ChatsSchema = z.object({
  chats: z.array(
    z.object({ chatId: z.string(), name: z.string(), trigger: z.string().nullable() }),
  ),
});
const HistorySchema = z.object({ messages: z.array(MessageSchema) });
const PostedSchema = z.object({ id: z.string(), ts: z.number() });
const ErrorSchema = z.object({ error: z.string() });

/** Nothing answered at the address (connection refused, reset, timed out). */
export class HostUnreachableError extends NanoClawError {}

/** Where `nanoclaw chat` finds the host: a wildcard listen address is reached on loopback. */
export function hostUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export class ChatApi {
  private readonly headers: Record<string, string>;

  constructor(
    readonly baseUrl: string,
    token: string | undefined,
  ) {
    this.headers = token ? { authorization: `Bearer ${token}` } : {};
  }

  async status() {
    return StatusSchema.parse(await this.request('GET', '/api/status'));
  }

  async chats() {
    return ChatsSchema.parse(await this.request('GET', '/api/chats')).chats;
  }

  async history(chatId: string, limit: number): Promise<ApiMessage[]> {
    const path = `${chatPath(chatId)}/messages?limit=${limit}`;
    return HistorySchema.parse(await this.request('GET', path)).messages;
  }

  async post(chatId: string, text: string, senderName: string) {
    const body = JSON.stringify({ text, senderName });
    return PostedSchema.parse(await this.request('POST', `${chatPath(chatId)}/messages`, body));
  }

  /** The chat's event stream until it ends or `signal` aborts. */
  async *events(chatId: string, signal: AbortSignal): AsyncGenerator<SseEvent> {
    const res = await this.fetch(`${chatPath(chatId)}/events`, { headers: this.headers, signal });
    if (!res.ok || !res.body) throw await this.failure(res);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    for await (const chunk of res.body) yield* parser.push(decoder.decode(chunk, { stream: true }));
  }

  private async request(method: string, path: string, body?: string): Promise<unknown> {
    const headers = body ? { ...this.headers, 'content-type': 'application/json' } : this.headers;
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const res = await this.fetch(path, { method, headers, body, signal });
    if (!res.ok) throw await this.failure(res);
    return res.json().catch((error: unknown) => {
      throw this.notNanoClaw(res.status, error);
    });
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, init);
    } catch (error) {
      // Stopped by the caller: not a host problem. Timed out or refused: nobody is there.
      const reason: unknown = init.signal?.aborted ? init.signal.reason : undefined;
      if (reason !== undefined && !(reason instanceof Error && reason.name === 'TimeoutError')) {
        throw error;
      }
      throw new HostUnreachableError(`Nothing answered at ${this.baseUrl}.`, {}, { cause: error });
    }
  }

  /** The API's own explanation of a 4xx/5xx, as something the user can act on. */
  private async failure(res: Response): Promise<UserError> {
    const parsed = ErrorSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) return this.notNanoClaw(res.status, parsed.error);
    if (res.status === 401) {
      return new UserError(
        `NanoClaw at ${this.baseUrl} wants an access token: set WEB_TOKEN (environment or ` +
          `$NANOCLAW_HOME/.env) to the token the host was started with.`,
      );
    }
    return new UserError(parsed.data.error, { status: res.status });
  }

  private notNanoClaw(status: number, cause: unknown): UserError {
    return new UserError(
      `Something other than NanoClaw answered at ${this.baseUrl} (HTTP ${status}). ` +
        `Check WEB_HOST and WEB_PORT.`,
      { status },
      { cause },
    );
  }
}

const chatPath = (chatId: string) => `/api/chats/${encodeURIComponent(chatId)}`;
