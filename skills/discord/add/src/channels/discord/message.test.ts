import { describe, expect, it } from 'vitest';
import { discordChannelId, interpretMessage, messageKey, snowflakeOf } from './message.js';

const bot = { id: '1001', name: 'NanoBot' };
const raw = (fields: Record<string, unknown> = {}) => ({
  id: '900',
  channel_id: '55',
  guild_id: '77',
  author: { id: '42', username: 'ann', global_name: 'Ann' },
  content: 'hello',
  timestamp: '2026-01-02T03:04:05.678Z',
  type: 0,
  mentions: [],
  attachments: [],
  ...fields,
});

describe('interpretMessage', () => {
  it('reads a guild message: padded id, ms timestamp, the place as the chat name', () => {
    const m = interpretMessage(raw(), bot, { guildName: 'Fam', channelName: 'general' });
    expect(m).toMatchObject({
      kind: 'message',
      chat: { chatId: 'discord:55', name: '#general (Fam)', kind: 'group' },
      message: { id: '00000000000000000900', ts: Date.parse('2026-01-02T03:04:05.678Z') },
    });
  });

  it("ignores the bot's own messages (Discord echoes them); a REST message of a known group chat stays a group", () => {
    const own = raw({ author: { id: '1001', username: 'nanobot', bot: true } });
    expect(interpretMessage(own, bot, {}).kind).toBe('ignore');
    const { guild_id: _omit, ...rest } = raw();
    expect(interpretMessage(rest, bot, {})).toMatchObject({ chat: { kind: 'dm' } });
    expect(interpretMessage(rest, bot, { kind: 'group' })).toMatchObject({
      chat: { kind: 'group' },
    });
  });

  it('a member nickname wins over the global name', () => {
    const m = interpretMessage(raw({ member: { nick: 'Annie' } }), bot, {});
    expect(m.kind === 'message' && m.message.senderName).toBe('Annie');
  });

  it('ignores malformed events, system messages and empty ones (but still sees the chat)', () => {
    expect(interpretMessage({ id: 'x' }, bot, {})).toEqual({ kind: 'ignore' });
    expect(interpretMessage(raw({ id: '1'.repeat(21) }), bot, {})).toEqual({ kind: 'ignore' });
    expect(interpretMessage(raw({ type: 7 }), bot, {})).toMatchObject({
      kind: 'ignore',
      chat: { chatId: 'discord:55' },
    });
    expect(interpretMessage(raw({ content: '  ' }), bot, {}).kind).toBe('ignore');
  });

  it("text that merely looks like a mention is not one: only Discord's mentions array counts", () => {
    const m = interpretMessage(raw({ content: '<@1001> hi' }), bot, {});
    expect(m.kind === 'message' && m.message.mentionsBot).toBe(false);
    expect(m.kind === 'message' && m.message.text).toBe('@NanoBot hi');
  });

  it('attachment kinds from the content type; a voice message by its flag', () => {
    const a = (content_type: string) => ({
      id: '3',
      filename: 'f',
      url: 'https://cdn.x/f',
      content_type,
    });
    const m = interpretMessage(
      raw({
        content: '',
        flags: 8192,
        attachments: [
          a('image/png'),
          a('audio/ogg'),
          a('video/mp4'),
          a('text/plain; charset=utf-8'),
        ],
      }),
      bot,
      {},
    );
    expect(m.kind === 'message' && m.message.files.map((f) => [f.kind, f.mime])).toEqual([
      ['photo', 'image/png'],
      ['voice', 'audio/ogg'],
      ['video', 'video/mp4'],
      ['document', 'text/plain'],
    ]);
  });

  it('refuses attachment URLs that are not http(s)', () => {
    const bad = { id: '3', filename: 'f', url: 'file:///etc/passwd' };
    expect(interpretMessage(raw({ attachments: [bad] }), bot, {}).kind).toBe('ignore');
  });
});

describe('ids', () => {
  it('pads snowflakes to 20 digits so they sort as text, and back', () => {
    const keys = ['9', '10', '18446744073709551615'].map(messageKey);
    expect([...keys].sort()).toEqual(keys);
    expect(keys.map(snowflakeOf)).toEqual(['9', '10', '18446744073709551615']);
    expect(snowflakeOf('abc')).toBeUndefined();
  });

  it('chat ids', () => {
    expect(discordChannelId('discord:123')).toBe('123');
    expect(discordChannelId('telegram:123')).toBeUndefined();
    expect(discordChannelId('discord:1; rm')).toBeUndefined();
  });
});
