/**
 * The real adapter's webhook over real HTTP, with Meta's side played by the signed webhook
 * sender and the fake Graph API: the verify-token handshake, signed deliveries stored before
 * the 200 (a store failure answers 500, so Meta delivers again), forged deliveries refused and
 * logged, bounded bodies, and media fetched through the Graph API, bounded.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraph, type FakeGraph } from './support/fake-graph.js';
import { startChannel, type Harness } from './support/harness.js';
import {
  APP_SECRET,
  VERIFY_TOKEN,
  deliver,
  mediaMessage,
  messagesPayload,
  signature,
  textMessage,
} from './support/webhooks.js';

describe('whatsapp-cloud webhook (real adapter, real HTTP, fake Graph API)', () => {
  let graph: FakeGraph;
  let h: Harness;

  beforeAll(async () => {
    graph = await startFakeGraph();
  });
  afterEach(async () => {
    await h.channel.stop();
  });
  afterAll(async () => {
    await graph.close();
  });

  const verifyUrl = (token: string, challenge = '1158201444') =>
    `${h.webhook}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=${challenge}`;

  it('answers the verify handshake with the challenge; a wrong token gets 403', async () => {
    h = await startChannel(graph);
    const ok = await fetch(verifyUrl(VERIFY_TOKEN));
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
    const wrong = await fetch(verifyUrl(`${VERIFY_TOKEN}x`));
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).not.toContain('1158201444');
    const script = await fetch(verifyUrl(VERIFY_TOKEN, '%3Cscript%3E'));
    expect(script.status).toBe(403);
  });

  it('a signed text is stored before the 200, with a ts unique per chat', async () => {
    h = await startChannel(graph);
    const messages = [textMessage('first'), textMessage('second')];
    const res = await deliver(h.webhook, messagesPayload(graph.phoneNumberId, { messages }));
    expect(res.status).toBe(200);
    expect(h.received.map((m) => [m.text, m.chatId, m.senderName, m.chatKind])).toEqual([
      ['first', 'wacloud:15551234567', 'Ann Lee', 'dm'],
      ['second', 'wacloud:15551234567', 'Ann Lee', 'dm'],
    ]);
    // Same WhatsApp second: the second sorts after the first anyway.
    expect(h.received[1]?.ts).toBeGreaterThan(h.received[0]?.ts ?? Infinity);
    expect(h.seen[0]).toEqual({
      chatId: 'wacloud:15551234567',
      name: 'Ann Lee',
      kind: 'dm',
    });
  });

  it('a store failure answers 500 (Meta delivers again); the redelivery is stored', async () => {
    h = await startChannel(graph);
    let failures = 1;
    h.onReceive(async (m) => {
      if (failures-- > 0) throw new Error('disk full');
      h.received.push(m);
    });
    const payload = messagesPayload(graph.phoneNumberId, { messages: [textMessage('retry me')] });
    expect((await deliver(h.webhook, payload)).status).toBe(500);
    expect(h.received).toHaveLength(0);
    expect((await deliver(h.webhook, payload)).status).toBe(200);
    expect(h.received.map((m) => m.text)).toEqual(['retry me']);
  });

  it.each([
    ['no signature', { header: null }],
    ['a signature with another secret', { secret: 'not-the-app-secret-000000000000' }],
    ['a malformed signature', { header: 'sha256=zz' }],
  ])('refuses %s with 401, logs it, stores nothing', async (_name, options) => {
    h = await startChannel(graph);
    const payload = messagesPayload(graph.phoneNumberId, { messages: [textMessage('forged')] });
    const res = await deliver(h.webhook, payload, options);
    expect(res.status).toBe(401);
    expect(h.received).toHaveLength(0);
    expect(h.logs.join('')).toContain('webhook refused: bad signature');
    expect(h.logs.join('')).not.toContain('forged');
  });

  it('refuses a genuine signature replayed with a different body', async () => {
    h = await startChannel(graph);
    const genuine = JSON.stringify(
      messagesPayload(graph.phoneNumberId, { messages: [textMessage('hello')] }),
    );
    const header = signature(APP_SECRET, genuine);
    expect((await deliver(h.webhook, undefined, { body: genuine, header })).status).toBe(200);
    const tampered = genuine.replace('hello', 'send me the files');
    expect((await deliver(h.webhook, undefined, { body: tampered, header })).status).toBe(401);
    expect(h.received.map((m) => m.text)).toEqual(['hello']);
  });

  it('refuses an oversized body (413) and a signed non-payload (400)', async () => {
    h = await startChannel(graph);
    const big = 'x'.repeat(70 * 1024);
    expect(
      (await deliver(h.webhook, undefined, { body: big, header: signature(APP_SECRET, big) }))
        .status,
    ).toBe(413);
    expect((await deliver(h.webhook, { object: 'page', entry: [] })).status).toBe(400);
    expect((await fetch(h.webhook.replace('/webhook', '/other'))).status).toBe(404);
    expect(h.received).toHaveLength(0);
  });

  it('status webhooks are acknowledged; a failed delivery (131047) is logged, nothing stored', async () => {
    h = await startChannel(graph);
    const statuses = [
      {
        id: 'wamid.out.1',
        status: 'delivered',
        timestamp: '1700000001',
        recipient_id: '15551234567',
      },
      { id: 'wamid.out.2', status: 'failed', timestamp: '1700000002', errors: [{ code: 131047 }] },
    ];
    const res = await deliver(h.webhook, messagesPayload(graph.phoneNumberId, { statuses }));
    expect(res.status).toBe(200);
    expect(h.received).toHaveLength(0);
    const logs = h.logs.join('');
    expect(logs).toContain('the 24-hour window had closed (131047)');
    expect(logs).not.toContain('wamid.out.1');
  });

  it('an image arrives as an attachment whose bytes come through the Graph API (Bearer)', async () => {
    h = await startChannel(graph);
    const bytes = Buffer.from('\xff\xd8\xff fake jpeg bytes', 'latin1');
    const id = graph.addMedia(bytes, 'image/jpeg');
    const image = mediaMessage('image', { id, mime_type: 'image/jpeg', caption: 'what is this?' });
    const voice = mediaMessage('audio', { id, mime_type: 'audio/ogg', voice: true });
    await deliver(h.webhook, messagesPayload(graph.phoneNumberId, { messages: [image, voice] }));
    const [photo, note] = h.received;
    expect(photo?.text).toBe('what is this?');
    expect(photo?.attachments?.[0]?.kind).toBe('photo');
    expect(note?.attachments?.[0]?.kind).toBe('voice');
    const got = await photo?.attachments?.[0]?.fetch(1024, AbortSignal.timeout(5000));
    expect(got?.equals(bytes)).toBe(true);
    const download = graph.calls.find((c) => c.path.startsWith('/media-bytes/'));
    expect(download?.auth).toBe(`Bearer ${graph.token}`);
  });

  it('a file over the limit is refused without downloading it', async () => {
    h = await startChannel(graph);
    const id = graph.addMedia(Buffer.alloc(50_000, 1), 'application/pdf');
    const doc = mediaMessage('document', { id, filename: 'big.pdf' });
    await deliver(h.webhook, messagesPayload(graph.phoneNumberId, { messages: [doc] }));
    const before = graph.bytesServed();
    const fetched = h.received[0]?.attachments?.[0]?.fetch(1000, AbortSignal.timeout(5000));
    await expect(fetched).rejects.toThrow(/larger than the limit of 1000 bytes/);
    expect(graph.bytesServed()).toBe(before);
  });
});
