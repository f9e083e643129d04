/**
 * Inbound through the real discord.js against the fake Discord (REST v10 + Gateway, loopback):
 * guild channel and DM messages reach the host with zero-padded ids, mentions and replies to
 * the bot are Discord's flags, bots never wake anyone, guild channels are discovered, and an
 * attachment is downloaded from its URL within the host's byte limit.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ANN,
  BOT,
  DM,
  GENERAL,
  startFakeDiscord,
  type FakeDiscord,
} from './support/fake-discord.js';
import { connected, startChannel, until, type Harness } from './support/harness.js';

describe('discord inbound (real discord.js, fake Discord)', () => {
  let fake: FakeDiscord;
  let h: Harness;

  beforeEach(async () => {
    fake = await startFakeDiscord({ heartbeatMs: 100 });
    h = startChannel(fake);
    await connected(h);
  });

  afterEach(async () => {
    await h.channel.stop();
    await fake.close();
  });

  it('a guild channel message arrives with its chat, sender and a zero-padded id', async () => {
    const id = fake.guildMessage('hello from discord');
    const m = await until(() => h.received[0]);
    expect(m).toMatchObject({
      chatId: `discord:${GENERAL.id}`,
      chatName: '#general (Family)',
      chatKind: 'group',
      id: id.padStart(20, '0'),
      senderId: `discord:${ANN.id}`,
      senderName: 'Ann Lee',
      text: 'hello from discord',
      mentionsBot: false,
      repliesToBot: false,
      fromBot: false,
    });
    expect(m.id).toHaveLength(20);
    // GUILD_CREATE's text channel was reported before anyone wrote there.
    expect(h.seen[0]).toEqual({
      chatId: `discord:${GENERAL.id}`,
      name: '#general (Family)',
      kind: 'group',
    });
  });

  it('a DM (no guild, channel_type 1) arrives as a dm chat', async () => {
    fake.dmMessage('hi in private');
    const m = await until(() => h.received[0]);
    expect(m).toMatchObject({
      chatId: `discord:${DM.id}`,
      chatKind: 'dm',
      chatName: 'Ann Lee',
      text: 'hi in private',
    });
  });

  it('a mention and a reply to the bot are flagged; the mention reads as @name', async () => {
    fake.guildMessage(`<@${BOT.id}> what time is it?`, { mentions: [BOT] });
    fake.guildMessage('thanks', {
      type: 19,
      referenced_message: { id: '1', author: BOT, content: 'x' },
    });
    fake.guildMessage(`<@${ANN.id}> not for the bot`, { mentions: [ANN] });
    await until(() => h.received.length === 3);
    expect(h.received.map((m) => [m.text, m.mentionsBot, m.repliesToBot])).toEqual([
      ['@NanoBot what time is it?', true, false],
      ['thanks', false, true],
      ['@Ann Lee not for the bot', false, false],
    ]);
  });

  it('messages of bots and webhooks are flagged fromBot; system messages are not stored', async () => {
    fake.guildMessage('beep', {
      author: { id: '700000000000000001', username: 'other', bot: true },
    });
    fake.guildMessage('hook', { webhook_id: '700000000000000002' });
    fake.guildMessage('', { type: 7 }); // a member joined
    fake.guildMessage('last');
    await until(() => h.received.some((m) => m.text === 'last'));
    expect(h.received.map((m) => [m.text, m.fromBot])).toEqual([
      ['beep', true],
      ['hook', true],
      ['last', false],
    ]);
  });

  it('ids of messages sent in order sort as text in that order', async () => {
    for (let i = 0; i < 5; i++) fake.guildMessage(`n${i}`);
    await until(() => h.received.length === 5);
    const ids = h.received.map((m) => m.id);
    expect([...ids].sort()).toEqual(ids);
    expect(h.received.map((m) => m.text)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
  });

  it('an attachment is fetched from its URL, bounded by the host limit', async () => {
    const bytes = Buffer.from('%PDF-1.4 fake pdf bytes');
    const file = fake.addFile(bytes, 'notes.pdf', 'application/pdf');
    const photo = fake.addFile(Buffer.alloc(64, 7), 'cat.png', 'image/png');
    fake.guildMessage('two files', { attachments: [file, photo] });
    const m = await until(() => h.received[0]);
    const [pdf, png] = m.attachments ?? [];
    expect(pdf).toMatchObject({
      kind: 'document',
      name: 'notes.pdf',
      mime: 'application/pdf',
      size: bytes.length,
    });
    expect(png).toMatchObject({ kind: 'photo', name: 'cat.png', mime: 'image/png' });
    expect(await pdf?.fetch(1000, AbortSignal.timeout(5000))).toEqual(bytes);
    await expect(png?.fetch(10, AbortSignal.timeout(5000))).rejects.toThrow(
      /larger than the limit of 10 bytes/,
    );
    // The announced size can lie: the download itself is bounded too.
    const liar = {
      ...fake.addFile(Buffer.alloc(5000), 'big.bin', 'application/octet-stream'),
      size: 1,
    };
    fake.guildMessage('liar', { attachments: [liar] });
    const big = await until(() => h.received[1]?.attachments?.[0]);
    await expect(big.fetch(100, AbortSignal.timeout(5000))).rejects.toThrow(
      /larger than the limit/,
    );
  });

  it('a store failure is retried until the message is stored (nothing lost); order is kept', async () => {
    let failures = 2;
    h.onReceive(async (m) => {
      if (m.text === 'first' && failures-- > 0) throw new Error('database is locked');
      h.received.push(m);
    });
    fake.guildMessage('first');
    fake.guildMessage('second');
    await until(() => h.received.length === 2);
    expect(h.received.map((m) => m.text)).toEqual(['first', 'second']);
    expect(h.logs.join('')).toContain('storing a discord message failed; retrying');
  });

  it('heartbeats are sent and acknowledged', async () => {
    await until(() => fake.gateway.state.heartbeats >= 3);
    expect(fake.gateway.state.identifies).toBe(1);
    expect(fake.gateway.state.connections).toBe(1);
  });
});
