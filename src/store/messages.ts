/**
 * Chats, messages, per-chat cursors and the durable outbox. Inbound messages are stored before
 * they are acknowledged; a chat's cursor moves past messages only in the same transaction that
 * puts their reply in the outbox, so a crash means a retry, never a loss.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db } from './db.js';

export interface StoredMessage {
  chatId: string;
  id: string;
  ts: number;
  senderId: string;
  senderName: string;
  content: string;
  fromAssistant: boolean;
  /** False for a sender the chat's policy keeps as context only. */
  mayTrigger?: boolean;
  /** The platform addressed it to the bot (a mention or a reply to the bot's message). */
  addressed?: boolean;
  /** Files saved into the group's inbox for this message. */
  attachments?: SavedAttachment[];
}

/**
 * An inbound file as saved by the host (the path is the one the agent sees). A file that could
 * not be saved has an empty path and a `note` saying why, for the agent.
 */
export interface SavedAttachment {
  kind: string;
  path: string;
  mime: string;
  size: number;
  name: string;
  note?: string;
}

/** A chat a channel has seen, and which group (if any) it belongs to. */
export interface ChatInfo {
  chatId: string;
  channel: string;
  name: string;
  kind: 'dm' | 'group';
  lastMessageTs: number;
  seenAt: number;
  group: string | undefined;
}

/** A file attached to an outgoing message (read by the host when it was queued). */
export interface OutboxFile {
  name: string;
  mime: string;
  bytes: Buffer;
}

export interface Cursor {
  ts: number;
  id: string;
}

export interface OutboxItem {
  seq: number;
  chatId: string;
  messageId: string;
  text: string;
  attempts: number;
  file?: OutboxFile;
  /** The platform id of the inbound message this answers (threading channels reply to it). */
  replyTo?: string;
}

/** The chat-history view of an outbox item just enqueued (for live updates). */
export function outboxMessage(item: OutboxItem, senderName: string, ts: number): StoredMessage {
  return {
    chatId: item.chatId,
    id: item.messageId,
    ts,
    senderId: 'assistant',
    senderName,
    content: item.text,
    fromAssistant: true,
    ...(item.file ? { attachments: [sentFile(item.file)] } : {}),
  };
}

/** How a file sent with an assistant message shows in the chat history (not kept there). */
function sentFile(file: OutboxFile): SavedAttachment {
  return { kind: 'document', path: '', mime: file.mime, size: file.bytes.length, name: file.name };
}

interface MessageRow {
  chat_id: string;
  id: string;
  ts: number;
  sender_id: string;
  sender_name: string;
  content: string;
  from_assistant: number;
  may_trigger: number;
  addressed: number;
  attachments: string | null;
}

const toMessage = (r: MessageRow): StoredMessage => ({
  chatId: r.chat_id,
  id: r.id,
  ts: r.ts,
  senderId: r.sender_id,
  senderName: r.sender_name,
  content: r.content,
  fromAssistant: r.from_assistant === 1,
  mayTrigger: r.may_trigger === 1,
  addressed: r.addressed === 1,
  ...(r.attachments ? { attachments: parseAttachments(r.attachments) } : {}),
});

const SavedAttachmentsSchema = z.array(
  z.object({
    kind: z.string(),
    path: z.string(),
    mime: z.string(),
    size: z.number(),
    name: z.string(),
    note: z.string().optional(),
  }),
);

/** The JSON column, parsed with its schema; a corrupt value drops the list, not the message. */
function parseAttachments(json: string): SavedAttachment[] {
  try {
    const parsed = SavedAttachmentsSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : [];
  } catch {
    return []; // not JSON: written by something other than this store
  }
}

interface ChatRow {
  chat_id: string;
  channel: string;
  name: string;
  kind: 'dm' | 'group';
  last_message_ts: number;
  seen_at: number;
  group_folder: string | null;
}

const toChat = (r: ChatRow): ChatInfo => ({
  chatId: r.chat_id,
  channel: r.channel,
  name: r.name,
  kind: r.kind,
  lastMessageTs: r.last_message_ts,
  seenAt: r.seen_at,
  group: r.group_folder ?? undefined,
});

/** Strictly-after comparison on (ts, id), the only ordering the store uses. */
const AFTER = '(ts > @ts OR (ts = @ts AND id > @id))';

export class MessageStore {
  /** Orders this process's assistant messages of the same millisecond (ids sort as text). */
  private enqueued = 0;

  constructor(private readonly db: Db) {}

  /** Records a chat (or its new name); `seen` also records its kind and when it was seen. */
  upsertChat(
    chatId: string,
    channel: string,
    name: string,
    seen?: { kind: 'dm' | 'group'; at: number },
  ): void {
    this.db
      .prepare(
        `INSERT INTO chats (chat_id, channel, name, kind, seen_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(chat_id) DO UPDATE SET name = excluded.name,
           kind = CASE WHEN @seen THEN excluded.kind ELSE kind END,
           seen_at = max(seen_at, excluded.seen_at)`,
      )
      .run(chatId, channel, name, seen?.kind ?? 'group', seen?.at ?? 0, { seen: seen ? 1 : 0 });
  }

