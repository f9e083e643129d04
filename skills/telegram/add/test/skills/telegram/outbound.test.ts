/**
 * Telegram out: the real adapter and real grammY sending to a local fake Bot API, whose HTML
 * check mirrors Telegram's (known tags, balanced): rendering, the plain-text fallback, 4096
 * splits with code blocks intact, 429 retry_after, files as photo or document, typing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramRateLimitError } from '../../../src/channels/telegram/send.js';
import {
  htmlParseError,
  startFakeTelegram,
  type FakeCall,
  type FakeTelegram,
} from './support/fake-telegram.js';
import { startChannel, until, type Harness } from './support/harness.js';

const PARSE_ERROR = {
  code: 400,
  description: 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 3',
};

describe('telegram outbound (real grammY, fake Bot API)', () => {
  let fake: FakeTelegram;
  let h: Harness;
  let seq = 0;
  const sent = (method = 'sendMessage') => fake.calls.filter((c) => c.method === method);
  const send = (text: string, file?: { name: string; mime: string; bytes: Buffer }) =>
    h.channel.send({
      chatId: 'telegram:42',
      messageId: `m${++seq}`,
      text,
      ...(file ? { file } : {}),
    });

  beforeEach(async () => {
    fake = await startFakeTelegram();
    h = startChannel(fake);
    await until(() => h.channel.health().state === 'connected');
  });
  afterEach(async () => {
    await h.channel.stop();
    await fake.close();
  });

  it('renders Markdown as Telegram HTML that Telegram accepts; raw HTML is shown, not obeyed', async () => {
    await send(
      '# Plan\n\n**Bold**, _it_, `a<b`, ~~old~~ and [docs](https://example.com/?a=1&b=2).\n\n' +
        '- one\n- two\n\n> quoted\n\n```ts\nconst x: Array<number> = [];\n```\n\n<b>not markup</b> & co',
    );
    const [call] = sent();
    expect(sent()).toHaveLength(1);
    expect(call?.params.parse_mode).toBe('HTML');
    const html = String(call?.params.text);
    expect(htmlParseError(html)).toBeUndefined();
    expect(html).toContain('<b>Plan</b>');
    expect(html).toContain('<b>Bold</b>, <i>it</i>, <code>a&lt;b</code>, <s>old</s>');
    expect(html).toContain('<a href="https://example.com/?a=1&amp;b=2">docs</a>');
    expect(html).toContain('• one\n• two');
    expect(html).toContain('<blockquote>quoted</blockquote>');
    expect(html).toContain(
      '<pre><code class="language-ts">const x: Array&lt;number&gt; = [];</code></pre>',
    );
    expect(html).toContain('&lt;b&gt;not markup&lt;/b&gt; &amp; co');
  });

  it('sends plain text when Telegram cannot parse the markup', async () => {
    fake.fail('sendMessage', PARSE_ERROR);
    await send('**bold** and <tag>');
    const [first, second] = sent();
    expect(first?.params.parse_mode).toBe('HTML');
    expect(second?.params.parse_mode).toBeUndefined();
    expect(second?.params.text).toBe('bold and <tag>');
  });

  it('splits at 4096 characters without breaking code blocks, in order', async () => {
    const prose = Array.from(
      { length: 40 },
      (_, i) => `Paragraph ${i}: ${'lorem ipsum '.repeat(12)}`,
    );
    const code = Array.from({ length: 400 }, (_, i) => `print("line ${i}") # <${i}>`).join('\n');
    await send(`${prose.join('\n\n')}\n\n\`\`\`python\n${code}\n\`\`\`\n\nThe end.`);
    const texts = sent().map((c) => String(c.params.text));
    expect(texts.length).toBeGreaterThan(3);
    for (const t of texts) {
      expect(t.length).toBeLessThanOrEqual(4096);
      expect(htmlParseError(t)).toBeUndefined();
    }
    expect(sent().every((c) => c.params.parse_mode === 'HTML')).toBe(true);
    const all = texts.join('\n');
    const lines = [...all.matchAll(/print\("line (\d+)"\)/g)].map((m) => Number(m[1]));
    expect(lines).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(
      texts.filter((t) => t.includes('print(')).every((t) => t.includes('language-python')),
    ).toBe(true);
    expect(texts.at(-1)).toContain('The end.');
  });

  it('waits out a 429 for its retry_after, then delivers', async () => {
    fake.fail('sendMessage', {
      code: 429,
      description: 'Too Many Requests: retry after 1',
      retryAfter: 1,
    });
    await send('hello');
    const [limited, delivered] = sent();
    expect(delivered?.params.text).toBe('hello');
    // The retry came no sooner than Telegram asked.
    expect((delivered?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('a retry_after longer than it waits in place throws for the outbox to retry', async () => {
    fake.fail('sendMessage', {
      code: 429,
      description: 'Too Many Requests: retry after 3600',
      retryAfter: 3600,
    });
    await expect(send('later')).rejects.toThrow(TelegramRateLimitError);
    expect(sent()).toHaveLength(1);
  });

  it('a retried message does not repeat the parts already delivered', async () => {
    const long = Array.from({ length: 3 }, (_, i) => `${'x'.repeat(3000)} part${i}`).join('\n\n');
    // The first part goes through, the second fails once (server error).
    const failOnSecond = () =>
      fake.fail('sendMessage', { code: 500, description: 'Internal Server Error' });
    const first = h.channel.send({ chatId: 'telegram:42', messageId: 'long', text: long });
    await fake.waitFor('sendMessage');
    failOnSecond();
    await expect(first).rejects.toThrow(/500/);
    await h.channel.send({ chatId: 'telegram:42', messageId: 'long', text: long });
    const delivered = sent()
      .filter((c) => c.params.text)
      .map((c) => /part(\d)/.exec(String(c.params.text))?.[1]);
    expect(delivered).toEqual(['0', '1', '1', '2']);
  });

  it('sends an image as a photo and anything else as a document (multipart), caption rendered', async () => {
    const png = Buffer.from('\x89PNG fake image bytes');
    await send('the **chart**', { name: 'chart.png', mime: 'image/png', bytes: png });
    const photo = await fake.waitFor('sendPhoto');
    expect(photo.files.photo?.bytes).toEqual(png);
    expect(photo.files.photo?.name).toBe('chart.png');
    expect(photo.params.caption).toBe('the <b>chart</b>');
    expect(photo.params.parse_mode).toBe('HTML');
    const pdf = Buffer.from('%PDF-1.4 report');
    await send('', { name: 'report.pdf', mime: 'application/pdf', bytes: pdf });
    const doc = await fake.waitFor('sendDocument');
    expect(doc.files.document?.bytes).toEqual(pdf);
    expect(doc.files.document?.name).toBe('report.pdf');
    expect(doc.params.caption).toBeUndefined();
    expect(sent()).toHaveLength(0);
  });

  it('a text too long for a caption goes first, then the file without one', async () => {
    const text = 'word '.repeat(400);
    await send(text, { name: 'a.txt', mime: 'text/plain', bytes: Buffer.from('a') });
    const order = fake.calls.map((c) => c.method).filter((m) => m.startsWith('send'));
    expect(order).toEqual(['sendMessage', 'sendDocument']);
    expect(sent('sendDocument')[0]?.params.caption).toBeUndefined();
  });

  it('typing is sent at once and renewed while on, and stops when off', async () => {
    const typing = () => fake.calls.filter((c: FakeCall) => c.method === 'sendChatAction');
    await h.channel.setTyping('telegram:42', true);
    await h.channel.setTyping('telegram:42', true); // the host's own refresh: no second timer
    expect(typing()[0]?.params).toMatchObject({ chat_id: 42, action: 'typing' });
    await until(() => typing().length >= 3);
    await h.channel.setTyping('telegram:42', false);
    const count = typing().length;
    await new Promise((r) => setTimeout(r, 500));
    expect(typing().length).toBe(count);
  });
});
