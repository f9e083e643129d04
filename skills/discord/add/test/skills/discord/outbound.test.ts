/**
 * Outbound through the real adapter and @discordjs/rest against the fake Discord REST v10: a
 * reply lands in the right channel (guild or DM) replying to the message it answers, long
 * replies are split at 2000 characters with code blocks intact, files go as multipart with
 * payload_json, typing is sent (and not more often than needed), and a 429 is waited out with
 * nothing lost or doubled; a long rate limit is handed back to the outbox, and the retry sends
 * only what was missing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordRateLimitError } from '../../../src/channels/discord/send.js';
import { DM, GENERAL, startFakeDiscord, type FakeDiscord } from './support/fake-discord.js';
import { FAST, connected, startChannel, type Harness } from './support/harness.js';

const content = (c: { body: Record<string, unknown> }) => String(c.body.content);

describe('discord outbound (real adapter, @discordjs/rest, fake Discord)', () => {
  let fake: FakeDiscord;
  let h: Harness;

  beforeEach(async () => {
    fake = await startFakeDiscord();
    h = startChannel(fake);
    await connected(h);
  });

  afterEach(async () => {
    await h.channel.stop();
    await fake.close();
  });

  it('a reply goes to the guild channel, as a reply to the padded inbound id, pinging nobody', async () => {
    await h.channel.send({
      chatId: `discord:${GENERAL.id}`,
      messageId: 'a1',
      text: 'Hello **there** @everyone',
      replyTo: '600000000000000007'.padStart(20, '0'),
    });
    const [sent] = fake.created;
    expect(sent?.path).toBe(`/channels/${GENERAL.id}/messages`);
    expect(sent?.body).toMatchObject({
      content: 'Hello **there** @everyone',
      message_reference: { message_id: '600000000000000007', fail_if_not_exists: false },
      allowed_mentions: { parse: [], replied_user: false },
      enforce_nonce: true,
    });
  });

  it('a DM reply goes to the DM channel', async () => {
    await h.channel.send({ chatId: `discord:${DM.id}`, messageId: 'a2', text: 'private answer' });
    expect(fake.created.map((c) => [c.path, content(c)])).toEqual([
      [`/channels/${DM.id}/messages`, 'private answer'],
    ]);
  });

  it('a long reply is split at 2000 characters without cutting a code block open', async () => {
    const prose = 'Some words in a paragraph. '.repeat(60);
    const code = '```ts\n' + 'const x = 1; // line\n'.repeat(150) + '```';
    await h.channel.send({
      chatId: `discord:${GENERAL.id}`,
      messageId: 'a3',
      text: `${prose}\n\n${code}`,
    });
    const parts = fake.created.map(content);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
    for (const p of parts.slice(1)) expect(p.startsWith('```ts\n') && p.endsWith('```')).toBe(true);
    // Only the first part replies; every part has its own nonce.
    const nonces = new Set(fake.created.map((c) => c.body.nonce));
    expect(nonces.size).toBe(parts.length);
  });

  it('a table becomes an aligned code block; deep headings become bold', async () => {
    const text = '#### Totals\n\n| a | bb |\n|---|---|\n| 1 | 2 |';
    await h.channel.send({ chatId: `discord:${GENERAL.id}`, messageId: 'a4', text });
    expect(content(fake.created[0] ?? { body: {} })).toBe(
      '**Totals**\n\n```\na | bb\n--+---\n1 | 2\n```',
    );
  });

  it('a file goes out as multipart: the bytes, its name, and the text in payload_json', async () => {
    const bytes = Buffer.from('quarterly numbers: 42\n');
    await h.channel.send({
      chatId: `discord:${GENERAL.id}`,
      messageId: 'a5',
      text: 'the report',
      file: { name: 'report.txt', mime: 'text/plain', bytes },
    });
    const [sent] = fake.created;
    expect(sent?.files).toEqual([{ name: 'report.txt', contentType: 'text/plain', bytes }]);
    expect(sent?.body).toMatchObject({
      content: 'the report',
      attachments: [{ id: 0, filename: 'report.txt' }],
    });
  });

  it('typing is sent to the channel, at most once per typingEveryMs', async () => {
    await h.channel.stop();
    h = startChannel(fake, { opts: { ...FAST, typingEveryMs: 500 } });
    await connected(h);
    const typing = () =>
      fake.calls.filter((c) => c.path === `/channels/${GENERAL.id}/typing`).length;
    await h.channel.setTyping(`discord:${GENERAL.id}`, true);
    await h.channel.setTyping(`discord:${GENERAL.id}`, true);
    expect(typing()).toBe(1);
    await new Promise((r) => setTimeout(r, 520));
    await h.channel.setTyping(`discord:${GENERAL.id}`, true);
    expect(typing()).toBe(2);
  });

  it('a 429 is waited out (retry_after) and the message is created exactly once', async () => {
    fake.rateLimit(2, 0.2);
    await h.channel.send({
      chatId: `discord:${GENERAL.id}`,
      messageId: 'a6',
      text: 'after the limit',
    });
    expect(fake.calls.filter((c) => c.status === 429)).toHaveLength(2);
    expect(fake.created.map(content)).toEqual(['after the limit']);
  });

  it('a rate limit longer than the wait is handed to the outbox; the retry sends only the rest', async () => {
    const text = `${'first part. '.repeat(150)}\n\n${'second part. '.repeat(100)}`;
    const message = { chatId: `discord:${GENERAL.id}`, messageId: 'a7', text };
    await h.channel.stop();
    h = startChannel(fake, {
      opts: { ...FAST, limits: { ...FAST.limits, maxRateLimitWaitMs: 300 } },
    });
    await connected(h);
    // Part one goes through; part two meets a 1 s limit (over the 300 ms waited in place).
    fake.rateLimit(1, 1, 1);
    await expect(h.channel.send(message)).rejects.toBeInstanceOf(DiscordRateLimitError);
    expect(fake.created).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1100));
    await h.channel.send(message); // the outbox's retry, after the limit
    // Part one was not posted again (the nonce would hide a repeat; the count does not).
    const posts = fake.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/messages'));
    expect(posts.map((c) => c.status)).toEqual([200, 429, 200]);
    expect(fake.created.map(content).map((c) => c.slice(0, 12))).toEqual([
      'first part. ',
      'second part.',
    ]);
  });

  it('a retry after a lost answer is not doubled: Discord de-duplicates by nonce', async () => {
    const message = { chatId: `discord:${GENERAL.id}`, messageId: 'a8', text: 'once only' };
    await h.channel.send(message);
    // A fresh channel (a restart) does not know the first try succeeded; the nonce does.
    const again = startChannel(fake);
    await connected(again);
    await again.channel.send(message);
    await again.channel.stop();
    expect(fake.calls.filter((c) => c.path.endsWith('/messages'))).toHaveLength(2);
    expect(fake.created.map(content)).toEqual(['once only']);
  });
});
