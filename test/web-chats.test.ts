/**
 * Every group's chats through the web API (real HTTP, real SQLite, the real outbox): chats on
 * other channels are listed and readable; in main's (the owner's) the owner's reply goes out as
 * the bot's, marked as typed on the web, through that chat's own channel; another group's are
 * read-only; a scheduled task's answer carries its task's label. The other channel is a
 * recording stand-in (a chat app cannot run here), said so: it only records what it is sent.
 * The attacks on the event stream's `chat` notices (live unread counts) are here too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../src/channels/channel.js';
import { SseParser, type SseEvent } from '../src/cli/sse.js';
import { taskSender } from '../src/scheduler/label.js';
import {
  raw,
  recordingChannel,
  setUpChats,
  startWebHarness,
  storeElsewhere,
  type WebHarness,
} from './support/web.js';

const api = (harness: WebHarness, path: string, init?: RequestInit) =>
  fetch(`${harness.web.url}/api${path}`, init);
const postJson = (harness: WebHarness, chat: string, body: unknown) =>
  api(harness, `/chats/${encodeURIComponent(chat)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

describe('web chats across channels', () => {
  let harness: WebHarness;
  afterEach(async () => harness?.close());

  it("lists every group's chats with their channel and what the owner may do there", async () => {
    harness = await startWebHarness();
    setUpChats(harness);
    const { chats } = (await (await api(harness, '/chats')).json()) as {
      chats: { chatId: string; name: string; channel: string; access: string }[];
    };
    expect(chats.map((c) => [c.chatId, c.name, c.channel, c.access])).toEqual([
      ['web:main', 'Main', 'web', 'chat'],
      ['tg:42', 'Alice (DM)', 'telegram', 'bot-reply'],
      ['tg:-100', 'Family group', 'telegram', 'read-only'],
    ]);
    const family = await api(harness, '/chats/tg%3A-100/messages');
    const { messages } = (await family.json()) as { messages: { sender: string; text: string }[] };
    expect(messages.map((m) => [m.sender, m.text])).toEqual([['Mum', 'Dinner at 7?']]);
  });

  it("sends the owner's reply into main's Telegram chat as the bot's, through the outbox", async () => {
    harness = await startWebHarness();
    setUpChats(harness);
    const sent: OutboundMessage[] = [];
    harness.otherChannels.push(recordingChannel(sent));
    const res = await postJson(harness, 'tg:42', { text: 'On my way', senderName: 'Bob' });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const stored = harness.store.messages.message('tg:42', id);
    expect([stored?.fromAssistant, stored?.senderName, stored?.content]).toEqual([
      true,
      'Andy · sent by you from the web',
      'On my way',
    ]);
    while (sent.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(sent.map((m) => [m.chatId, m.messageId, m.text])).toEqual([['tg:42', id, 'On my way']]);
    const files = new FormData();
    files.append('file', new Blob(['x']), 'x.txt');
    const withFile = await api(harness, '/chats/tg%3A42/messages', { method: 'POST', body: files });
    expect([withFile.status, await errorOf(withFile)]).toEqual([
      400,
      'Files can be sent only in web chats; in this chat, send text (it goes out as the bot).',
    ]);
  });

  it("keeps another group's chat on another channel read-only (messages and Stop)", async () => {
    harness = await startWebHarness();
    setUpChats(harness);
    const sent: OutboundMessage[] = [];
    harness.otherChannels.push(recordingChannel(sent));
    const res = await postJson(harness, 'tg:-100', { text: 'hello family' });
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toContain('the web shows it read-only');
    const stop = await api(harness, '/chats/tg%3A-100/stop', { method: 'POST' });
    expect([stop.status, await errorOf(stop)]).toEqual([403, 'tg:-100 is read-only here.']);
    expect(harness.store.messages.history('tg:-100', 5).map((m) => m.content)).toEqual([
      'Dinner at 7?',
    ]);
    expect(sent).toEqual([]);
  });

  it("labels a scheduled task's answer with its task", async () => {
    harness = await startWebHarness();
    const sender = taskSender('Andy', { prompt: 'Morning digest of my inbox' });
    harness.store.messages.enqueue('web:main', 'Three new mails.', sender, Date.now());
    harness.store.messages.enqueue('web:main', 'A plain answer.', 'Andy', Date.now());
    const res = await api(harness, '/chats/web%3Amain/messages');
    const { messages } = (await res.json()) as { messages: { sender: string; task: string }[] };
    expect(messages.map((m) => [m.sender, m.task])).toEqual([
      ['Andy · task: Morning digest of my inbox', 'Morning digest of my inbox'],
      ['Andy', null],
    ]);
  });
});

/** Reads web:main's event stream until an event satisfies `last`; returns every event. */
async function eventsUntil(harness: WebHarness, last: (e: SseEvent) => boolean) {
  const controller = new AbortController();
  const res = await fetch(`${harness.web.url}/api/chats/web%3Amain/events`, {
    signal: controller.signal,
  });
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const seen: SseEvent[] = [];
  const opened = new Promise<void>((resolve) => {
    void (async () => {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        seen.push(...parser.push(decoder.decode(chunk, { stream: true })));
        resolve();
        if (seen.some(last)) break;
      }
      controller.abort();
    })().catch(() => undefined);
  });
  await opened; // the status event: its listeners are on the bus
  return async () => {
    while (!seen.some(last)) await new Promise((r) => setTimeout(r, 10));
    return seen;
  };
}

describe('web chat events: attacks', () => {
  let harness: WebHarness;
  afterEach(async () => harness?.close());

  it("notices another listed chat's message without its text; never names an unlisted chat", async () => {
    harness = await startWebHarness();
    setUpChats(harness);
    harness.store.messages.upsertChat('tg:999', 'telegram', 'Secret group'); // seen, no group
    const done = await eventsUntil(harness, (e) => e.data.includes('"end-marker"'));
    storeElsewhere(harness, 'tg:999', 'u1', 'the vault code is ZEBRA4411');
    storeElsewhere(harness, 'tg:-100', 'f1', 'the vault code is ZEBRA4411');
    storeElsewhere(harness, 'tg:-100', 'end-marker', 'also secret');
    const seen = await done();
    const notices = seen.filter((e) => e.event === 'chat').map((e) => JSON.parse(e.data));
    expect(notices.map((n: { chatId: string; id: string }) => [n.chatId, n.id])).toEqual([
      ['tg:-100', 'f1'],
      ['tg:-100', 'end-marker'],
    ]);
    expect(Object.keys(notices[0] as object).sort()).toEqual(
      ['chatId', 'fromAssistant', 'id', 'ts'].sort(),
    );
    const everything = seen.map((e) => e.data).join('\n');
    for (const leak of ['ZEBRA4411', 'secret', 'Mum', 'tg:999', 'Secret group']) {
      expect(everything).not.toContain(leak);
    }
    expect(seen.some((e) => e.event === 'message')).toBe(false);
  });

  it('a DNS-rebinding page or a missing token gets no event stream at all', async () => {
    harness = await startWebHarness();
    const path = '/api/chats/web%3Amain/events';
    const rebound = await raw(harness.web.url, path, 'GET', { host: 'evil.example:4480' });
    expect(rebound.status).toBe(403);
    await harness.close();
    harness = await startWebHarness({ env: { WEB_TOKEN: 'x'.repeat(32) } });
    expect((await fetch(harness.web.url + path)).status).toBe(401);
  });
});
