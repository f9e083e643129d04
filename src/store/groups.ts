/**
 * Groups: one per registered chat. The folder name is the group's identity on disk and in
 * sandboxes, so it is validated here and again wherever a path is built from it.
 */
import { UserError } from '../errors.js';
import { parseEgressPolicy } from '../security/egress.js';
import { parseSenderPolicy } from '../security/senders.js';
import type { EgressPolicy, SenderPolicy } from '../shared/policies.js';
import type { Db } from './db.js';

export const FOLDER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const RESERVED_FOLDERS = new Set(['global']);
/** The main group's folder: no other group may take it, in any case, even before main exists. */
export const MAIN_FOLDER = 'main';

export interface Group {
  folder: string;
  name: string;
  isMain: boolean;
  createdAt: string;
  /** The chat this group answers; undefined until bound. */
  chatId: string | undefined;
  /** Per-group trigger override (e.g. `@Bob`); undefined means `@<ASSISTANT_NAME>`. */
  trigger: string | undefined;
  /** Main always answers; others answer only messages that start with the trigger, if set. */
  requiresTrigger: boolean;
  /** Who may wake the agent in this chat. */
  senderPolicy: SenderPolicy;
  /** Where its sandbox may connect through the gateway's egress proxy. */
  egressPolicy: EgressPolicy;
}

export interface NewGroup {
  folder: string;
  name: string;
  isMain: boolean;
  chatId?: string;
  trigger?: string;
  requiresTrigger?: boolean;
}

interface GroupRow {
  folder: string;
  name: string;
  is_main: number;
  created_at: string;
  chat_id: string | null;
  trigger_word: string | null;
  requires_trigger: number;
  sender_policy: string | null;
  egress_policy: string | null;
}

/**
 * The identity of a folder name on every disk: macOS's default file system ignores case and
 * treats Unicode-equivalent spellings as one name, so `MAIN`, `Main` and `main` are one folder.
 */
export function folderKey(folder: string): string {
  return folder.normalize('NFKC').toLowerCase().normalize('NFKC');
}

export function sameFolderMessage(folder: string, existing: string): string {
  return folder === existing
    ? `Group "${folder}" already exists.`
    : `Group folder "${folder}" is the same folder as the existing group "${existing}" on ` +
        'case-insensitive disks (macOS): folder names differ by more than case. Choose another name.';
}

export function validateFolder(folder: string): string {
  if (!FOLDER_PATTERN.test(folder) || RESERVED_FOLDERS.has(folderKey(folder))) {
    throw new UserError(
      `Invalid group folder "${folder}": use 1-64 letters, digits, "_" or "-", starting with a ` +
        `letter or digit (and not "global" in any case).`,
    );
  }
  return folder;
}

function toGroup(row: GroupRow): Group {
  return {
    folder: row.folder,
    name: row.name,
    isMain: row.is_main === 1,
    createdAt: row.created_at,
    chatId: row.chat_id ?? undefined,
    trigger: row.trigger_word ?? undefined,
    requiresTrigger: row.requires_trigger === 1,
    senderPolicy: parseSenderPolicy(row.sender_policy),
    egressPolicy: parseEgressPolicy(row.egress_policy),
  };
}

export class GroupStore {
  constructor(private readonly db: Db) {}

  get(folder: string): Group | undefined {
    const row = this.db.prepare('SELECT * FROM groups WHERE folder = ?').get(folder) as
      GroupRow | undefined;
    return row && toGroup(row);
  }

  list(): Group[] {
    const rows = this.db.prepare('SELECT * FROM groups ORDER BY created_at, folder').all();
    return (rows as GroupRow[]).map(toGroup);
  }

  /** The group a chat belongs to (its home chat or any other chat added to it). */
  getByChat(chatId: string): Group | undefined {
    const row = this.db
      .prepare(
        `SELECT g.* FROM groups g JOIN group_chats c ON c.group_folder = g.folder
         WHERE c.chat_id = ?`,
      )
      .get(chatId) as GroupRow | undefined;
    return row && toGroup(row);
  }

  /** Every chat of a group, the home chat first. */
  chats(folder: string): string[] {
    const rows = this.db
      .prepare(
        `SELECT c.chat_id AS chatId FROM group_chats c JOIN groups g ON g.folder = c.group_folder
         WHERE c.group_folder = ? ORDER BY c.chat_id = g.chat_id DESC, c.added_at, c.chat_id`,
      )
      .all(folder) as { chatId: string }[];
    return rows.map((r) => r.chatId);
  }

