/**
 * The email channel's own small SQLite file (`$NANOCLAW_HOME/channels/email.db`): how far the
 * INBOX was read (UIDVALIDITY + last UID handled), which mails were taken (by Message-ID, so a
 * recreated mailbox or a copy is not taken twice), what a reply to each needs to thread, and
 * which outbox messages SMTP already accepted (a retry after a crash does not mail them again).
 * The host's store stays the one owner of messages; this holds only the channel's bookkeeping.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ThreadInfo } from './threading.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cursor (
  mailbox TEXT PRIMARY KEY, uid_validity TEXT NOT NULL, last_uid INTEGER NOT NULL, last_ts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS taken (key TEXT PRIMARY KEY, id TEXT NOT NULL, ts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS threads (
  id TEXT PRIMARY KEY, chat_id TEXT NOT NULL, message_id TEXT NOT NULL,
  refs TEXT NOT NULL, subject TEXT NOT NULL, ts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sent (message_id TEXT PRIMARY KEY, at INTEGER NOT NULL);
`;

/** Bookkeeping older than this is dropped at start (a reply to a half-year-old mail no longer threads). */
const KEEP_MS = 180 * 24 * 3600_000;

export interface Cursor {
  uidValidity: string;
  lastUid: number;
  /** Arrival time (INTERNALDATE, ms) of the last mail handled: bounds a re-read. */
  lastTs: number;
}

export class EmailState {
  private readonly db: Database.Database;

  constructor(file: string, now: number = Date.now()) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    fs.chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const old = now - KEEP_MS;
    this.db.prepare('DELETE FROM taken WHERE ts < ?').run(old);
    this.db.prepare('DELETE FROM threads WHERE ts < ?').run(old);
    this.db.prepare('DELETE FROM sent WHERE at < ?').run(old);
  }

  cursor(mailbox: string): Cursor | undefined {
    const row = this.db
      .prepare(
        'SELECT uid_validity AS v, last_uid AS u, last_ts AS t FROM cursor WHERE mailbox = ?',
      )
      .get(mailbox) as { v: string; u: number; t: number } | undefined;
    return row ? { uidValidity: row.v, lastUid: row.u, lastTs: row.t } : undefined;
  }

  setCursor(mailbox: string, cursor: Cursor): void {
    this.db
      .prepare(
        `INSERT INTO cursor (mailbox, uid_validity, last_uid, last_ts) VALUES (?, ?, ?, ?)
         ON CONFLICT(mailbox) DO UPDATE SET uid_validity = excluded.uid_validity,
           last_uid = excluded.last_uid, last_ts = excluded.last_ts`,
      )
      .run(mailbox, cursor.uidValidity, cursor.lastUid, cursor.lastTs);
  }

  isTaken(key: string): boolean {
    return this.db.prepare('SELECT 1 FROM taken WHERE key = ?').get(key) !== undefined;
  }

  /** The mail counts as taken (the cursor moves separately: a re-read skips it by key). */
  take(key: string, id: string, ts: number): void {
    this.db.prepare('INSERT OR IGNORE INTO taken (key, id, ts) VALUES (?, ?, ?)').run(key, id, ts);
  }

  /** Written before the host stores the message, so a reply can never come before its thread. */
  saveThread(id: string, thread: ThreadInfo, ts: number): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO threads (id, chat_id, message_id, refs, subject, ts) VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        thread.chatId,
        thread.messageId,
        JSON.stringify(thread.references),
        thread.subject,
        ts,
      );
  }

  thread(id: string): ThreadInfo | undefined {
    return this.threadRow(
      this.db
        .prepare('SELECT chat_id, message_id, refs, subject FROM threads WHERE id = ?')
        .get(id),
    );
  }

  /** The newest mail of `chatId` that arrived at or after `since` (ms). */
  latestThread(chatId: string, since: number): ThreadInfo | undefined {
    return this.threadRow(
      this.db
        .prepare(
          `SELECT chat_id, message_id, refs, subject FROM threads
           WHERE chat_id = ? AND ts >= ? ORDER BY ts DESC, id DESC LIMIT 1`,
        )
        .get(chatId, since),
    );
  }

  private threadRow(found: unknown): ThreadInfo | undefined {
    const row = found as
      { chat_id: string; message_id: string; refs: string; subject: string } | undefined;
    if (!row) return undefined;
    let references: string[] = [];
    try {
      const parsed: unknown = JSON.parse(row.refs);
      if (Array.isArray(parsed))
        references = parsed.filter((r): r is string => typeof r === 'string');
    } catch {
      references = []; // written by this class as JSON; anything else threads on In-Reply-To alone
    }
    return { chatId: row.chat_id, messageId: row.message_id, references, subject: row.subject };
  }

  wasSent(outboxMessageId: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM sent WHERE message_id = ?').get(outboxMessageId) !== undefined
    );
  }

  markSent(outboxMessageId: string, at: number): void {
    this.db
      .prepare('INSERT OR IGNORE INTO sent (message_id, at) VALUES (?, ?)')
      .run(outboxMessageId, at);
  }

  close(): void {
    this.db.close();
  }
}