  /** Every known chat with its group; `unregistered` keeps only chats no group has. */
  chats(options: { unregistered?: boolean } = {}): ChatInfo[] {
    const where = options.unregistered ? 'WHERE gc.group_folder IS NULL' : '';
    const rows = this.db
      .prepare(
        `SELECT c.*, gc.group_folder FROM chats c
         LEFT JOIN group_chats gc ON gc.chat_id = c.chat_id ${where}
         ORDER BY max(c.seen_at, c.last_message_ts) DESC, c.chat_id`,
      )
      .all() as ChatRow[];
    return rows.map(toChat);
  }

  chat(chatId: string): ChatInfo | undefined {
    const row = this.db
      .prepare(
        `SELECT c.*, gc.group_folder FROM chats c
         LEFT JOIN group_chats gc ON gc.chat_id = c.chat_id WHERE c.chat_id = ?`,
      )
      .get(chatId) as ChatRow | undefined;
    return row && toChat(row);
  }

  chatExists(chatId: string): boolean {
    return this.db.prepare('SELECT 1 FROM chats WHERE chat_id = ?').get(chatId) !== undefined;
  }

  /** Whether (chat, id) is stored already: a re-delivery, whose files were saved before. */
  has(chatId: string, id: string): boolean {
    const row = this.db.prepare('SELECT 1 FROM messages WHERE chat_id = ? AND id = ?');
    return row.get(chatId, id) !== undefined;
  }

