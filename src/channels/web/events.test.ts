import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../store/messages.js';
import { eventForMessage } from './events.js';

const stored = (chatId: string): StoredMessage => ({
  chatId,
  id: 'm1',
  ts: 1795580363725,
  senderId: 'tg:7',
  senderName: 'Mum',
  content: 'the vault code is ZEBRA4411',
  fromAssistant: false,
});
const listed = (chatId: string) => chatId === 'tg:-100';

describe('eventForMessage', () => {
  it('sends the whole message in its own chat', () => {
    const out = eventForMessage(stored('web:main'), 'web:main', listed);
    expect(out?.event).toBe('message');
    expect(out?.data).toMatchObject({ id: 'm1', text: 'the vault code is ZEBRA4411' });
  });

  it('sends only a notice, without text or sender, for another chat the list shows', () => {
    expect(eventForMessage(stored('tg:-100'), 'web:main', listed)).toEqual({
      event: 'chat',
      data: { chatId: 'tg:-100', id: 'm1', ts: 1795580363725, fromAssistant: false },
    });
  });

  it('sends nothing for a chat the list does not show', () => {
    expect(eventForMessage(stored('tg:999'), 'web:main', listed)).toBeUndefined();
  });
});
