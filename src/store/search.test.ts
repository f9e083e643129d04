/**
 * search_messages over a real SQLite file: the FTS index follows the messages table (triggers),
 * is filled from rows older than it (migration 10's backfill), and only the given chats count.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from './db.js';
import { MessageStore } from './messages.js';
import { MIGRATIONS } from './migrations.js';
import { MessageSearch, ftsExpression, parseBound } from './search.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T10:00:00Z');

function seed(messages: MessageStore, chatId: string, count: number, fact: string) {
  messages.upsertChat(chatId, 'web', chatId);
  for (let i = 0; i < count; i += 1) {
    const content = i === 0 ? fact : `small talk number ${i} about the weather`;
    messages.insert({
      chatId,
      id: `${chatId}-${i}`,
      ts: T0 + i * 60_000,
      senderId: i % 2 ? 'u-bob' : 'u-ann',
      senderName: i % 2 ? 'Bob' : 'Ann',
      content,
      fromAssistant: false,
    });
  }
}

describe('message search', () => {
  let dir: string;
  let db: Db;
  let search: MessageSearch;
  let messages: MessageStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-search-'));
    db = openDb(path.join(dir, 'db.sqlite'));
    messages = new MessageStore(db);
    search = new MessageSearch(db);
  });

  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds a fact from 300 messages earlier, in the given chats only', () => {
    seed(messages, 'web:family', 301, 'We decided the holiday budget is 1200 euros');
    seed(messages, 'web:work', 50, 'The holiday budget of the office party is secret');
    const hits = search.search(['web:family'], { text: 'holiday budget', limit: 10 });
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ chatId: 'web:family', id: 'web:family-0', sender: 'Ann' });
    expect(hits[0]?.snippet).toContain('[holiday] [budget]');
    // Another chat's history does not answer, whatever the query says.
    const both = search.search(['web:family', 'web:work'], { text: 'holiday', limit: 10 });
    expect(both.map((h) => h.chatId).sort()).toEqual(['web:family', 'web:work']);
    expect(search.search([], { text: 'holiday', limit: 10 })).toEqual([]);
  });

  it('filters by dates and sender, and bounds the number of hits', () => {
    seed(messages, 'web:family', 120, 'weather report');
    const all = search.search(['web:family'], { text: 'weather', limit: 500 });
    expect(all).toHaveLength(50); // SEARCH_MAX_LIMIT
    const bob = search.search(['web:family'], { text: 'weather', sender: 'bob', limit: 50 });
    expect(bob.every((h) => h.sender === 'Bob')).toBe(true);
    const byId = search.search(['web:family'], { text: 'weather', sender: 'U-ANN', limit: 50 });
    expect(byId.every((h) => h.sender === 'Ann')).toBe(true);
    const window = search.search(['web:family'], {
      text: 'weather',
      since: T0 + 10 * 60_000,
      until: T0 + 20 * 60_000,
      limit: 50,
    });
    expect(window.map((h) => h.id).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `web:family-${i + 10}`).sort(),
    );
  });

  it('follows edits and deletes; query text is never FTS syntax', () => {
    seed(messages, 'web:family', 3, 'the password manager is Bitwarden');
    db.prepare("UPDATE messages SET content = 'we use KeePass now' WHERE id = ?").run(
      'web:family-0',
    );
    expect(search.search(['web:family'], { text: 'Bitwarden', limit: 5 })).toEqual([]);
    expect(search.search(['web:family'], { text: 'keepass', limit: 5 })).toHaveLength(1);
    db.prepare('DELETE FROM messages WHERE id = ?').run('web:family-0');
    expect(search.search(['web:family'], { text: 'keepass', limit: 5 })).toEqual([]);
    for (const nasty of ['"', 'NEAR(', 'a OR b) AND (', '*', 'content:x', '^weather']) {
      expect(() => search.search(['web:family'], { text: nasty, limit: 5 })).not.toThrow();
    }
    expect(ftsExpression('budg* "x" OR')).toBe('"budg"* "x" "OR"');
    expect(ftsExpression('  ?! ')).toBeUndefined();
  });

  it('migration 10 indexes the messages stored before it', () => {
    const file = path.join(dir, 'old.sqlite');
    const old = new Database(file);
    for (const sql of MIGRATIONS.slice(0, 9)) old.exec(sql);
    old.pragma('user_version = 9');
    old.prepare("INSERT INTO chats (chat_id, channel, name) VALUES ('web:a', 'web', 'A')").run();
    old
      .prepare(
        `INSERT INTO messages (chat_id, id, ts, sender_id, sender_name, content)
         VALUES ('web:a', 'm1', ?, 'u1', 'Ann', 'the boiler code is 4711')`,
      )
      .run(T0);
    old.close();
    const migrated = openDb(file);
    expect(new MessageSearch(migrated).search(['web:a'], { text: 'boiler', limit: 5 })).toEqual([
      expect.objectContaining({ id: 'm1', snippet: 'the [boiler] code is 4711' }),
    ]);
    migrated.close();
  });

  it('reads dates: a day alone is the whole day; nonsense says what to write', () => {
    expect(parseBound('2026-03-02', 'since')).toBe(T0 - 10 * 3_600_000 + DAY);
    expect(parseBound('2026-03-02', 'until')).toBe(T0 - 10 * 3_600_000 + 2 * DAY);
    expect(parseBound('2026-03-01T10:00:00Z', 'until')).toBe(T0);
    expect(() => parseBound('last month', 'since')).toThrow(/use YYYY-MM-DD/);
  });
});
