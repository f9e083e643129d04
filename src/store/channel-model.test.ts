/**
 * The channel model's state in a real SQLite file: groups with several chats (and the migration
 * of existing single-chat groups), discovered chats, saved attachments, outbox files, pairing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDb } from './db.js';
import { GroupStore } from './groups.js';
import { MessageStore } from './messages.js';
import { MIGRATIONS } from './migrations.js';
import { PAIRING_TTL_MS, PairingStore, looksLikeCode } from './pairing.js';

const tempDb = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nc-store-')), 'db.sqlite');
const now = new Date('2026-12-01T10:00:00Z');

describe('groups with several chats', () => {
  it('migrates a single-chat group: its chat becomes one of its chats and stays home', () => {
    const file = tempDb();
    const old = new Database(file);
    old.exec(MIGRATIONS.slice(0, 7).join(';'));
    old.pragma('user_version = 7');
    old
      .prepare(
        "INSERT INTO groups (folder, name, is_main, created_at, chat_id) VALUES ('fam', 'Fam', 0, ?, 'web:fam')",
      )
      .run(now.toISOString());
    old.close();
    const groups = new GroupStore(openDb(file));
    expect(groups.getByChat('web:fam')?.folder).toBe('fam');
    expect(groups.chats('fam')).toEqual(['web:fam']);
    expect(groups.get('fam')?.chatId).toBe('web:fam');
  });

  it('adds, lists and removes chats; a chat belongs to one group; the home chat moves', () => {
    const db = openDb(tempDb());
    const groups = new GroupStore(db);
    groups.ensure({ folder: 'main', name: 'Main', isMain: true, chatId: 'web:main' }, now);
    groups.ensure({ folder: 'fam', name: 'Fam', isMain: false, chatId: 'web:fam' }, now);
    groups.addChat('main', 'telegram:42', now);
    expect(groups.chats('main')).toEqual(['web:main', 'telegram:42']);
    expect(groups.getByChat('telegram:42')?.folder).toBe('main');
    expect(() => groups.addChat('fam', 'telegram:42', now)).toThrow(
      /already belongs to group "main"/,
    );
    groups.addChat('main', 'telegram:42', now); // idempotent
    groups.setHomeChat('main', 'telegram:42');
    expect(groups.get('main')?.chatId).toBe('telegram:42');
    expect(() => groups.setHomeChat('main', 'web:fam')).toThrow(/not a chat of group/);
    expect(groups.removeChat('main', 'telegram:42')).toBe(true);
    expect(groups.get('main')?.chatId).toBe('web:main');
    expect(groups.getByChat('telegram:42')).toBeUndefined();
  });
});

describe('chats, messages and the outbox', () => {
  it('lists seen chats with their kind, and which are unregistered', () => {
    const db = openDb(tempDb());
    const groups = new GroupStore(db);
    const messages = new MessageStore(db);
    groups.ensure({ folder: 'main', name: 'Main', isMain: true, chatId: 'web:main' }, now);
    messages.upsertChat('web:main', 'web', 'Main');
    messages.upsertChat('telegram:7', 'telegram', 'Ann', { kind: 'dm', at: 5 });
    messages.upsertChat('telegram:-100', 'telegram', 'Club', { kind: 'group', at: 9 });
    messages.upsertChat('telegram:7', 'telegram', 'Ann B'); // a rename keeps the kind
    expect(messages.chats({ unregistered: true }).map((c) => [c.chatId, c.kind, c.name])).toEqual([
      ['telegram:-100', 'group', 'Club'],
      ['telegram:7', 'dm', 'Ann B'],
    ]);
    expect(messages.chat('web:main')?.group).toBe('main');
  });

  it('keeps assistant messages of the same millisecond in the order they were sent', () => {
    const messages = new MessageStore(openDb(tempDb()));
    messages.upsertChat('web:x', 'web', 'X');
    const texts = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const text of texts) messages.enqueue('web:x', text, 'Andy', 5);
    expect(messages.history('web:x', 50).map((m) => m.content)).toEqual(texts);
  });

  it('keeps attachments and the addressed flag with a message, and files with outbox items', () => {
    const db = openDb(tempDb());
    const messages = new MessageStore(db);
    messages.upsertChat('telegram:7', 'telegram', 'Ann');
    const attachment = {
      kind: 'photo',
      path: '/workspace/group/inbox/a.jpg',
      mime: 'image/jpeg',
      size: 3,
      name: 'a.jpg',
    };
    messages.insert({
      chatId: 'telegram:7',
      id: 'm1',
      ts: 1,
      senderId: 'telegram:7',
      senderName: 'Ann',
      content: 'look',
      fromAssistant: false,
      addressed: true,
      attachments: [attachment],
    });
    const [stored] = messages.inboundAfter('telegram:7', undefined, 10);
    expect(stored?.addressed).toBe(true);
    expect(stored?.attachments).toEqual([attachment]);
    const bytes = Buffer.from([0, 1, 2, 255]);
    messages.enqueue('telegram:7', 'here', 'Andy', 10, {
      file: { name: 'r.bin', mime: 'application/octet-stream', bytes },
    });
    const [item] = messages.dueOutbox(10, 10);
    expect(item?.file?.name).toBe('r.bin');
    expect(item?.file?.bytes.equals(bytes)).toBe(true);
    expect(item?.replyTo).toBeUndefined();
  });

  it('remembers which inbound message a reply answers, also after the file is reopened', () => {
    const file = tempDb();
    const messages = new MessageStore(openDb(file));
    messages.upsertChat('slack:C1', 'slack', 'general');
    messages.commitReply(
      'slack:C1',
      { ts: 5, id: '1700000000.000100' },
      { text: 'hi', senderName: 'Andy' },
      10,
    );
    const reopened = new MessageStore(openDb(file));
    const [item] = reopened.dueOutbox(10, 10);
    expect(item?.text).toBe('hi');
    expect(item?.replyTo).toBe('1700000000.000100');
  });
});

describe('pairing codes', () => {
  it('are single use, expire, belong to one channel, and a new code replaces the old', () => {
    const pairing = new PairingStore(openDb(tempDb()));
    const t = 1_000_000;
    const { code, expiresAt } = pairing.create('telegram', t);
    expect(looksLikeCode(code)).toBe(true);
    expect(expiresAt).toBe(t + PAIRING_TTL_MS);
    expect(pairing.consume('discord', code, 'discord:1', t)).toBe(false);
    expect(pairing.consume('telegram', 'WRONG-CODE', 'telegram:1', t)).toBe(false);
    expect(pairing.consume('telegram', code.toLowerCase().replace('-', ' '), 'telegram:1', t)).toBe(
      true,
    );
    expect(pairing.consume('telegram', code, 'telegram:2', t)).toBe(false);
    const late = pairing.create('telegram', t);
    expect(pairing.consume('telegram', late.code, 'telegram:1', late.expiresAt)).toBe(false);
    const first = pairing.create('telegram', t);
    const second = pairing.create('telegram', t);
    expect(pairing.consume('telegram', first.code, 'telegram:1', t)).toBe(false);
    expect(pairing.consume('telegram', second.code, 'telegram:1', t)).toBe(true);
    pairing.addOwner('telegram:7', 'telegram:7', t);
    expect(pairing.owners()).toEqual(['telegram:7']);
  });
});
