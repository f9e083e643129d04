/**
 * The web chat's JSON API and event stream over real HTTP, with real SQLite behind it:
 * durability before 201, history, live events, limits, routing, and who may call it at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelDeps } from '../src/channels/channel.js';
import { createWebChannel } from '../src/channels/web/server.js';
import { MessageTooLongError } from '../src/conversation/service.js';
import { EventBus } from '../src/conversation/bus.js';
import { UserError } from '../src/errors.js';
import { silentLogger } from '../src/log.js';
import { SseParser, type SseEvent } from '../src/cli/sse.js';
import { CountingBus, raw, startWebHarness, type WebHarness } from './support/web.js';

const chat = (url: string, path = '/messages', id = 'web%3Amain') =>
  `${url}/api/chats/${id}${path}`;
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(chat(url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

/** Reads a chat's event stream until `done` says so; returns every event seen. */
async function readEvents(url: string, done: (seen: SseEvent[]) => boolean, query = '') {
  const controller = new AbortController();
  const res = await fetch(chat(url, '/events') + query, { signal: controller.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const parser = new SseParser();
  const seen: SseEvent[] = [];
  const decoder = new TextDecoder();
  const reading = (async () => {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      seen.push(...parser.push(decoder.decode(chunk, { stream: true })));
      if (done(seen)) break;
    }
    controller.abort();
    return seen;
  })();
  return { reading, abort: () => controller.abort() };
}

/** A second web channel over the harness's store, with its own `receive`. */
function extraChannel(harness: WebHarness, port: number, receive: ChannelDeps['receive']) {
  return createWebChannel({
    config: { ...harness.config, web: { ...harness.config.web, port } },
    env: {},
    log: silentLogger(),
    bus: new EventBus(),
    messages: harness.store.messages,
    groups: harness.store.groups,
    tasks: harness.store.tasks,
    receive,
    status: () => ({ assistantName: 'Andy', problems: [], channels: [] }),
  });
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
};

describe('web chat API', () => {
  let harness: WebHarness;
  afterEach(async () => harness?.close());

  it('stores a message before answering 201, and serves history oldest first', async () => {
    harness = await startWebHarness({ replyDelayMs: 30 });
    const res = await post(harness.web.url, { text: 'first', senderName: 'Alice' });
    expect(res.status).toBe(201);
    const { id, ts } = (await res.json()) as { id: string; ts: number };
    const stored = harness.store.messages.history('web:main', 10);
    expect(stored.map((m) => [m.id, m.ts, m.senderId, m.senderName])).toEqual([
      [id, ts, 'web-user', 'Alice'],
    ]);
    await until(() => harness.store.messages.history('web:main', 10).length === 2);
    const body = (await (await fetch(chat(harness.web.url))).json()) as {
      messages: { id: string; sender: string; text: string; fromAssistant: boolean }[];
    };
    expect(body.messages.map((m) => [m.sender, m.fromAssistant, m.text])).toEqual([
      ['Alice', false, 'first'],
      ['Andy', true, 'ECHO: first'],
    ]);
  });

  it('pages history with limit and a before cursor, and refuses bad queries', async () => {
    harness = await startWebHarness({ replyDelayMs: 60_000 });
    for (const text of ['one', 'two', 'three']) await post(harness.web.url, { text });
    const page = async (query: string) =>
      (await (await fetch(chat(harness.web.url) + query)).json()) as {
        messages: { id: string; ts: number; text: string }[];
      };
    const newest = await page('?limit=2');
    expect(newest.messages.map((m) => m.text)).toEqual(['two', 'three']);
    const oldest = newest.messages[0];
    const older = await page(`?limit=2&before=${oldest?.ts}:${oldest?.id}`);
    expect(older.messages.map((m) => m.text)).toEqual(['one']);
    const bad = await fetch(chat(harness.web.url) + '?limit=0');
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatch(/limit/);
    expect((await fetch(chat(harness.web.url) + '?before=yesterday')).status).toBe(400);
  });

  it('streams status, both sides of the conversation and typing; lets go on close', async () => {
    const bus = new CountingBus();
    harness = await startWebHarness({ replyDelayMs: 30, bus });
    const stream = await readEvents(harness.web.url, (seen) =>
      seen.some((e) => e.data.includes('ECHO: live')),
    );
    expect(bus.live).toBe(4); // its listeners (message, typing, activity, status) exist once its headers arrived
    await post(harness.web.url, { text: 'live' });
    const seen = await stream.reading;
    expect(seen[0]?.event).toBe('status');
    expect(JSON.parse(seen[0]?.data ?? '')).toEqual({
      assistantName: 'Andy',
      problems: [],
      channels: [],
      usage: { today: { tokens: 0, usd: 0 }, month: { tokens: 0, usd: 0 }, groups: [] },
    });
    const messages = seen.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data));
    expect(
      messages.map((m: { text: string; fromAssistant: boolean }) => [m.fromAssistant, m.text]),
    ).toEqual([
      [false, 'live'],
      [true, 'ECHO: live'],
    ]);
    expect(Object.keys(messages[0] as object).sort()).toEqual(
      ['files', 'fromAssistant', 'id', 'sender', 'steps', 'task', 'text', 'ts'].sort(),
    );
    const typing = seen.filter((e) => e.event === 'typing').map((e) => e.data);
    expect(typing).toEqual(['{"on":true}', '{"on":false}']);
    await until(() => bus.live === 0);
  });

  it('only streams the events of its own chat; send is the channel API', async () => {
    harness = await startWebHarness();
    const stream = await readEvents(harness.web.url, (seen) =>
      seen.some((e) => e.event === 'typing'),
    );
    harness.bus.emit('typing', { chatId: 'web:other', on: true });
    harness.bus.emit('typing', { chatId: 'web:main', on: true });
    const seen = await stream.reading;
    expect(seen.filter((e) => e.event === 'typing').map((e) => e.data)).toEqual(['{"on":true}']);
    await expect(
      harness.web.send({ chatId: 'web:main', messageId: 'm1', text: 'hi' }),
    ).resolves.toBeUndefined();
    expect(harness.web.ownsChat('web:main')).toBe(true);
    expect(harness.web.ownsChat('tg:123')).toBe(false);
  });

  it('rejects empty, oversized and malformed messages with a clear error', async () => {
    harness = await startWebHarness();
    const empty = await post(harness.web.url, { text: ' \n\t ' });
    expect(empty.status).toBe(400);
    expect(await errorOf(empty)).toMatch(/empty/);
    const long = await post(harness.web.url, { text: 'x'.repeat(8001) });
    expect(long.status).toBe(413);
    expect(await errorOf(long)).toContain('8000');
    expect((await post(harness.web.url, { text: 'x'.repeat(8000) })).status).toBe(201);
    const huge = await post(harness.web.url, { text: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
    expect(await errorOf(huge)).toMatch(/64 KiB.*8000/);
    const notJson = await fetch(chat(harness.web.url), { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(await errorOf(notJson)).toContain('JSON');
    const wrongType = await post(harness.web.url, { text: 42 });
    expect(wrongType.status).toBe(400);
    expect(await errorOf(wrongType)).toContain('text must be a string');
    // Nothing refused was stored: only the one valid message.
    expect(harness.store.messages.history('web:main', 10)).toHaveLength(1);
  });

  it('answers unknown chats, routes and methods with 404/405, never 500', async () => {
    harness = await startWebHarness();
    harness.store.groups.ensure(
      { folder: 'tele', name: 'Tele', isMain: false, chatId: 'tg:1' },
      new Date(),
    );
    const url = harness.web.url;
    const unknown = await fetch(chat(url, '/messages', 'web%3Anobody'));
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toContain('web:nobody');
    const postUnknown = await fetch(chat(url, '/messages', 'web%3Anobody'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"hi"}',
    });
    expect(postUnknown.status).toBe(404);
    // A chat another group answers on another channel: shown, but read-only here.
    expect((await fetch(chat(url, '/messages', 'tg%3A1'))).status).toBe(200);
    const readOnly = await fetch(chat(url, '/messages', 'tg%3A1'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"hi"}',
    });
    expect([readOnly.status, await errorOf(readOnly)]).toEqual([
      403,
      'tg:1 belongs to group "tele" on another channel: the web shows it read-only. Reply from ' +
        'that chat app, or from a chat of the main group.',
    ]);
    expect(harness.store.messages.history('tg:1', 5)).toEqual([]);
    expect((await fetch(chat(url, '/events', 'web%3Anobody'))).status).toBe(404);
    expect((await fetch(chat(url, '/messages', 'web%E0%A4%A'))).status).toBe(404);
    expect((await fetch(`${url}/api/nothing`)).status).toBe(404);
    expect((await fetch(`${url}/nothing`)).status).toBe(404);
    const wrong = await fetch(chat(url), { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
  });

  it("lists every group's chats with their channel, access and trigger, and the host status", async () => {
    harness = await startWebHarness();
    harness.problems.push('No model credential: set ANTHROPIC_API_KEY.');
    const now = new Date();
    harness.store.groups.ensure(
      {
        folder: 'family',
        name: 'Family',
        isMain: false,
        chatId: 'web:family',
        requiresTrigger: true,
      },
      now,
    );
    harness.store.groups.ensure(
      { folder: 'tele', name: 'Tele', isMain: false, chatId: 'tg:1' },
      now,
    );
    const { chats } = (await (await fetch(`${harness.web.url}/api/chats`)).json()) as {
      chats: unknown[];
    };
    const row = (chatId: string, name: string, folder: string, access: string) => ({
      chatId,
      name,
      channel: chatId.split(':')[0],
      folder,
      isMain: folder === 'main',
      access,
      trigger: folder === 'family' ? '@Andy' : null,
      lastMessageTs: 0,
    });
    expect(chats).toEqual([
      row('web:main', 'Main', 'main', 'chat'),
      row('web:family', 'Family', 'family', 'chat'),
      { ...row('tg:1', 'tg:1', 'tele', 'read-only'), trigger: '@Andy' },
    ]);
    const status = await fetch(`${harness.web.url}/api/status`);
    expect(await status.json()).toEqual({
      assistantName: 'Andy',
      problems: ['No model credential: set ANTHROPIC_API_KEY.'],
      channels: [],
      usage: { today: { tokens: 0, usd: 0 }, month: { tokens: 0, usd: 0 }, groups: [] },
    });
  });

  it('without a token: refuses foreign Host headers (DNS rebinding) and cross-origin writes', async () => {
    harness = await startWebHarness();
    const url = harness.web.url;
    const host = new URL(url).host;
    expect((await raw(url, '/api/status', 'GET', { host: 'evil.example:4480' })).status).toBe(403);
    // A loopback name with a foreign name glued on is not loopback (parsed strictly).
    for (const glued of ['[::1]evil.example', `[::1]evil.example:${new URL(url).port}`]) {
      expect((await raw(url, '/api/status', 'GET', { host: glued })).status, glued).toBe(403);
    }
    expect(
      (await raw(url, '/api/status', 'GET', { host: `localhost:${new URL(url).port}` })).status,
    ).toBe(200);
    const write = (origin: string) =>
      raw(
        url,
        '/api/chats/web%3Amain/messages',
        'POST',
        { host, origin, 'content-type': 'application/json' },
        '{"text":"hi"}',
      );
    const cross = await write('http://evil.example');
    expect(cross.status).toBe(403);
    expect(JSON.parse(cross.body)).toEqual({ error: 'Cross-origin requests are not allowed.' });
    expect((await write('null')).status).toBe(403);
    expect((await write(url)).status).toBe(201);
    expect(harness.store.messages.history('web:main', 10)).toHaveLength(1);
  });

  it('with a token: every API call needs it (header, or ?token= for the event stream)', async () => {
    const token = 'a-very-long-web-token-123';
    harness = await startWebHarness({ env: { WEB_TOKEN: token } });
    const url = harness.web.url;
    const missing = await fetch(`${url}/api/status`);
    expect(missing.status).toBe(401);
    expect(await errorOf(missing)).toContain('#token=');
    const wrong = { authorization: 'Bearer wrong-token-value-000' };
    expect((await fetch(`${url}/api/status`, { headers: wrong })).status).toBe(401);
    expect((await post(url, { text: 'no' }, wrong)).status).toBe(401);
    const right = { authorization: `Bearer ${token}` };
    expect((await fetch(`${url}/api/status`, { headers: right })).status).toBe(200);
    expect((await post(url, { text: 'yes' }, right)).status).toBe(201);
    expect((await fetch(chat(url, '/events'))).status).toBe(401);
    const stream = await readEvents(url, (seen) => seen.length > 0, `?token=${token}`);
    expect((await stream.reading)[0]?.event).toBe('status');
    // The page itself carries no data and loads without the token (it reads it from #token=).
    expect((await fetch(url)).status).toBe(200);
  });

  it('sends security headers on every response; the page gets a nonce-based CSP', async () => {
    harness = await startWebHarness();
    const res = await fetch(harness.web.url);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(await res.text()).toContain(`<script nonce="${nonce}">`);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    for (const path of ['/api/status', '/api/nothing']) {
      const api = await fetch(harness.web.url + path);
      expect(api.headers.get('x-content-type-options')).toBe('nosniff');
      expect(api.headers.get('referrer-policy')).toBe('no-referrer');
      expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });

  it('answers 201 only once receive resolved, and maps its failures', async () => {
    harness = await startWebHarness();
    let release: () => void = () => {};
    let entered: () => void = () => {};
    const inReceive = new Promise<void>((resolve) => (entered = resolve));
    const outcomes: Record<string, () => Promise<void>> = {
      slow: () => {
        entered();
        return new Promise((resolve) => (release = resolve));
      },
      refused: async () => {
        throw new UserError('Refused by the service.');
      },
      tooLong: async () => {
        throw new MessageTooLongError('Too long for the service.');
      },
      broken: async () => {
        throw new Error('disk on fire /secret/path');
      },
    };
    const channel = extraChannel(harness, 0, (_c, m) => (outcomes[m.text] ?? (async () => {}))());
    await channel.start();
    try {
      let answered = false;
      const slow = post(channel.url, { text: 'slow' }).then((res) => {
        answered = true;
        return res;
      });
      await inReceive;
      await new Promise((r) => setTimeout(r, 50));
      expect(answered).toBe(false); // not acknowledged while the store has not committed
      release();
      expect((await slow).status).toBe(201);
      const refused = await post(channel.url, { text: 'refused' });
      expect([refused.status, await errorOf(refused)]).toEqual([400, 'Refused by the service.']);
      expect((await post(channel.url, { text: 'tooLong' })).status).toBe(413);
      const broken = await post(channel.url, { text: 'broken' });
      expect([broken.status, await errorOf(broken)]).toEqual([
        500,
        'Internal error; see the NanoClaw log.',
      ]);
    } finally {
      await channel.stop();
    }
  });

  it('says what to do when its port is taken', async () => {
    harness = await startWebHarness();
    const port = Number(new URL(harness.web.url).port);
    const second = extraChannel(harness, port, async () => {});
    const failure = second.start();
    await expect(failure).rejects.toBeInstanceOf(UserError);
    await expect(failure).rejects.toThrow(/already in use.*WEB_PORT/);
  });
});
