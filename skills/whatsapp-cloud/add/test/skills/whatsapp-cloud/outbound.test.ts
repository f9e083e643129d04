/**
 * The real adapter's Graph API side against the fake: texts in WhatsApp formatting and split at
 * 4096, files uploaded then sent (images as images, the rest as documents), rate limits waited
 * out or left to the outbox without doubling a part, the 24-hour-window error explained, read +
 * typing for the last inbound message, and health (connected, refused token, Graph unreachable).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraph, type FakeGraph } from './support/fake-graph.js';
import { startChannel, until, type Harness } from './support/harness.js';
import { deliver, messagesPayload, textMessage } from './support/webhooks.js';

const CHAT = 'wacloud:15551234567';

describe('whatsapp-cloud sends and health (real adapter, fake Graph API)', () => {
  let graph: FakeGraph;
  let h: Harness;

  beforeAll(async () => {
    graph = await startFakeGraph();
  });
  afterEach(async () => {
    await h.channel.stop();
    graph.calls.length = 0;
  });
  afterAll(async () => {
    await graph.close();
  });

  const bodies = () =>
    graph.sent().map((c) => (c.body.text as { body: string } | undefined)?.body ?? c.body.type);

  it('sends Markdown as WhatsApp formatting with the Bearer token', async () => {
    h = await startChannel(graph);
    await h.channel.send({ chatId: CHAT, messageId: 'a1', text: '**Hi** _there_, see `x`' });
    const [call] = graph.sent();
    expect(call?.body).toMatchObject({
      messaging_product: 'whatsapp',
      to: '15551234567',
      type: 'text',
      text: { body: '*Hi* _there_, see `x`' },
    });
    expect(call?.auth).toBe(`Bearer ${graph.token}`);
  });

  it('splits a long reply at 4096 characters, code blocks intact', async () => {
    h = await startChannel(graph);
    const code = '```\n' + 'line of code\n'.repeat(400) + '```';
    await h.channel.send({
      chatId: CHAT,
      messageId: 'a2',
      text: `${'word '.repeat(300)}\n\n${code}`,
    });
    const sent = bodies() as string[];
    expect(sent.length).toBeGreaterThan(1);
    for (const body of sent) expect(body.length).toBeLessThanOrEqual(4096);
    for (const body of sent.slice(1))
      expect(body.startsWith('```') && body.endsWith('```')).toBe(true);
  });

  it('a file is uploaded, then sent as a document with its name and the caption', async () => {
    h = await startChannel(graph);
    const file = { name: 'report.pdf', mime: 'application/pdf', bytes: Buffer.from('%PDF-1.4') };
    await h.channel.send({ chatId: CHAT, messageId: 'a3', text: 'the **report**', file });
    const upload = graph.calls.find((c) => c.path.endsWith('/media'));
    expect(upload?.file?.bytes.toString()).toBe('%PDF-1.4');
    expect(upload?.body).toMatchObject({ messaging_product: 'whatsapp', type: 'application/pdf' });
    expect(graph.sent()[0]?.body).toMatchObject({
      type: 'document',
      document: { filename: 'report.pdf', caption: 'the *report*' },
    });
  });

  it('an image goes as an image message', async () => {
    h = await startChannel(graph);
    const file = { name: 'a.png', mime: 'image/png', bytes: Buffer.from('\x89PNG') };
    await h.channel.send({ chatId: CHAT, messageId: 'a4', text: '', file });
    expect(graph.sent()[0]?.body).toMatchObject({ type: 'image' });
  });

  it('a rate limit is waited out in place and the message goes once', async () => {
    h = await startChannel(graph);
    graph.failSends({ status: 400, code: 130429, message: 'Rate limit hit' }, 2);
    await h.channel.send({ chatId: CHAT, messageId: 'a5', text: 'patience' });
    // Two refused, the third accepted: WhatsApp got it once.
    expect(bodies()).toEqual(['patience', 'patience', 'patience']);
  });

  it('a lasting rate limit is left to the outbox; the retry skips the parts delivered', async () => {
    h = await startChannel(graph);
    const text = `${'a'.repeat(4000)}\n\n${'b'.repeat(4000)}`;
    const isB = (c: { body: Record<string, unknown> }) =>
      (c.body.text as { body?: string } | undefined)?.body?.startsWith('b') === true;
    // The first part goes; the second is refused more often than waited out in place.
    graph.failSends({ status: 429, code: 80007, message: 'throughput' }, 3, isB);
    const first = h.channel.send({ chatId: CHAT, messageId: 'a6', text });
    await expect(first).rejects.toThrow(/rate-limits this number.*retried/);
    expect(bodies().map((b) => String(b)[0])).toEqual(['a', 'b', 'b', 'b']);
    // The outbox's retry: only the second part is sent again, and it goes through.
    await h.channel.send({ chatId: CHAT, messageId: 'a6', text });
    expect(bodies().map((b) => String(b)[0])).toEqual(['a', 'b', 'b', 'b', 'b']);
  });

  it('the 24-hour window error says what happened and what to do, and is logged', async () => {
    h = await startChannel(graph);
    graph.failSends({ status: 400, code: 131047, message: 'Re-engagement message' });
    const sent = h.channel.send({ chatId: CHAT, messageId: 'a7', text: 'late' });
    await expect(sent).rejects.toThrow(
      /more than 24 hours.*template.*delivered once they write again/,
    );
    expect(h.logs.join('')).toContain('131047');
  });

  it('typing marks the last inbound message read with the typing indicator', async () => {
    h = await startChannel(graph);
    const message = textMessage('are you there?');
    await deliver(h.webhook, messagesPayload(graph.phoneNumberId, { messages: [message] }));
    await h.channel.setTyping(CHAT, true);
    const read = await graph.waitFor((c) => c.body.status === 'read');
    expect(read.body).toMatchObject({ message_id: message.id, typing_indicator: { type: 'text' } });
    await until(() => graph.calls.filter((c) => c.body.status === 'read').length >= 2);
    await h.channel.setTyping(CHAT, false);
    const count = graph.calls.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(graph.calls.length).toBe(count);
  });

  it('health: connected once the token works; a refused token is failed with the fix', async () => {
    h = await startChannel(graph);
    await until(() => h.health.some((s) => s.state === 'connected'));
    await h.channel.stop();
    h = await startChannel(graph, { token: 'EAAGwrongtokenwrongtoken0000' });
    const failed = await until(() => h.health.find((s) => s.state === 'failed'));
    expect(failed).toMatchObject({ reason: expect.stringContaining('refused the access token') });
    expect(JSON.stringify(failed)).toContain(
      'nanoclaw skills add whatsapp-cloud --set WHATSAPP_TOKEN',
    );
    expect(h.logs.join('')).not.toContain('EAAGwrongtoken');
  });

  it('health: the Graph API unreachable → reconnecting with backoff, then connected', async () => {
    await graph.pause();
    h = await startChannel(graph);
    const retrying = await until(() => h.health.find((s) => s.state === 'reconnecting'));
    expect(retrying).toMatchObject({
      reason: expect.stringMatching(
        /^cannot reach the Graph API at http:\/\/127.0.0.1:\d+ \(\w+\)$/,
      ),
    });
    // The webhook still takes messages meanwhile.
    const res = await deliver(
      h.webhook,
      messagesPayload(graph.phoneNumberId, { messages: [textMessage('meanwhile')] }),
    );
    expect(res.status).toBe(200);
    await graph.resume();
    await until(() => h.health.some((s) => s.state === 'connected'), 5000);
    expect(h.logs.join('')).not.toContain(graph.token);
  });
});
