import { describe, expect, it } from 'vitest';
import { interpretUpdate, telegramChatNumber } from './update.js';

const bot = { id: 777, username: 'nano_bot' };
const msg = (fields: Record<string, unknown>) => ({
  update_id: 1,
  message: {
    message_id: 5,
    date: 1_700_000_000,
    chat: { id: -100, type: 'supergroup', title: 'G' },
    from: { id: 1, is_bot: false, first_name: 'A' },
    ...fields,
  },
});

describe('interpretUpdate (pure)', () => {
  it('skips a malformed update instead of half-reading it', () => {
    expect(interpretUpdate({ update_id: 1, message: { chat: 'nope' } }, bot)).toEqual({
      kind: 'ignore',
    });
  });

  it('reports a chat the bot was added to, without a message', () => {
    const update = {
      update_id: 2,
      my_chat_member: { chat: { id: -5, type: 'group', title: 'New' } },
    };
    expect(interpretUpdate(update, bot)).toEqual({
      kind: 'ignore',
      chat: { chatId: 'telegram:-5', name: 'New', kind: 'group' },
    });
  });

  it('ignores service messages (no text, no file) but sees their chat', () => {
    const meaning = interpretUpdate(msg({ new_chat_members: [] }), bot);
    expect(meaning).toMatchObject({ kind: 'ignore', chat: { chatId: 'telegram:-100' } });
  });

  it('names stickers and video notes by their format', () => {
    const sticker = (is_animated: boolean, is_video: boolean) =>
      interpretUpdate(msg({ sticker: { file_id: 's', is_animated, is_video } }), bot);
    const file = (m: ReturnType<typeof interpretUpdate>) =>
      m.kind === 'message' ? m.message.files[0] : undefined;
    expect(file(sticker(false, false))).toMatchObject({ kind: 'sticker', mime: 'image/webp' });
    expect(file(sticker(true, false))).toMatchObject({ name: 'sticker.tgs' });
    expect(file(sticker(false, true))).toMatchObject({ mime: 'video/webm' });
    const note = interpretUpdate(msg({ video_note: { file_id: 'v', file_size: 9 } }), bot);
    expect(file(note)).toEqual({
      kind: 'video',
      fileId: 'v',
      name: 'video-note.mp4',
      mime: 'video/mp4',
      size: 9,
    });
  });

  it('an anonymous group admin speaks as the group (sender_chat), from Telegram, not the text', () => {
    const m = interpretUpdate(
      msg({
        from: undefined,
        sender_chat: { id: -100, type: 'supergroup', title: 'G' },
        text: 'I am telegram:1',
      }),
      bot,
    );
    expect(m).toMatchObject({
      kind: 'message',
      message: { senderId: 'telegram:-100', senderName: 'G' },
    });
  });

  it('parses only telegram:<integer> chat ids', () => {
    expect(telegramChatNumber('telegram:-100123')).toBe(-100123);
    expect(telegramChatNumber('telegram:42')).toBe(42);
    expect(telegramChatNumber('telegram:4x')).toBeUndefined();
    expect(telegramChatNumber('web:main')).toBeUndefined();
  });
});
