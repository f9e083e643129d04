/**
 * Read-only queries for the operator's tools (`nanoclaw status`, `nanoclaw why`): facts the
 * message path writes (messages, cursors, outbox, audit) read back across tables. Nothing here
 * writes, so it also works on a database opened read-only while the host is down.
 */
import { z } from 'zod';
import type { Db } from './db.js';
import type { Cursor } from './messages.js';

export interface OutboxFacts {
  seq: number;
  messageId: string;
  text: string;
  createdAt: number;
  attempts: number;
  deliveredAt: number | undefined;
  nextAttemptAt: number;
  lastError: string | undefined;
  replyTo: string | undefined;
}

export interface MessageFacts {
  chatId: string;
  id: string;
  ts: number;
  senderId: string;
  senderName: string;
  content: string;
  mayTrigger: boolean;
  addressed: boolean;
}

/** What a conversation run was handed (audit `sandbox`/`turn`, written by conversations). */
export const TurnDetailSchema = z.object({
  chatId: z.string(),
  from: z.object({ ts: z.number(), id: z.string() }),
  through: z.object({ ts: z.number(), id: z.string() }),
  messages: z.number().int(),
});
export type TurnDetail = z.infer<typeof TurnDetailSchema>;

export interface RunFacts {
  runId: string;
  ts: number;
  action: string;
  decision: string;
  detail: Record<string, unknown>;
}

interface OutboxRow {
  seq: number;
  message_id: string;
  text: string;
  created_at: number;
  attempts: number;
  delivered_at: number | null;
  next_attempt_at: number;
  last_error: string | null;
  reply_to: string | null;
}

const toOutbox = (r: OutboxRow): OutboxFacts => ({
  seq: r.seq,
  messageId: r.message_id,
  text: r.text,
  createdAt: r.created_at,
  attempts: r.attempts,
  deliveredAt: r.delivered_at ?? undefined,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error ?? undefined,
  replyTo: r.reply_to ?? undefined,
});

const MESSAGE_COLUMNS = `chat_id AS chatId, id, ts, sender_id AS senderId,
  sender_name AS senderName, content, may_trigger AS mayTrigger, addressed`;

type MessageRow = Omit<MessageFacts, 'mayTrigger' | 'addressed'> & {
  mayTrigger: number;
  addressed: number;
};
const toMessage = (r: MessageRow): MessageFacts => ({
  ...r,
  mayTrigger: r.mayTrigger === 1,
  addressed: r.addressed === 1,
});

const DetailSchema = z.record(z.string(), z.unknown());
function detailOf(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const parsed = DetailSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {}; // not JSON: not written by this store
  }
}

export class StoreInspector {
  constructor(private readonly db: Db) {}

  /** Inbound messages with this id (ids are unique per chat), newest first. */
  inbound(id: string): MessageFacts[] {
    const rows = this.db
      .prepare(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ? AND from_assistant = 0
         ORDER BY ts DESC`,
      )
      .all(id) as MessageRow[];
    return rows.map(toMessage);
  }

  /** The newest inbound message of all chats. */
  lastInbound(): MessageFacts | undefined {
    const row = this.db
      .prepare(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE from_assistant = 0
         ORDER BY ts DESC, id DESC LIMIT 1`,
      )
      .get() as MessageRow | undefined;
    return row && toMessage(row);
  }

  /** Conversation turns in a chat whose batch holds (ts, id), oldest first. */
  turnsCovering(
    chatId: string,
    at: Cursor,
    group: string,
  ): (TurnDetail & { runId: string; decision: string })[] {
    const rows = this.db
      .prepare(
        `SELECT run_id, decision, detail FROM audit WHERE kind = 'sandbox' AND action = 'turn'
         AND group_folder = ? AND run_id IS NOT NULL ORDER BY id`,
      )
      .all(group) as { run_id: string; decision: string; detail: string | null }[];
    const after = (a: Cursor, b: Cursor) => a.ts > b.ts || (a.ts === b.ts && a.id >= b.id);
    return rows.flatMap((r) => {
      const parsed = TurnDetailSchema.safeParse(detailOf(r.detail));
      if (!parsed.success || parsed.data.chatId !== chatId) return [];
      const t = parsed.data;
      return after(at, t.from) && after(t.through, at)
        ? [{ ...t, runId: r.run_id, decision: r.decision }]
        : [];
    });
  }

  /** How a sandbox run ended (its `<runtime> run` audit record), if it has ended. */
  runEnd(runId: string): RunFacts | undefined {
    const row = this.db
      .prepare(
        `SELECT run_id, ts, action, decision, detail FROM audit
         WHERE kind = 'sandbox' AND run_id = ? AND action != 'turn' ORDER BY id DESC LIMIT 1`,
      )
      .get(runId) as
      | { run_id: string; ts: number; action: string; decision: string; detail: string | null }
      | undefined;
    return (
      row && {
        runId: row.run_id,
        ts: row.ts,
        action: row.action,
        decision: row.decision,
        detail: detailOf(row.detail),
      }
    );
  }

  /** The group's newest ended sandbox run. */
  lastRun(group: string): RunFacts | undefined {
    const row = this.db
      .prepare(
        `SELECT run_id FROM audit WHERE kind = 'sandbox' AND group_folder = ?
         AND action != 'turn' AND run_id IS NOT NULL ORDER BY id DESC LIMIT 1`,
      )
      .get(group) as { run_id: string } | undefined;
    return row && this.runEnd(row.run_id);
  }

  /**
   * The first reply in a chat that answers a batch holding (ts, id): replies name the newest
   * message of the batch they answer (outbox.reply_to), so it is the first at or after it.
   */
  replyCovering(chatId: string, at: Cursor): OutboxFacts | undefined {
    const row = this.db
      .prepare(
        `SELECT o.* FROM outbox o JOIN messages m ON m.chat_id = o.chat_id AND m.id = o.reply_to
         WHERE o.chat_id = @chatId AND (m.ts > @ts OR (m.ts = @ts AND m.id >= @id))
         ORDER BY m.ts, m.id, o.seq LIMIT 1`,
      )
      .get({ chatId, ts: at.ts, id: at.id }) as OutboxRow | undefined;
    return row && toOutbox(row);
  }

  /** Every reply not yet delivered, oldest first. */
  undelivered(): (OutboxFacts & { chatId: string })[] {
    const rows = this.db
      .prepare('SELECT * FROM outbox WHERE delivered_at IS NULL ORDER BY seq')
      .all() as (OutboxRow & { chat_id: string })[];
    return rows.map((r) => ({ ...toOutbox(r), chatId: r.chat_id }));
  }

  /** The newest message (either side) of each of these chats. */
  lastActivity(chatIds: readonly string[]): number | undefined {
    if (chatIds.length === 0) return undefined;
    const row = this.db
      .prepare(
        `SELECT max(last_message_ts) AS at FROM chats
         WHERE chat_id IN (${chatIds.map(() => '?').join(',')})`,
      )
      .get(...chatIds) as { at: number | null };
    return row.at || undefined;
  }
}
