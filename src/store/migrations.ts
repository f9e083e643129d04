/**
 * Numbered schema migrations; index + 1 is the version. Append only: never edit a shipped one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: groups (one per registered chat) and their Claude sessions.
  `
  CREATE TABLE groups (
    folder            TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    is_main           INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    -- The chat this group answers (e.g. web:main, tg:-100123); NULL until bound.
    chat_id           TEXT UNIQUE,
    -- Per-group trigger override; NULL means @<ASSISTANT_NAME>.
    trigger_word      TEXT,
    requires_trigger  INTEGER NOT NULL DEFAULT 1
  );
  CREATE UNIQUE INDEX groups_one_main ON groups(is_main) WHERE is_main = 1;
  CREATE TABLE sessions (
    group_folder      TEXT PRIMARY KEY REFERENCES groups(folder) ON DELETE CASCADE,
    session_id        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
  );
  `,
  // 2: conversations. Timestamps are epoch milliseconds; a cursor is a (ts, id) pair so two
  // messages in the same millisecond are never skipped.
  `
  CREATE TABLE chats (
    chat_id           TEXT PRIMARY KEY,
    channel           TEXT NOT NULL,
    name              TEXT NOT NULL,
    last_message_ts   INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE messages (
    chat_id           TEXT NOT NULL REFERENCES chats(chat_id) ON DELETE CASCADE,
    id                TEXT NOT NULL,
    ts                INTEGER NOT NULL,
    sender_id         TEXT NOT NULL,
    sender_name       TEXT NOT NULL,
    content           TEXT NOT NULL,
    from_assistant    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (chat_id, id)
  );
  CREATE INDEX messages_by_time ON messages(chat_id, ts, id);
  CREATE TABLE cursors (
    chat_id           TEXT PRIMARY KEY REFERENCES chats(chat_id) ON DELETE CASCADE,
    ts                INTEGER NOT NULL,
    id                TEXT NOT NULL
  );
  CREATE TABLE outbox (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id           TEXT NOT NULL,
    message_id        TEXT NOT NULL,
    text              TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER NOT NULL,
    delivered_at      INTEGER,
    last_error        TEXT
  );
  CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE delivered_at IS NULL;
  `,
];
