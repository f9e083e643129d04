/**
 * Numbered schema migrations; index + 1 is the version. Append only: never edit a shipped one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: groups and their Claude sessions.
  `
  CREATE TABLE groups (
    folder            TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    is_main           INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL
  );
  CREATE UNIQUE INDEX groups_one_main ON groups(is_main) WHERE is_main = 1;
  CREATE TABLE sessions (
    group_folder      TEXT PRIMARY KEY REFERENCES groups(folder) ON DELETE CASCADE,
    session_id        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
  );
  `,
];
