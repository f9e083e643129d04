/**
 * Slack inbound against the fake Slack: the real Bolt app over Socket Mode (the real
 * SocketModeClient and its undici WebSocket) and the real adapter. Channel messages, DMs,
 * mentions, threads, bots, files; an envelope is acknowledged only after the host stored it,
 * and one whose store failed is delivered again and stored once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import {
  ANN,
  CHANNEL,
  DM,
  messageEvent,
  startChannel,
  until,
  type Harness,
} from './support/harness.js';

describe('slack inbound (real Bolt over Socket Mode, fake Slack)', () => {
  let fake: FakeSlack | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.channel.stop();
    await fake?.close();
    h = undefined;
  });

  async function connected(): Promise<{ fake: FakeSlack; h: Harness }> {
    fake = await startFakeSlack();
    fake.setUser(ANN, 'Ann Lee');
    fake.setChannel(CHANNEL, { name: 'family' });
    h = startChannel(fake);
    await until(() => h?.channel.health().state === 'connected');
    return { fake, h };
  }

  it('a channel message becomes a stored message with names, ids and ts; acked after the store', async () => {
    const { fake, h } = await connected();
    let release: () => void = () => undefined;
    h.onReceive(async (m) => {
      await new Promise<void>((r) => (release = r));
      h.received.push(m);
    });
    const e = messageEvent(CHANNEL, { text: 'hi *there* &lt;3 <https://x.y|site>' });
    const envelope = fake.event(e);
    await until(() => fake.calls.some((c) => c.method === 'auth.test'));
    await new Promise((r) => setTimeout(r, 200));
    // Not acknowledged while the host has not stored it.
    expect(fake.pending()).toContain(envelope);
    release();
    await until(() => fake.pending().length === 0);
    expect(h.received).toHaveLength(1);
    expect(h.received[0]).toMatchObject({
      chatId: `slack:${CHANNEL}`,
      chatName: '#family',
      chatKind: 'group',
      id: e.ts,
      ts: 1_700_000_000_000 + Math.floor(Number(e.ts.split('.')[1]) / 1000),
      senderId: `slack:${ANN}`,
      senderName: 'Ann Lee',
      text: 'hi *there* <3 site (https://x.y)',
      mentionsBot: false,
      fromBot: false,
    });
    expect(h.seen).toContainEqual({ chatId: `slack:${CHANNEL}`, name: '#family', kind: 'group' });
  });

  it('a DM is chatKind dm; a mention (<@bot>) and an app_mention are mentionsBot', async () => {
    const { fake, h } = await connected();
    fake.event(messageEvent(DM, { text: 'just us' }));
    fake.event(messageEvent(CHANNEL, { text: `<@${fake.bot.userId}> what time is it?` }));
    fake.event({
      ...messageEvent(CHANNEL, { text: `<@${fake.bot.userId}> again` }),
      type: 'app_mention',
      channel_type: undefined,
    });
    await until(() => h.received.length === 3);
    expect(h.received[0]).toMatchObject({
      chatKind: 'dm',
      chatName: 'Ann Lee',
      mentionsBot: false,
    });
    expect(h.received[1]).toMatchObject({
      mentionsBot: true,
      text: `@${fake.bot.userId} what time is it?`,
    });
    expect(h.received[2]).toMatchObject({ mentionsBot: true, chatKind: 'group' });
  });

  it('a thread reply carries its thread in the id; a reply in the bot’s thread counts as a reply to the bot', async () => {
    const { fake, h } = await connected();
    const parent = '1700000000.000001';
    const e = messageEvent(CHANNEL, {
      text: 'in the thread',
      thread_ts: parent,
      parent_user_id: fake.bot.userId,
    });
    fake.event(e);
    await until(() => h.received.length === 1);
    expect(h.received[0]?.id).toBe(`${e.ts}@${parent}`);
    expect(h.received[0]?.repliesToBot).toBe(true);
  });

  it('another bot’s message is fromBot; the bot’s own messages, edits and joins are not stored', async () => {
    const { fake, h } = await connected();
    fake.event(
      messageEvent(CHANNEL, {
        subtype: 'bot_message',
        bot_id: 'BOTHER01',
        user: undefined,
        username: 'ci',
        text: 'build ok',
      }),
    );
    fake.event(
      messageEvent(CHANNEL, { user: fake.bot.userId, bot_id: fake.bot.botId, text: 'my own' }),
    );
    fake.event(messageEvent(CHANNEL, { subtype: 'message_changed', text: undefined }));
    fake.event(messageEvent(CHANNEL, { subtype: 'channel_join', text: '<@UANN0001> has joined' }));
    fake.event(messageEvent(CHANNEL, { text: 'the last one' }));
    await until(() => fake.pending().length === 0);
    expect(h.received.map((m) => [m.text, m.fromBot])).toEqual([
      ['build ok', true],
      ['the last one', false],
    ]);
  });

  it('the bot invited into a channel: the channel is seen (discovery) before anyone writes', async () => {
    const { fake, h } = await connected();
    fake.setChannel('C0NEWCHAN', { name: 'new-project' });
    fake.event({
      type: 'member_joined_channel',
      user: ANN,
      channel: 'C0OTHER01',
      channel_type: 'C',
    });
    fake.event({
      type: 'member_joined_channel',
      user: fake.bot.userId,
      channel: 'C0NEWCHAN',
      channel_type: 'C',
    });
    await until(() => fake.pending().length === 0);
    expect(h.seen).toEqual([{ chatId: 'slack:C0NEWCHAN', name: '#new-project', kind: 'group' }]);
    expect(h.received).toHaveLength(0);
  });

  it('a failing store leaves the envelope unacked; after a reconnect it is redelivered and stored once', async () => {
    const { fake, h } = await connected();
    let failures = 1;
    h.onReceive(async (m) => {
      if (failures-- > 0) throw new Error('disk full');
      h.received.push(m);
    });
    fake.event(messageEvent(CHANNEL, { text: 'keep me' }));
    await until(() => h.logs.join('').includes('stays unacknowledged'));
    expect(fake.pending()).toHaveLength(1);
    fake.disconnect();
    await until(() => fake.connections() === 2);
    await until(() => fake.pending().length === 0);
    expect(h.received.map((m) => m.text)).toEqual(['keep me']);
  });

  it('a file is downloaded with the bot token, bounded by maxBytes', async () => {
    const { fake, h } = await connected();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const file = fake.addFile(png, 'pic.png', 'image/png');
    fake.event(messageEvent(CHANNEL, { subtype: 'file_share', text: 'look', files: [file] }));
    await until(() => h.received.length === 1);
    const att = h.received[0]?.attachments?.[0];
    expect(att).toMatchObject({
      kind: 'photo',
      name: 'pic.png',
      mime: 'image/png',
      size: png.length,
    });
    const bytes = await att?.fetch(1000, AbortSignal.timeout(5000));
    expect(bytes?.equals(png)).toBe(true);
    await expect(att?.fetch(4, AbortSignal.timeout(5000))).rejects.toThrow(/larger than the limit/);
  });

  it('a file URL off Slack never receives the token', async () => {
    const { fake, h } = await connected();
    const file = { ...fake.addFile(Buffer.from('x'), 'a.txt', 'text/plain') };
    file.url_private_download = 'https://evil.example/steal';
    fake.event(messageEvent(CHANNEL, { subtype: 'file_share', text: 'x', files: [file] }));
    await until(() => h.received.length === 1);
    await expect(
      h.received[0]?.attachments?.[0]?.fetch(1000, AbortSignal.timeout(5000)),
    ).rejects.toThrow(/not on Slack \(evil\.example\)/);
  });
});
