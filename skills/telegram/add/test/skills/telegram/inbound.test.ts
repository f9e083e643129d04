/**
 * Telegram in: the real adapter and real grammY long-polling a local fake Bot API. Messages,
 * mentions, replies, bot senders, commands, attachments, and the offset rule (an update is
 * confirmed only after the host stored it).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { AttachmentTooLargeError } from '../../../src/channels/telegram/files.js';
import { startFakeTelegram, type FakeTelegram } from './support/fake-telegram.js';
import {
  DM_CHAT,
  GROUP_CHAT,
  messageUpdate,
  startChannel,
  until,
  type Harness,
} from './support/harness.js';

describe('telegram inbound (real grammY, fake Bot API)', () => {
  let fake: FakeTelegram;
  let h: Harness | undefined;
  beforeEach(async () => {
    fake = await startFakeTelegram();
  });
  afterEach(async () => {
    await h?.channel.stop();
    h = undefined;
    await fake.close();
  });

  it('a DM becomes a message of telegram:<chat id> from telegram:<user id>; the chat is seen', async () => {
    h = startChannel(fake);
    fake.push(messageUpdate(DM_CHAT, { text: 'hello bot' }));
    const [m] = await until(() => h?.received.length && h.received);
    expect(m).toMatchObject({
      chatId: 'telegram:42',
      chatName: 'Ann Lee',
      chatKind: 'dm',
      senderId: 'telegram:42',
      senderName: 'Ann Lee',
      text: 'hello bot',
      ts: 1_700_000_000_000,
      mentionsBot: false,
      repliesToBot: false,
      fromBot: false,
    });
    expect(m?.attachments).toBeUndefined();
    expect(m?.id).toMatch(/^0+\d+$/);
    expect(h.seen).toContainEqual({ chatId: 'telegram:42', name: 'Ann Lee', kind: 'dm' });
    expect(h.channel.health()).toEqual({ state: 'connected' });
    expect(h.health).toEqual([{ state: 'connected' }]);
    expect(h.channel.ownsChat('telegram:-100123')).toBe(true);
    expect(h.channel.ownsChat('web:main')).toBe(false);
  });

  it('message ids sort as text in the order Telegram numbered them (the store orders by text)', async () => {
    h = startChannel(fake);
    for (const id of [9, 10, 100])
      fake.push(messageUpdate(DM_CHAT, { message_id: id, text: `m${id}` }));
    const got = await until(() => h?.received.length === 3 && h.received);
    const ids = got.map((m) => m.id);
    expect([...ids].sort()).toEqual(ids);
  });

  it('in groups: @mention and text_mention of the bot, replies to the bot, bot senders', async () => {
    h = startChannel(fake);
    const bot = fake.bot;
    const handle = `@${bot.username}`;
    fake.push(messageUpdate(GROUP_CHAT, { text: 'plain talk' }));
    fake.push(
      messageUpdate(GROUP_CHAT, {
        text: `hey ${handle} look`,
        entities: [{ type: 'mention', offset: 4, length: handle.length }],
      }),
    );
    fake.push(
      messageUpdate(GROUP_CHAT, {
        text: 'Andy, look',
        entities: [{ type: 'text_mention', offset: 0, length: 4, user: { ...bot, is_bot: true } }],
      }),
    );
    fake.push(
      messageUpdate(GROUP_CHAT, {
        text: 'to @someone_else',
        entities: [{ type: 'mention', offset: 3, length: 13 }],
      }),
    );
    fake.push(
      messageUpdate(GROUP_CHAT, {
        text: 'answering you',
        reply_to_message: {
          message_id: 1,
          date: 1,
          chat: GROUP_CHAT,
          from: { ...bot, is_bot: true },
        },
      }),
    );
    fake.push(
      messageUpdate(GROUP_CHAT, {
        text: 'beep',
        from: { id: 99, is_bot: true, first_name: 'Other', username: 'other_bot' },
      }),
    );
    const got = await until(() => h?.received.length === 6 && h.received);
    expect(got.map((m) => [m.text, m.chatKind, m.mentionsBot, m.repliesToBot, m.fromBot])).toEqual([
      ['plain talk', 'group', false, false, false],
      [`hey ${handle} look`, 'group', true, false, false],
      ['Andy, look', 'group', true, false, false],
      ['to @someone_else', 'group', false, false, false],
      ['answering you', 'group', false, true, false],
      ['beep', 'group', false, false, true],
    ]);
    expect(got[5]?.senderId).toBe('telegram:99');
    expect(got[0]?.chatName).toBe('Family');
    expect(h.seen).toContainEqual({ chatId: 'telegram:-100123', name: 'Family', kind: 'group' });
  });

  it('confirms an update only after receive resolved: a failing store gets it again', async () => {
    h = startChannel(fake);
    let calls = 0;
    const pendingDuring: boolean[] = [];
    h.onReceive(async (m) => {
      calls += 1;
      pendingDuring.push(fake.pending().length === 1);
      if (calls === 1) throw new Error('database is locked');
      h?.received.push(m);
    });
    const update = fake.push(messageUpdate(DM_CHAT, { text: 'keep me' }));
    await until(() => h?.received.length === 1);
    expect(calls).toBe(2);
    // Both times the update was still unconfirmed at Telegram while the host stored it.
    expect(pendingDuring).toEqual([true, true]);
    await until(() => fake.pending().length === 0);
    const offsets = fake.calls.filter((c) => c.method === 'getUpdates').map((c) => c.params.offset);
    expect(offsets).toContain(update.update_id + 1);
    expect(h.logs.join('')).toContain('will be fetched again');
  });

  it('a store that hangs leaves the update unconfirmed; stop still ends; a restart gets it', async () => {
    h = startChannel(fake);
    let entered = false;
    h.onReceive(() => {
      entered = true;
      return new Promise<void>(() => {});
    });
    fake.push(messageUpdate(DM_CHAT, { text: 'stuck' }));
    await until(() => entered);
    await h.channel.stop();
    expect(fake.pending().map((u) => (u.message as { text: string }).text)).toEqual(['stuck']);
    h = startChannel(fake);
    const [again] = await until(() => h?.received.length && h.received);
    expect(again?.text).toBe('stuck');
  });

  it('a message the host refuses (UserError) is confirmed, not fetched forever', async () => {
    h = startChannel(fake);
    let calls = 0;
    h.onReceive(async () => {
      calls += 1;
      throw new UserError('The message is empty: type something to send.');
    });
    fake.push(messageUpdate(DM_CHAT, { text: 'refused' }));
    await until(() => calls === 1 && fake.pending().length === 0);
    fake.push(messageUpdate(DM_CHAT, { text: 'next' }));
    await until(() => calls === 2);
    expect(calls).toBe(2);
  });

  it('/start and /chatid are answered by the adapter and not stored', async () => {
    h = startChannel(fake);
    const cmd = (text: string) => ({
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length ?? 0 }],
    });
    fake.push(messageUpdate(DM_CHAT, cmd('/start')));
    const start = await fake.waitFor('sendMessage', (c) => c.params.chat_id === 42);
    expect(start.params.text).toContain('nanoclaw pair telegram');
    fake.push(messageUpdate(GROUP_CHAT, cmd(`/chatid@${fake.bot.username}`)));
    const id = await fake.waitFor('sendMessage', (c) => c.params.chat_id === -100123);
    expect(id.params.text).toContain('telegram:-100123');
    expect(id.params.text).toContain('--chat telegram:-100123');
    // Another bot's command is ordinary text.
    fake.push(messageUpdate(GROUP_CHAT, cmd('/chatid@other_bot')));
    await until(() => h?.received.length === 1);
    expect(h.received.map((m) => m.text)).toEqual(['/chatid@other_bot']);
    expect(h.seen.map((c) => c.chatId)).toEqual(
      expect.arrayContaining(['telegram:42', 'telegram:-100123']),
    );
  });

  it('photos (largest size), documents and voice notes arrive as attachments; caption is the text', async () => {
    h = startChannel(fake);
    const small = Buffer.from('small-jpeg');
    const large = Buffer.from('large-jpeg-bytes'.repeat(100));
    const photo = [
      {
        file_id: fake.addFile(small, 'photos/s.jpg'),
        width: 90,
        height: 60,
        file_size: small.length,
      },
      {
        file_id: fake.addFile(large, 'photos/l.jpg'),
        width: 1280,
        height: 853,
        file_size: large.length,
      },
    ];
    fake.push(messageUpdate(DM_CHAT, { photo, caption: 'look at this' }));
    const pdf = Buffer.from('%PDF-1.4 fake');
    const document = {
      file_id: fake.addFile(pdf, 'documents/r.pdf'),
      file_name: 'report.pdf',
      mime_type: 'application/pdf',
      file_size: pdf.length,
    };
    fake.push(messageUpdate(DM_CHAT, { document }));
    const ogg = Buffer.from('OggS voice');
    fake.push(
      messageUpdate(GROUP_CHAT, {
        voice: { file_id: fake.addFile(ogg, 'voice/v.oga'), duration: 2, mime_type: 'audio/ogg' },
      }),
    );
    const got = await until(() => h?.received.length === 3 && h.received);
    const signal = new AbortController().signal;
    const [p, d, v] = got.map((m) => m.attachments?.[0]);
    expect(got[0]?.text).toBe('look at this');
    expect(p).toMatchObject({
      kind: 'photo',
      name: 'photo.jpg',
      mime: 'image/jpeg',
      size: large.length,
    });
    expect(await p?.fetch(1_000_000, signal)).toEqual(large);
    expect(got[1]?.text).toBe('');
    expect(d).toMatchObject({ kind: 'document', name: 'report.pdf', mime: 'application/pdf' });
    expect(await d?.fetch(1_000_000, signal)).toEqual(pdf);
    expect(v).toMatchObject({ kind: 'voice', name: 'voice.ogg', mime: 'audio/ogg' });
    expect(await v?.fetch(1_000_000, signal)).toEqual(ogg);
  });

  it('fetch is bounded: an announced size over the limit is refused, an unannounced one is cut off', async () => {
    h = startChannel(fake);
    const signal = new AbortController().signal;
    const big = Buffer.alloc(2048, 1);
    fake.push(
      messageUpdate(DM_CHAT, {
        document: {
          file_id: fake.addFile(big, 'documents/a.bin'),
          file_name: 'a.bin',
          file_size: big.length,
        },
      }),
    );
    const huge = Buffer.alloc(32 * 1024 * 1024, 2);
    fake.push(
      messageUpdate(DM_CHAT, {
        document: {
          file_id: fake.addFile(huge, 'documents/b.bin', { hideSize: true }),
          file_name: 'b.bin',
        },
      }),
    );
    const [a, b] = (await until(() => h?.received.length === 2 && h.received)).map(
      (m) => m.attachments?.[0],
    );
    await expect(a?.fetch(1024, signal)).rejects.toThrow(AttachmentTooLargeError);
    expect(fake.bytesServed()).toBe(0);
    await expect(b?.fetch(64 * 1024, signal)).rejects.toThrow(AttachmentTooLargeError);
    // The download stopped early instead of reading the whole file.
    await until(() => fake.bytesServed() > 0);
    expect(fake.bytesServed()).toBeLessThan(huge.length);
    expect(await a?.fetch(4096, signal)).toEqual(big);
  });
});
