import { describe, expect, it } from 'vitest';
import { interpretEvent, messageKey, plainText, threadOf, tsOf, tsToMs } from './event.js';

const BOT = { userId: 'UBOT1', botId: 'BBOT1' };
const base = {
  type: 'message',
  channel: 'C1',
  channel_type: 'channel',
  user: 'UANN',
  ts: '1700000000.000100',
};

describe('slack event → message', () => {
  it('ids sort as text in Slack’s order within one millisecond, thread or not', () => {
    const ids = [
      messageKey('1700000000.000100'),
      messageKey('1700000000.000200', '1699999999.000001'),
      messageKey('1700000000.000900'),
      messageKey('1700000000.001000', '1700000000.000100'),
    ];
    expect([...ids].sort()).toEqual(ids);
    expect(tsToMs('1700000000.000900')).toBe(tsToMs('1700000000.000100'));
    // A short ts (never seen, but) is padded to the fixed width.
    expect(messageKey('9.5')).toBe('0000000009.500000');
  });

  it('the thread of a reply comes back out of the id; a thread’s parent is top level', () => {
    expect(threadOf(messageKey('1700000000.000200', '1700000000.000100'))).toBe(
      '1700000000.000100',
    );
    expect(threadOf(messageKey('1700000000.000100', '1700000000.000100'))).toBeUndefined();
    expect(threadOf(undefined)).toBeUndefined();
    expect(threadOf('garbage@1700000000.000100')).toBeUndefined();
    expect(tsOf('1700000000.000200@1700000000.000100')).toBe('1700000000.000200');
  });

  it('Slack markup in text becomes plain text', () => {
    expect(
      plainText('<@U1|ann> in <#C1|general>: <!here> see <https://a.b|docs> &amp; <mailto:x@y>'),
    ).toBe('@ann in #general: @here see docs (https://a.b) & mailto:x@y');
  });

  it('mentions only by the bot’s own user id; DMs by channel type; bots flagged', () => {
    const m = (e: Record<string, unknown>) => {
      const r = interpretEvent({ ...base, ...e }, BOT);
      if (r.kind !== 'message') throw new Error('ignored');
      return r.message;
    };
    expect(m({ text: 'hi <@UBOT1>' }).mentionsBot).toBe(true);
    expect(m({ text: 'hi <@UBOT12>' }).mentionsBot).toBe(false);
    expect(m({ text: 'hi UBOT1' }).mentionsBot).toBe(false);
    expect(m({ type: 'app_mention', text: 'x' }).mentionsBot).toBe(true);
    expect(m({ channel: 'D1', channel_type: 'im', text: 'x' }).chatKind).toBe('dm');
    expect(m({ channel: 'G1', channel_type: 'mpim', text: 'x' }).chatKind).toBe('group');
    expect(m({ bot_id: 'B2', text: 'x' }).fromBot).toBe(true);
    expect(m({ text: 'x' })).toMatchObject({
      chatId: 'slack:C1',
      senderId: 'slack:UANN',
      fromBot: false,
    });
  });

  it('edits, deletions, joins, empty and malformed events are ignored (the chat still seen)', () => {
    expect(interpretEvent({ ...base, subtype: 'message_changed' }, BOT)).toMatchObject({
      kind: 'ignore',
      chat: { chatId: 'slack:C1', kind: 'group' },
    });
    expect(interpretEvent({ ...base, text: '   ' }, BOT).kind).toBe('ignore');
    expect(interpretEvent({ ...base, ts: 'yesterday' }, BOT)).toEqual({ kind: 'ignore' });
    expect(interpretEvent({ ...base, channel: '../x' }, BOT)).toEqual({ kind: 'ignore' });
  });

  it('files become attachments by type; a file without a URL is skipped', () => {
    const r = interpretEvent(
      {
        ...base,
        subtype: 'file_share',
        text: '',
        files: [
          {
            id: 'F1',
            name: 'a.png',
            mimetype: 'image/png',
            size: 3,
            url_private_download: 'https://files.slack.com/a',
          },
          {
            id: 'F2',
            name: 'b.pdf',
            mimetype: 'application/pdf',
            url_private: 'https://files.slack.com/b',
          },
          { id: 'F3', name: 'c' },
        ],
      },
      BOT,
    );
    if (r.kind !== 'message') throw new Error('ignored');
    expect(r.message.files).toEqual([
      {
        kind: 'photo',
        url: 'https://files.slack.com/a',
        name: 'a.png',
        mime: 'image/png',
        size: 3,
      },
      {
        kind: 'document',
        url: 'https://files.slack.com/b',
        name: 'b.pdf',
        mime: 'application/pdf',
      },
    ]);
  });
});
