/**
 * Slack outbound against the fake Web API: the real adapter and web-api client. Replies stay in
 * the thread of the message they answer; mrkdwn; long replies split with code blocks intact;
 * 429 Retry-After waited out or handed back to the outbox without losing or doubling a part;
 * files through the files.uploadV2 flow; the 👀 reaction as the typing equivalent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SlackRateLimitError } from '../../../src/channels/slack/send.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { CHANNEL, DM, messageEvent, startChannel, until, type Harness } from './support/harness.js';

describe('slack outbound (real web-api client, fake Slack)', () => {
  let fake: FakeSlack;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.channel.stop();
    await fake.close();
    h = undefined;
  });

  async function ready(): Promise<Harness> {
    fake = await startFakeSlack();
    h = startChannel(fake);
    await until(() => h?.channel.health().state === 'connected');
    return h;
  }
  const posts = () => fake.calls.filter((c) => c.method === 'chat.postMessage');

  it('a reply to a thread message goes into that thread; to a top-level message, into the channel', async () => {
    const { channel } = await ready();
    const parent = '1700000000.000100';
    await channel.send({
      chatId: `slack:${CHANNEL}`,
      messageId: 'a1',
      text: 'In **the** thread',
      replyTo: `1700000000.000200@${parent}`,
    });
    await channel.send({
      chatId: `slack:${CHANNEL}`,
      messageId: 'a2',
      text: 'top _level_',
      replyTo: '1700000000.000300',
    });
    await channel.send({ chatId: `slack:${DM}`, messageId: 'a3', text: 'a notice' });
    expect(posts().map((c) => [c.params.channel, c.params.thread_ts, c.params.text])).toEqual([
      [CHANNEL, parent, 'In *the* thread'],
      [CHANNEL, undefined, 'top _level_'],
      [DM, undefined, 'a notice'],
    ]);
    expect(posts().every((c) => c.token === fake.botToken)).toBe(true);
  });

  it('a long reply is split under 4000 characters without cutting a code block open', async () => {
    const { channel } = await ready();
    const code = `\`\`\`ts\n${'const x = 1; // <tag>\n'.repeat(300)}\`\`\``;
    const text = `${'Words in a paragraph. '.repeat(150)}\n\n${code}`;
    await channel.send({ chatId: `slack:${CHANNEL}`, messageId: 'long', text });
    const texts = posts().map((c) => String(c.params.text));
    expect(texts.length).toBeGreaterThan(2);
    for (const t of texts) {
      expect(t.length).toBeLessThanOrEqual(4000);
      expect((t.match(/```/g) ?? []).length % 2).toBe(0);
    }
    expect(texts.join('')).toContain('&lt;tag&gt;');
  });

  it('a 429 with a short Retry-After is waited out: posted exactly once', async () => {
    const { channel } = await ready();
    fake.fail('chat.postMessage', { status: 429, retryAfter: 1 });
    await channel.send({ chatId: `slack:${CHANNEL}`, messageId: 'r1', text: 'patience' });
    expect(posts().map((c) => c.params.text)).toEqual(['patience', 'patience']); // the 429, then the post
  });

  it('a long Retry-After goes back to the outbox; the retry does not repeat parts already posted', async () => {
    const { channel } = await ready();
    const text = `${'first part. '.repeat(300)}\n\n${'second part. '.repeat(300)}`;
    // The first chunk is accepted, the second is rate-limited for longer than we wait in place.
    fake.fail('chat.postMessage', { status: 429, retryAfter: 30 }, 1, 1);
    const message = { chatId: `slack:${CHANNEL}`, messageId: 'split', text };
    await expect(channel.send(message)).rejects.toBeInstanceOf(SlackRateLimitError);
    await channel.send(message); // the outbox's retry
    const texts = posts().map((c) => String(c.params.text));
    // chunk 1 (ok), chunk 2 (429), chunk 2 again (ok): chunk 1 was not posted twice.
    expect(texts).toHaveLength(3);
    expect(texts[0]).toMatch(/^first part/);
    expect(texts[1]).toMatch(/^second part/);
    expect(texts[2]).toBe(texts[1]);
  });

  it('a file goes out through getUploadURLExternal, the upload and completeUploadExternal, in the thread', async () => {
    const { channel } = await ready();
    const bytes = Buffer.from('quarterly numbers: 42\n');
    const parent = '1700000000.000100';
    await channel.send({
      chatId: `slack:${CHANNEL}`,
      messageId: 'f1',
      text: 'the **report**',
      file: { name: 'report.txt', mime: 'text/plain', bytes },
      replyTo: `1700000000.000500@${parent}`,
    });
    const methods = fake.calls
      .map((c) => c.method)
      .filter((m) => m !== 'auth.test' && m !== 'apps.connections.open' && m !== 'ack');
    expect(methods).toEqual([
      'files.getUploadURLExternal',
      'upload',
      'files.completeUploadExternal',
    ]);
    const [upload] = [...fake.uploads.values()];
    expect(upload).toMatchObject({
      name: 'report.txt',
      channel: CHANNEL,
      thread: parent,
      comment: 'the *report*',
    });
    expect(upload?.bytes.equals(bytes)).toBe(true);
  });

  it('typing: 👀 on the message being answered while the agent works, taken away after', async () => {
    const h = await ready();
    const e = messageEvent(CHANNEL, { text: 'question' });
    fake.event(e);
    await until(() => h.received.length === 1);
    await h.channel.setTyping(`slack:${CHANNEL}`, true);
    await h.channel.setTyping(`slack:${CHANNEL}`, true); // already shown: no second reaction
    await h.channel.setTyping(`slack:${CHANNEL}`, false);
    const reactions = fake.calls.filter((c) => c.method.startsWith('reactions.'));
    expect(
      reactions.map((c) => [c.method, c.params.channel, c.params.timestamp, c.params.name]),
    ).toEqual([
      ['reactions.add', CHANNEL, e.ts, 'eyes'],
      ['reactions.remove', CHANNEL, e.ts, 'eyes'],
    ]);
  });
});
