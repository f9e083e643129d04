/**
 * Full-text search over a group's conversation history (the `search_messages` tool). Only the
 * chats the caller names are searched (the host passes the group's own chats); the query text
 * is turned into quoted terms, so nothing a user or agent types is FTS5 syntax.
 */
import type { Db } from './db.js';

export interface SearchQuery {
  /** Words to find (all of them, in any order); a trailing `*` on a word matches a prefix. */
  text: string;
  /** Epoch ms bounds, inclusive / exclusive. */
  since?: number;
  until?: number;
  /** A sender's display name or id (exact, case-insensitive). */
  sender?: string;
  limit: number;
}

export interface SearchHit {
  chatId: string;
  id: string;
  ts: number;
  sender: string;
  fromAssistant: boolean;
  /** The matching part, terms marked with [ ]. */
  snippet: string;
}

/** Most hits one search returns, and most words it takes. */
export const SEARCH_MAX_LIMIT = 50;
const MAX_TERMS = 16;

/**
 * The FTS5 expression for `text` (pure): each word quoted (a `*` after it kept as a prefix
 * match), all required. Undefined when there is no word to search for.
 */
export function ftsExpression(text: string): string | undefined {
  const terms = [...text.matchAll(/([\p{L}\p{N}_]+)(\*?)/gu)]
    .slice(0, MAX_TERMS)
    .map(([, word, star]) => `"${word as string}"${star ? '*' : ''}`);
  return terms.length > 0 ? terms.join(' ') : undefined;
}

interface HitRow {
  chat_id: string;
  id: string;
  ts: number;
  sender_name: string;
  from_assistant: number;
  snippet: string;
}

export class MessageSearch {
  constructor(private readonly db: Db) {}

  /** Best matches first (bm25), newest first among equals; `chats` bounds where it looks. */
  search(chats: readonly string[], query: SearchQuery): SearchHit[] {
    const expression = ftsExpression(query.text);
    if (!expression || chats.length === 0) return [];
    const limit = Math.max(1, Math.min(query.limit, SEARCH_MAX_LIMIT));
    const rows = this.db
      .prepare(
        `SELECT m.chat_id, m.id, m.ts, m.sender_name, m.from_assistant,
                snippet(messages_fts, 0, '[', ']', '…', 24) AS snippet
         FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid
         WHERE messages_fts MATCH @expression
           AND m.chat_id IN (SELECT value FROM json_each(@chats))
           AND m.ts >= @since AND m.ts < @until
           AND (@sender IS NULL OR lower(m.sender_name) = lower(@sender)
                OR lower(m.sender_id) = lower(@sender))
         ORDER BY bm25(messages_fts), m.ts DESC
         LIMIT @limit`,
      )
      .all({
        expression,
        chats: JSON.stringify(chats),
        since: query.since ?? 0,
        until: query.until ?? Number.MAX_SAFE_INTEGER,
        sender: query.sender ?? null,
        limit,
      }) as HitRow[];
    return rows.map((r) => ({
      chatId: r.chat_id,
      id: r.id,
      ts: r.ts,
      sender: r.sender_name,
      fromAssistant: r.from_assistant === 1,
      snippet: r.snippet,
    }));
  }
}

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A `since`/`until` text as epoch ms (pure): a date alone means that whole day (UTC), so
 * `until: 2026-05-01` includes the first of May. Throws a message saying what to write instead.
 */
export function parseBound(text: string, edge: 'since' | 'until'): number {
  const ms = Date.parse(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms)) {
    throw new RangeError(
      `${edge} "${text}" is not a date: use YYYY-MM-DD or an ISO time like 2026-05-01T09:00:00Z`,
    );
  }
  return edge === 'until' && DATE_ONLY.test(text) ? ms + DAY_MS : ms;
}
