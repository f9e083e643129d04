import { describe, expect, it } from 'vitest';
import { parseWebhook, waIdOf, type WebhookEvent } from './payload.js';

const PHONE = '106540352242922';

function payload(value: Record<string, unknown>, phone = PHONE) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550001111', phone_number_id: phone },
              contacts: [{ profile: { name: 'Ann' }, wa_id: '4915112345678' }],
              ...value,
            },
          },
        ],
      },
    ],
  };
}

const msg = (fields: Record<string, unknown>) => ({
  from: '4915112345678',
  id: 'wamid.A1',
  timestamp: '1700000000',
  ...fields,
});

function events(body: unknown): WebhookEvent[] {
  const result = parseWebhook(body, PHONE);
  if (!result.ok) throw new Error(result.problem);
  return result.events;
}

describe('webhook payloads', () => {
  it('a text message: chat and sender from the number, name from contacts, ts in ms', () => {
    const [event] = events(payload({ messages: [msg({ type: 'text', text: { body: 'hi' } })] }));
    expect(event).toEqual({
      kind: 'message',
      message: {
        chatId: 'wacloud:4915112345678',
        chatName: 'Ann',
        id: 'wamid.A1',
        ts: 1_700_000_000_000,
        senderId: 'wacloud:4915112345678',
        senderName: 'Ann',
        text: 'hi',
        chatKind: 'dm',
        repliesToBot: false,
        files: [],
      },
    });
  });

  it('media: image with caption, voice note, document with its file name', () => {
    const list = events(
      payload({
        messages: [
          msg({ type: 'image', image: { id: 'm1', mime_type: 'image/jpeg', caption: 'look' } }),
          msg({
            id: 'wamid.A2',
            type: 'audio',
            audio: { id: 'm2', mime_type: 'audio/ogg', voice: true },
          }),
          msg({ id: 'wamid.A3', type: 'document', document: { id: 'm3', filename: 'a.pdf' } }),
        ],
      }),
    );
    const messages = list.map((e) => (e.kind === 'message' ? e.message : undefined));
    expect(messages.map((m) => [m?.text, m?.files])).toEqual([
      ['look', [{ kind: 'photo', mediaId: 'm1', mime: 'image/jpeg' }]],
      ['', [{ kind: 'voice', mediaId: 'm2', mime: 'audio/ogg' }]],
      ['', [{ kind: 'document', mediaId: 'm3', name: 'a.pdf' }]],
    ]);
  });

  it('a reply to our message is marked; buttons and locations become text', () => {
    const list = events(
      payload({
        messages: [
          msg({ type: 'text', text: { body: 'yes' }, context: { from: '15550001111', id: 'w' } }),
          msg({ id: 'b', type: 'button', button: { text: 'Stop', payload: 'x' } }),
          msg({
            id: 'c',
            type: 'location',
            location: { latitude: 1.5, longitude: 2, name: 'Home' },
          }),
        ],
      }),
    );
    const messages = list.map((e) => (e.kind === 'message' ? e.message : undefined));
    expect(messages[0]?.repliesToBot).toBe(true);
    expect(messages[1]?.text).toBe('Stop');
    expect(messages[2]?.text).toBe('📍 Home (1.5, 2)');
  });

  it('unknown types and malformed messages are skipped without hiding the others', () => {
    const list = events(
      payload({
        messages: [
          msg({ type: 'reaction', reaction: { emoji: '👍' } }),
          { id: 'x', type: 'text' },
          msg({ id: 'ok', type: 'text', text: { body: 'kept' } }),
        ],
      }),
    );
    expect(list.map((e) => e.kind)).toEqual(['skipped', 'skipped', 'message']);
  });

  it('statuses carry their error codes', () => {
    const [status] = events(
      payload({
        statuses: [
          {
            id: 'wamid.O',
            status: 'failed',
            timestamp: '1',
            recipient_id: '1',
            errors: [{ code: 131047 }],
          },
        ],
      }),
    );
    expect(status).toEqual({
      kind: 'status',
      id: 'wamid.O',
      status: 'failed',
      recipient: '1',
      errorCodes: [131047],
    });
  });

  it('another phone number of the account is skipped; a foreign envelope is refused', () => {
    const other = events(
      payload({ messages: [msg({ type: 'text', text: { body: 'x' } })] }, '999'),
    );
    expect(other).toEqual([{ kind: 'skipped', why: 'another phone number' }]);
    expect(parseWebhook({ object: 'page', entry: [] }, PHONE).ok).toBe(false);
    expect(parseWebhook('nonsense', PHONE).ok).toBe(false);
  });

  it('chat ids: only digits after the prefix are a number', () => {
    expect(waIdOf('wacloud:4915112345678')).toBe('4915112345678');
    expect(waIdOf('wacloud:abc')).toBeUndefined();
    expect(waIdOf('telegram:1')).toBeUndefined();
  });
});
