import type { WAMessage } from 'baileys';
import { describe, expect, it } from 'vitest';
import { interpret, jidOf, unwrap, type Identity } from './message.js';

const ME: Identity = { pn: '4915100000000@s.whatsapp.net', lid: '1111@lid' };
const ANN = '4917700000000@s.whatsapp.net';
const GROUP = '120363000000000000@g.us';

const msg = (
  remoteJid: string,
  message: Record<string, unknown>,
  key: Record<string, unknown> = {},
) =>
  ({
    key: { remoteJid, id: '3EB0AAA', fromMe: false, ...key },
    message,
    messageTimestamp: 1_700_000_000,
    pushName: 'Ann',
  }) as WAMessage;

const names = (jid: string) => (jid === GROUP ? 'Family' : undefined);
const parsed = (m: WAMessage) => {
  const meaning = interpret(m, ME, names);
  if (meaning.kind !== 'message') throw new Error(meaning.why);
  return meaning.message;
};

describe('Baileys messages → host messages', () => {
  it('a DM: chat and sender from the jid, name from pushName', () => {
    expect(parsed(msg(ANN, { conversation: 'hi' }))).toEqual({
      chatId: `whatsapp:${ANN}`,
      chatName: 'Ann',
      id: '3EB0AAA',
      ts: 1_700_000_000_000,
      senderId: `whatsapp:${ANN}`,
      senderName: 'Ann',
      text: 'hi',
      chatKind: 'dm',
      mentionsBot: false,
      repliesToBot: false,
      fromBot: false,
    });
  });

  it('a LID chat uses the phone-number jid sent alongside', () => {
    const m = parsed(
      msg('5555@lid', { conversation: 'x' }, { remoteJidAlt: '4917700000000:3@s.whatsapp.net' }),
    );
    expect(m.chatId).toBe(`whatsapp:${ANN}`);
    expect(parsed(msg('5555@lid', { conversation: 'x' })).chatId).toBe('whatsapp:5555@lid');
  });

  it('groups: sender is the participant; mentions and replies to us are the flags', () => {
    const context = {
      mentionedJid: ['1111@lid'],
      stanzaId: 'S1',
      participant: '4915100000000@s.whatsapp.net',
    };
    const m = parsed(
      msg(
        GROUP,
        { extendedTextMessage: { text: '@me hi', contextInfo: context } },
        { participant: ANN },
      ),
    );
    expect(m).toMatchObject({
      chatId: `whatsapp:${GROUP}`,
      chatName: 'Family',
      chatKind: 'group',
      senderId: `whatsapp:${ANN}`,
      mentionsBot: true,
      repliesToBot: true,
    });
  });

  it('the "message yourself" chat: what the owner types is the owner, not the bot', () => {
    const m = parsed(
      msg('4915100000000@s.whatsapp.net', { conversation: 'note' }, { fromMe: true }),
    );
    expect(m).toMatchObject({
      chatName: 'Message yourself',
      fromBot: false,
      senderName: 'You',
      chatKind: 'dm',
    });
    expect(m.senderId).toBe('whatsapp:4915100000000@s.whatsapp.net');
  });

  it('what the owner types to others is the bot side (never wakes); our own replies are skipped', () => {
    expect(parsed(msg(ANN, { conversation: 'see you' }, { fromMe: true })).fromBot).toBe(true);
    const echo = interpret(
      msg(ANN, { conversation: 'reply' }, { fromMe: true, id: 'NCLW0123' }),
      ME,
      names,
    );
    expect(echo).toMatchObject({ kind: 'ignore', why: 'our own reply' });
  });

  it('media: photo with caption, voice note, document with name and size', () => {
    expect(
      parsed(
        msg(ANN, { imageMessage: { caption: 'look', mimetype: 'image/jpeg', fileLength: 10 } }),
      ),
    ).toMatchObject({
      text: 'look',
      file: { kind: 'photo', mime: 'image/jpeg', size: 10 },
    });
    expect(parsed(msg(ANN, { audioMessage: { ptt: true, mimetype: 'audio/ogg' } })).file).toEqual({
      kind: 'voice',
      mime: 'audio/ogg',
    });
    const doc = {
      documentWithCaptionMessage: {
        message: { documentMessage: { fileName: 'a.pdf', caption: 'c' } },
      },
    };
    expect(parsed(msg(ANN, doc))).toMatchObject({
      text: 'c',
      file: { kind: 'document', name: 'a.pdf' },
    });
  });

  it('wrappers are unwrapped (disappearing, view once)', () => {
    expect(
      unwrap({
        ephemeralMessage: { message: { viewOnceMessageV2: { message: { conversation: 'x' } } } },
      }),
    ).toEqual({
      conversation: 'x',
    });
    expect(
      parsed(msg(ANN, { ephemeralMessage: { message: { conversation: 'gone soon' } } })).text,
    ).toBe('gone soon');
  });

  it('skips status broadcasts, newsletters, reactions and empty messages, but reports the chat', () => {
    expect(interpret(msg('status@broadcast', { conversation: 'x' }), ME, names).kind).toBe(
      'ignore',
    );
    expect(interpret(msg('1@newsletter', { conversation: 'x' }), ME, names).kind).toBe('ignore');
    const reaction = interpret(msg(ANN, { reactionMessage: { text: '👍' } }), ME, names);
    expect(reaction).toMatchObject({
      kind: 'ignore',
      chat: { chatId: `whatsapp:${ANN}`, kind: 'dm' },
    });
  });

  it('chat ids: only real jids', () => {
    expect(jidOf(`whatsapp:${GROUP}`)).toBe(GROUP);
    expect(jidOf('whatsapp:../../etc')).toBeUndefined();
    expect(jidOf('wacloud:123')).toBeUndefined();
  });
});