  /** Stores a message; returns false when (chat, id) was already stored (a re-delivery). */
  insert(message: StoredMessage): boolean {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO messages
           (chat_id, id, ts, sender_id, sender_name, content, from_assistant, may_trigger,
            addressed, attachments)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        message.chatId,
        message.id,
        message.ts,
        message.senderId,
        message.senderName,
        message.content,
        message.fromAssistant ? 1 : 0,
        message.mayTrigger === false ? 0 : 1,
        message.addressed ? 1 : 0,
        message.attachments?.length ? JSON.stringify(message.attachments) : null,
      );
    if (result.changes > 0) {
      this.db
        .prepare('UPDATE chats SET last_message_ts = max(last_message_ts, ?) WHERE chat_id = ?')
        .run(message.ts, message.chatId);
    }
    return result.changes > 0;
  }

  /** One stored message of a chat, or undefined. */
  message(chatId: string, id: string): StoredMessage | undefined {
    const row = this.db.prepare('SELECT * FROM messages WHERE chat_id = ? AND id = ?');
    const found = row.get(chatId, id) as MessageRow | undefined;
    return found && toMessage(found);
  }

  /** The file an assistant message was sent with: its outbox item keeps the bytes. */
  sentFile(chatId: string, messageId: string): OutboxFile | undefined {
    const row = this.db
      .prepare(
        `SELECT file_name AS name, file_mime AS mime, file_bytes AS bytes FROM outbox
         WHERE chat_id = ? AND message_id = ? AND file_bytes IS NOT NULL`,
      )
      .get(chatId, messageId) as OutboxFile | undefined;
    return row;
  }

  /** The newest `limit` messages (both sides) before an optional cursor, oldest first. */
  history(chatId: string, limit: number, before?: Cursor): StoredMessage[] {
    const where = before ? 'AND (ts < @ts OR (ts = @ts AND id < @id))' : '';
    const rows = this.db
      .prepare(
        `SELECT * FROM messages WHERE chat_id = @chatId ${where}
         ORDER BY ts DESC, id DESC LIMIT @limit`,
      )
      .all({ chatId, limit, ts: before?.ts ?? 0, id: before?.id ?? '' }) as MessageRow[];
    return rows.reverse().map(toMessage);
  }

  /** Messages from people (not the assistant) after a cursor, oldest first. */
  inboundAfter(chatId: string, cursor: Cursor | undefined, limit: number): StoredMessage[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM messages WHERE chat_id = @chatId AND from_assistant = 0 AND ${AFTER}
         ORDER BY ts, id LIMIT @limit`,
      )
      .all({ chatId, limit, ts: cursor?.ts ?? -1, id: cursor?.id ?? '' }) as MessageRow[];
    return rows.map(toMessage);
  }

  cursor(chatId: string): Cursor | undefined {
    const row = this.db.prepare('SELECT ts, id FROM cursors WHERE chat_id = ?').get(chatId) as
      Cursor | undefined;
    return row && { ts: row.ts, id: row.id };
  }

  /** Chats with inbound messages past their cursor (to resume after a restart). */
  chatsWithUnanswered(): string[] {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT m.chat_id AS chatId FROM messages m
         LEFT JOIN cursors c ON c.chat_id = m.chat_id
         WHERE m.from_assistant = 0
           AND (c.chat_id IS NULL OR m.ts > c.ts OR (m.ts = c.ts AND m.id > c.id))`,
      )
      .all() as { chatId: string }[];
    return rows.map((r) => r.chatId);
  }

  /**
   * In one transaction: stores the assistant's reply (when there is one) as a chat message and
   * an outbox item, and moves the chat's cursor to `through`. Returns the outbox item, if any.
   * `reply.ts` dates the chat message (default `now`, which also dates the outbox item).
   */
  commitReply(
    chatId: string,
    through: Cursor,
    reply: { text: string; senderName: string; ts?: number } | undefined,
    now: number,
  ) {
    return this.db.transaction((): OutboxItem | undefined => {
      this.db
        .prepare(
          `INSERT INTO cursors (chat_id, ts, id) VALUES (?, ?, ?)
           ON CONFLICT(chat_id) DO UPDATE SET ts = excluded.ts, id = excluded.id`,
        )
        .run(chatId, through.ts, through.id);
      return (
        reply &&
        this.enqueue(chatId, reply.text, reply.senderName, now, {
          ts: reply.ts ?? now,
          replyTo: through.id,
        })
      );
    })();
  }

  /** Puts an assistant message in the chat history and the outbox (no cursor change). */
  enqueue(
    chatId: string,
    text: string,
    senderName: string,
    now: number,
    extra: { ts?: number; file?: OutboxFile; replyTo?: string } = {},
  ): OutboxItem {
    const { ts = now, file, replyTo } = extra;
    return this.db.transaction((): OutboxItem => {
      const order = String(++this.enqueued % 1e9).padStart(9, '0');
      const messageId = `a-${now}-${order}-${crypto.randomBytes(3).toString('hex')}`;
      this.insert({
        chatId,
        id: messageId,
        ts,
        senderId: 'assistant',
        senderName,
        content: text,
        fromAssistant: true,
        ...(file ? { attachments: [sentFile(file)] } : {}),
      });
      const info = this.db
        .prepare(
          `INSERT INTO outbox (chat_id, message_id, text, created_at, next_attempt_at,
             file_name, file_mime, file_bytes, reply_to)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          chatId,
          messageId,
          text,
          now,
          now,
          file?.name ?? null,
          file?.mime ?? null,
          file?.bytes ?? null,
          replyTo ?? null,
        );
      const seq = Number(info.lastInsertRowid);
      return {
        seq,
        chatId,
        messageId,
        text,
        attempts: 0,
        ...(file ? { file } : {}),
        ...(replyTo ? { replyTo } : {}),
      };
    })();
  }

  /**
   * The oldest undelivered item of each chat, when it is due at `now`. Later items of a chat
   * wait for the earlier ones, so a chat's messages are never delivered out of order.
   */
  dueOutbox(now: number, limit: number): OutboxItem[] {
    const rows = this.db
      .prepare(
        `SELECT seq, chat_id AS chatId, message_id AS messageId, text, attempts,
           file_name AS fileName, file_mime AS fileMime, file_bytes AS fileBytes,
           reply_to AS replyTo FROM outbox o
         WHERE delivered_at IS NULL AND next_attempt_at <= ? AND seq =
           (SELECT min(seq) FROM outbox i WHERE i.chat_id = o.chat_id AND i.delivered_at IS NULL)
         ORDER BY seq LIMIT ?`,
      )
      .all(now, limit) as (Omit<OutboxItem, 'file' | 'replyTo'> & {
      replyTo: string | null;
      fileName: string | null;
      fileMime: string | null;
      fileBytes: Buffer | null;
    })[];
    return rows.map(({ fileName, fileMime, fileBytes, replyTo, ...row }) => {
      const item: OutboxItem = replyTo ? { ...row, replyTo } : row;
      return fileName && fileMime && fileBytes
        ? { ...item, file: { name: fileName, mime: fileMime, bytes: fileBytes } }
        : item;
    });
  }

  /** When the next chat head becomes due, for arming the retry timer. */
  nextOutboxAttempt(): number | undefined {
    const row = this.db
      .prepare(
        `SELECT min(next_attempt_at) AS at FROM outbox o
         WHERE delivered_at IS NULL AND seq =
           (SELECT min(seq) FROM outbox i WHERE i.chat_id = o.chat_id AND i.delivered_at IS NULL)`,
      )
      .get() as { at: number | null };
    return row.at ?? undefined;
  }

  markDelivered(seq: number, now: number): void {
    this.db.prepare('UPDATE outbox SET delivered_at = ? WHERE seq = ?').run(now, seq);
  }

  markFailed(seq: number, error: string, nextAttemptAt: number): void {
    this.db
      .prepare(
        `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
         WHERE seq = ?`,
      )
      .run(error.slice(0, 500), nextAttemptAt, seq);
  }
}
