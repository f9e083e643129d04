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
  // 3: scheduled tasks and their runs. UNIQUE(task_id, scheduled_for) makes a second claim of
  // the same occurrence impossible.
  `
  CREATE TABLE tasks (
    id                TEXT PRIMARY KEY,
    group_folder      TEXT NOT NULL,
    prompt            TEXT NOT NULL,
    schedule_type     TEXT NOT NULL CHECK (schedule_type IN ('cron', 'interval', 'once')),
    schedule_value    TEXT NOT NULL,
    context_mode      TEXT NOT NULL DEFAULT 'isolated' CHECK (context_mode IN ('isolated', 'group')),
    script            TEXT,
    missed_policy     TEXT NOT NULL DEFAULT 'run-once' CHECK (missed_policy IN ('run-once', 'skip')),
    status            TEXT NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'paused', 'completed', 'cancelled')),
    next_run          INTEGER,
    paused_reason     TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
  );
  CREATE INDEX tasks_due ON tasks(next_run) WHERE status = 'active';
  CREATE INDEX tasks_group ON tasks(group_folder);
  CREATE TABLE task_runs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id           TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    scheduled_for     INTEGER NOT NULL,
    started_at        INTEGER NOT NULL,
    finished_at       INTEGER,
    duration_ms       INTEGER,
    status            TEXT NOT NULL CHECK (status IN ('running', 'success', 'error', 'skipped')),
    result            TEXT,
    error             TEXT,
    UNIQUE (task_id, scheduled_for)
  );
  `,
  // 4: extra mounts requested per group; each is re-checked against the allowlist at every run.
  `
  CREATE TABLE group_mounts (
    group_folder      TEXT NOT NULL REFERENCES groups(folder) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    host_path         TEXT NOT NULL,
    read_write        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_folder, name)
  );
  `,
  // 5: the audit trail: sandbox runs, host API calls, egress decisions.
  `
  CREATE TABLE audit (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    ts                INTEGER NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('sandbox', 'host_api', 'egress')),
    group_folder      TEXT NOT NULL,
    run_id            TEXT,
    action            TEXT NOT NULL,
    decision          TEXT NOT NULL,
    detail            TEXT
  );
  CREATE INDEX audit_by_group ON audit(group_folder, ts);
  `,
  // 6: sender policies per chat, and whether a stored message may wake the agent.
  `
  ALTER TABLE groups ADD COLUMN sender_policy TEXT;
  ALTER TABLE messages ADD COLUMN may_trigger INTEGER NOT NULL DEFAULT 1;
  `,
  // 7: per-group egress policy (NULL: the default, any public address).
  `
  ALTER TABLE groups ADD COLUMN egress_policy TEXT;
  `,
  // 8: the channel model. A group may be reached from several chats (groups.chat_id stays its
  // home chat, where scheduled output goes); chats seen by a channel are kept for discovery
  // with their kind; a message may be addressed to the bot by the platform (a mention or a
  // reply) and carry saved attachments; an outbox item may carry a file; one-time pairing codes
  // and the owner's sender ids they bound.
  `
  CREATE TABLE group_chats (
    chat_id           TEXT PRIMARY KEY,
    group_folder      TEXT NOT NULL REFERENCES groups(folder) ON DELETE CASCADE,
    added_at          TEXT NOT NULL
  );
  CREATE INDEX group_chats_by_group ON group_chats(group_folder);
  INSERT INTO group_chats (chat_id, group_folder, added_at)
    SELECT chat_id, folder, created_at FROM groups WHERE chat_id IS NOT NULL;
  ALTER TABLE chats ADD COLUMN kind TEXT NOT NULL DEFAULT 'group' CHECK (kind IN ('dm', 'group'));
  ALTER TABLE chats ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE messages ADD COLUMN addressed INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE messages ADD COLUMN attachments TEXT;
  ALTER TABLE outbox ADD COLUMN file_name TEXT;
  ALTER TABLE outbox ADD COLUMN file_mime TEXT;
  ALTER TABLE outbox ADD COLUMN file_bytes BLOB;
  CREATE TABLE pairing_codes (
    code_hash         TEXT PRIMARY KEY,
    channel           TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    used_at           INTEGER,
    used_by_chat      TEXT
  );
  CREATE TABLE owners (
    sender_id         TEXT PRIMARY KEY,
    chat_id           TEXT NOT NULL,
    paired_at         INTEGER NOT NULL
  );
  `, // 9: an outbox item remembers the inbound message it answers, so a channel that threads
  // (Slack threads, email References) can reply in the right place, also after a restart.
  `
  ALTER TABLE outbox ADD COLUMN reply_to TEXT;
  `,
  // 10: full-text search over the conversation history (search_messages). An external-content
  // FTS5 index over messages, kept in step by triggers, and filled once from the rows there.
  // (It is keyed by the messages' rowid: after a VACUUM, run INSERT ... VALUES('rebuild').)
  `
  CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, sender_name, content = 'messages', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content, sender_name)
      VALUES (new.rowid, new.content, new.sender_name);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content, sender_name)
      VALUES ('delete', old.rowid, old.content, old.sender_name);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, sender_name ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content, sender_name)
      VALUES ('delete', old.rowid, old.content, old.sender_name);
    INSERT INTO messages_fts (rowid, content, sender_name)
      VALUES (new.rowid, new.content, new.sender_name);
  END;
  INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
  `,
  // 11: usage and budgets. Every model response's tokens as the gateway saw them (cost at the
  // price of that day; NULL when the model has no price), the SDK's own figures per run beside
  // them, budgets per group ('*' for all groups), the budget notices already sent (told once),
  // and the model chosen per group or task.
  `
  CREATE TABLE model_usage (
    id                INTEGER PRIMARY KEY,
    ts                INTEGER NOT NULL,
    group_folder      TEXT NOT NULL,
    run_id            TEXT NOT NULL,
    task_id           TEXT,
    chat_id           TEXT,
    channel           TEXT,
    model             TEXT NOT NULL,
    input_tokens      INTEGER NOT NULL DEFAULT 0,
    output_tokens     INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd          REAL
  );
  CREATE INDEX model_usage_by_ts ON model_usage(ts);
  CREATE INDEX model_usage_by_group ON model_usage(group_folder, ts);
  CREATE INDEX model_usage_by_task ON model_usage(task_id) WHERE task_id IS NOT NULL;
  -- Running totals per group ('*': all groups) and UTC day or month, kept with each row, so a
  -- budget check before every model request is one lookup however much was recorded.
  CREATE TABLE usage_totals (
    scope             TEXT NOT NULL,
    period            TEXT NOT NULL CHECK (period IN ('daily', 'monthly')),
    start             INTEGER NOT NULL,
    tokens            INTEGER NOT NULL DEFAULT 0,
    usd               REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, period, start)
  );
  CREATE TABLE run_usage (
    run_id            TEXT PRIMARY KEY,
    ts                INTEGER NOT NULL,
    group_folder      TEXT NOT NULL,
    task_id           TEXT,
    sdk_cost_usd      REAL,
    sdk_models        TEXT NOT NULL
  );
  CREATE TABLE budgets (
    scope             TEXT NOT NULL,
    period            TEXT NOT NULL CHECK (period IN ('daily', 'monthly')),
    unit              TEXT NOT NULL CHECK (unit IN ('usd', 'tokens')),
    amount            REAL NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (scope, period, unit)
  );
  CREATE TABLE budget_notices (
    key               TEXT PRIMARY KEY,
    at                INTEGER NOT NULL
  );
  CREATE TABLE model_settings (
    kind              TEXT NOT NULL CHECK (kind IN ('group', 'task')),
    target            TEXT NOT NULL,
    model             TEXT,
    effort            TEXT,
    PRIMARY KEY (kind, target)
  );
  `,
  // 12: the steps a turn took (tools, team members), kept with the reply that ended it, so the
  // web chat can show "Worked for …" after a reload.
  `
  CREATE TABLE message_steps (
    chat_id           TEXT NOT NULL,
    message_id        TEXT NOT NULL,
    steps             TEXT NOT NULL,
    PRIMARY KEY (chat_id, message_id),
    FOREIGN KEY (chat_id, message_id) REFERENCES messages(chat_id, id) ON DELETE CASCADE
  );
  `,
];