  /** The group whose folder is this one on a case-insensitive disk (the same name included). */
  findSameFolder(folder: string): Group | undefined {
    const key = folderKey(folder);
    return this.get(folder) ?? this.list().find((g) => folderKey(g.folder) === key);
  }

  main(): Group | undefined {
    const row = this.db.prepare('SELECT * FROM groups WHERE is_main = 1').get() as
      GroupRow | undefined;
    return row && toGroup(row);
  }

  /**
   * Inserts a group; an existing folder is left unchanged and returned. A folder that is an
   * existing one on a case-insensitive disk is refused (old data with such pairs keeps working).
   */
  ensure(input: NewGroup, now: Date): Group {
    validateFolder(input.folder);
    const same = this.findSameFolder(input.folder);
    if (same && same.folder !== input.folder)
      throw new UserError(sameFolderMessage(input.folder, same.folder));
    this.db
      .prepare(
        `INSERT INTO groups
           (folder, name, is_main, created_at, chat_id, trigger_word, requires_trigger)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(folder) DO NOTHING`,
      )
      .run(
        input.folder,
        input.name,
        input.isMain ? 1 : 0,
        now.toISOString(),
        input.chatId ?? null,
        input.trigger ?? null,
        input.requiresTrigger === false ? 0 : 1,
      );
    if (input.chatId) this.addChat(input.folder, input.chatId, now);
    const group = this.get(input.folder);
    if (!group) throw new Error(`group ${input.folder} vanished after insert`);
    return group;
  }

  setSenderPolicy(folder: string, policy: SenderPolicy): void {
    this.db
      .prepare('UPDATE groups SET sender_policy = ? WHERE folder = ?')
      .run(JSON.stringify(policy), folder);
  }

  setEgressPolicy(folder: string, policy: EgressPolicy): void {
    this.db
      .prepare('UPDATE groups SET egress_policy = ? WHERE folder = ?')
      .run(JSON.stringify(policy), folder);
  }

  /**
   * Adds a chat to a group (its home chat too when it has none). A chat belongs to one group:
   * adding one that another group has is refused.
   */
  addChat(folder: string, chatId: string, now: Date): void {
    this.db.transaction(() => {
      const holder = this.getByChat(chatId);
      if (holder && holder.folder !== folder) {
        throw new UserError(`Chat ${chatId} already belongs to group "${holder.folder}".`);
      }
      this.db
        .prepare(
          `INSERT INTO group_chats (chat_id, group_folder, added_at) VALUES (?, ?, ?)
           ON CONFLICT(chat_id) DO NOTHING`,
        )
        .run(chatId, folder, now.toISOString());
      this.db
        .prepare('UPDATE groups SET chat_id = ? WHERE folder = ? AND chat_id IS NULL')
        .run(chatId, folder);
    })();
  }

  /** Removes a chat from its group; the home chat moves to another chat of the group, if any. */
  removeChat(folder: string, chatId: string): boolean {
    return this.db.transaction(() => {
      const removed = this.db
        .prepare('DELETE FROM group_chats WHERE chat_id = ? AND group_folder = ?')
        .run(chatId, folder).changes;
      const next = this.chats(folder)[0] ?? null;
      this.db
        .prepare('UPDATE groups SET chat_id = ? WHERE folder = ? AND chat_id = ?')
        .run(next, folder, chatId);
      return removed > 0;
    })();
  }

  /** Where scheduled output and failure notices go (must be one of the group's chats). */
  setHomeChat(folder: string, chatId: string): void {
    if (!this.chats(folder).includes(chatId)) {
      throw new UserError(`Chat ${chatId} is not a chat of group "${folder}".`);
    }
    this.db.prepare('UPDATE groups SET chat_id = ? WHERE folder = ?').run(chatId, folder);
  }

  /** Removes a group (its session row goes with it); returns whether it existed. */
  remove(folder: string): boolean {
    return this.db.prepare('DELETE FROM groups WHERE folder = ?').run(folder).changes > 0;
  }
}

export class SessionStore {
  constructor(private readonly db: Db) {}

  get(folder: string): string | undefined {
    const row = this.db
      .prepare('SELECT session_id FROM sessions WHERE group_folder = ?')
      .get(folder) as { session_id: string } | undefined;
    return row?.session_id;
  }

  set(folder: string, sessionId: string, now: Date): void {
    this.db
      .prepare(
        `INSERT INTO sessions (group_folder, session_id, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(group_folder) DO UPDATE SET session_id = excluded.session_id,
           updated_at = excluded.updated_at`,
      )
      .run(folder, sessionId, now.toISOString());
  }

  clear(folder: string): void {
    this.db.prepare('DELETE FROM sessions WHERE group_folder = ?').run(folder);
  }
}
