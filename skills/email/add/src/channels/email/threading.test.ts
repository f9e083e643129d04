import { describe, expect, it } from 'vitest';
import {
  addressOf,
  chatIdFor,
  freshSubject,
  inboundId,
  messageKey,
  outboundMessageId,
  replyHeaders,
  replySubject,
} from './threading.js';

describe('email threading', () => {
  it('inbound ids sort as text in UID order, and a new UIDVALIDITY never reuses one', () => {
    const ids = [9, 10, 100, 4294967295].map((uid) => inboundId(1796172161n, uid));
    expect([...ids].sort()).toEqual(ids);
    expect(inboundId(7, 5)).toBe('0000000007.0000000005');
    expect(inboundId(8, 5)).not.toBe(inboundId(7, 5));
  });

  it('a chat is a sender address; other ids are refused', () => {
    expect(chatIdFor('Ann@Example.com')).toBe('email:ann@example.com');
    expect(addressOf('email:ann@example.com')).toBe('ann@example.com');
    expect(addressOf('email:nobody')).toBeUndefined();
    expect(addressOf('telegram:42')).toBeUndefined();
  });

  it('Re: is added once, in any language clients use', () => {
    expect(replySubject('Trip')).toBe('Re: Trip');
    expect(replySubject('RE: Trip')).toBe('RE: Trip');
    expect(replySubject('Aw: Reise')).toBe('Aw: Reise');
    expect(replySubject('')).toBe('Re: your message');
    expect(replySubject('two\r\nlines')).toBe('Re: two lines');
  });

  it('References carry the chain plus the answered mail; In-Reply-To is the answered mail', () => {
    const thread = {
      chatId: 'email:a@x.io',
      messageId: '<3@x>',
      references: ['<1@x>', '<2@x>'],
      subject: 's',
    };
    expect(replyHeaders(thread)).toEqual({
      inReplyTo: '<3@x>',
      references: ['<1@x>', '<2@x>', '<3@x>'],
    });
    expect(replyHeaders({ ...thread, messageId: '' })).toEqual({});
    const long = { ...thread, references: Array.from({ length: 40 }, (_, i) => `<${i}@x>`) };
    const refs = replyHeaders(long).references ?? [];
    expect(refs).toHaveLength(20);
    expect(refs[0]).toBe('<0@x>');
    expect(refs.at(-1)).toBe('<3@x>');
  });

  it('an outgoing Message-ID is stable per outbox message (a retry is recognisable)', () => {
    expect(outboundMessageId('m1', 'bot@example.com')).toBe(
      outboundMessageId('m1', 'bot@example.com'),
    );
    expect(outboundMessageId('m1', 'bot@example.com')).not.toBe(
      outboundMessageId('m2', 'bot@example.com'),
    );
    expect(outboundMessageId('m1', 'bot@example.com')).toMatch(
      /^<nanoclaw\.[0-9a-f]{24}@example\.com>$/,
    );
  });

  it('a fresh subject is the first words of the text', () => {
    expect(freshSubject('## Daily summary\n\nbody', 'Andy')).toBe('Daily summary');
    expect(freshSubject('', 'Andy')).toBe('Message from Andy');
    expect(freshSubject('x'.repeat(100), 'Andy')).toHaveLength(68);
  });

  it('a mail is known by its Message-ID, else by a hash of its fixed headers', () => {
    expect(messageKey('<A@x>', 'h')).toBe('mid:<a@x>');
    expect(messageKey(undefined, 'From: a')).toMatch(/^hash:[0-9a-f]{64}$/);
    expect(messageKey(undefined, 'From: a')).not.toBe(messageKey(undefined, 'From: b'));
  });
});
