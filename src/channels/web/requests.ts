/**
 * Pure request decisions for the web chat API: route matching, and parsing of everything a
 * browser sends (paths, query strings, JSON bodies) into typed values or a 4xx answer. Nothing
 * here touches the network or the store.
 */
import { z } from 'zod';
import { MAX_MESSAGE_CHARS } from '../../conversation/service.js';

export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_HISTORY = 500;

/** An answer the client caused: HTTP status and the JSON `error` text. */
export interface Refusal {
  status: number;
  error: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

const refuse = (status: number, error: string): { ok: false; refusal: Refusal } => ({
  ok: false,
  refusal: { status, error },
});

export interface RouteSpec {
  method: 'GET' | 'POST';
  /**
   * Path pattern; its first capture group, when present, is the URL-encoded chat id; further
   * groups are handed to the route as they are.
   */
  pattern: RegExp;
}

export type RouteMatch<R> =
  | { kind: 'found'; route: R; chatId: string | undefined; params: string[] }
  | { kind: 'wrong-method'; allow: string[] }
  | { kind: 'not-found'; refusal: Refusal };

/** Finds the route for a request; a path that matches only under another method is a 405. */
export function matchRoute<R extends RouteSpec>(
  routes: readonly R[],
  method: string,
  pathname: string,
): RouteMatch<R> {
  const allow: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    if (route.method !== method) {
      allow.push(route.method);
      continue;
    }
    const encoded = match[1];
    if (encoded === undefined) return { kind: 'found', route, chatId: undefined, params: [] };
    const chatId = decodeChatId(encoded);
    if (chatId === undefined) {
      return {
        kind: 'not-found',
        refusal: { status: 404, error: 'Malformed chat id in the path.' },
      };
    }
    // Further captures (a message id, an index) stay raw: their route parses them.
    return { kind: 'found', route, chatId, params: match.slice(2).map((p) => p ?? '') };
  }
  if (allow.length > 0) return { kind: 'wrong-method', allow };
  return {
    kind: 'not-found',
    refusal: { status: 404, error: `No API route ${method} ${pathname}; see docs/API.md.` },
  };
}

function decodeChatId(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined; // malformed percent-encoding names no chat
  }
}

const PostSchema = z.object({
  text: z.string({ error: 'text must be a string, e.g. {"text": "hello"}.' }),
  senderName: z
    .string({ error: 'senderName must be a string.' })
    .trim()
    .min(1, 'senderName must not be empty.')
    .max(100, 'senderName may have at most 100 characters.')
    .optional(),
});

export type PostBody = z.infer<typeof PostSchema>;

/** The refusal for a body over MAX_BODY_BYTES (it was not read to the end). */
export const BODY_TOO_LARGE: Refusal = {
  status: 413,
  error:
    `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB; a message may have at most ` +
    `${MAX_MESSAGE_CHARS} characters.`,
};

/** Validates a message post: JSON, the right shape, not empty, not longer than the limit. */
export function parsePost(raw: string): Parsed<PostBody> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return refuse(400, 'The body must be JSON like {"text": "hello"}.');
  }
  const parsed = PostSchema.safeParse(json);
  if (!parsed.success) {
    return refuse(400, parsed.error.issues[0]?.message ?? 'Invalid message body.');
  }
  const { text } = parsed.data;
  if (!text.trim()) return refuse(400, 'The message is empty: type something to send.');
  if (text.length > MAX_MESSAGE_CHARS) {
    return refuse(
      413,
      `The message is too long (${text.length} characters); the limit is ${MAX_MESSAGE_CHARS}.`,
    );
  }
  return { ok: true, value: parsed.data };
}

export interface HistoryQuery {
  limit: number;
  before: { ts: number; id: string } | undefined;
}

const HistorySchema = z.object({
  limit: z.coerce
    .number({ error: `limit must be a whole number from 1 to ${MAX_HISTORY}.` })
    .int(`limit must be a whole number from 1 to ${MAX_HISTORY}.`)
    .min(1, `limit must be a whole number from 1 to ${MAX_HISTORY}.`)
    .max(MAX_HISTORY, `limit must be a whole number from 1 to ${MAX_HISTORY}.`)
    .default(50),
  before: z
    .string()
    .regex(/^\d{1,16}:.+$/, 'before must be a cursor "<ts>:<id>" taken from a message.')
    .optional(),
});

/** `?limit=50&before=<ts>:<id>` (the cursor of the oldest message already shown). */
export function parseHistoryQuery(params: URLSearchParams): Parsed<HistoryQuery> {
  const parsed = HistorySchema.safeParse({
    limit: params.get('limit') ?? undefined,
    before: params.get('before') ?? undefined,
  });
  if (!parsed.success) return refuse(400, parsed.error.issues[0]?.message ?? 'Invalid query.');
  const { limit, before } = parsed.data;
  if (before === undefined) return { ok: true, value: { limit, before: undefined } };
  const colon = before.indexOf(':');
  const cursor = { ts: Number(before.slice(0, colon)), id: before.slice(colon + 1) };
  return { ok: true, value: { limit, before: cursor } };
}
