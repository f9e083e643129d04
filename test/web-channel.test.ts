/**
 * The web chat's JSON API and event stream over real HTTP, with real SQLite behind it:
 * durability before 201, history, live events, limits, and who may call it at all.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { chatCommand } from '../src/cli/chat.js';
import { SseParser } from '../src/cli/sse.js';
import { PassThrough } from 'node:stream';
import { APP_ROOT } from './support/cli.js';
import { startWebHarness, type WebHarness } from './support/web.js';

const chat = (url: string, path = '/messages') => `${url}/api/chats/web%3Amain${path}`;
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(chat(url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** A raw request, so tests can send Host and Origin headers that fetch would not allow. */
function raw(
  url: string,
  path: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
) {
  const { port } = new URL(url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('web chat API', () => {
  let harness: WebHarness;
  afterEach(async () => harness?.close());

  it('stores a message before answering 201, and serves history oldest first', async () => {
    harness = await startWebHarness({}, 50);
    const res = await post(harness.web.url, { text: 'first' });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(harness.store.messages.history('web:main', 10).map((m) => m.id)).toContain(id);
    await new Promise((r) => setTimeout(r, 150));
    const body = (await (await fetch(chat(harness.web.url))).json()) as {
      messages: { text: string; fromAssistant: boolean }[];
    };
    expect(body.messages.map((m) => [m.fromAssistant, m.text])).toEqual([
      [false, 'first'],
      [true, 'ECHO: first'],
    ]);
  });

  it('streams messages and typing for the chat as events', async () => {
    harness = await startWebHarness({}, 50);
    const controller = new AbortController();
    const res = await fetch(chat(harness.web.url, '/events'), { signal: controller.signal });
    const parser = new SseParser();
    const seen: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        for (const e of parser.push(decoder.decode(chunk))) seen.push(`${e.event} ${e.data}`);
        if (seen.some((s) => s.includes('ECHO: live'))) break;
      }
    })();
    await post(harness.web.url, { text: 'live' });
    await reading;
    controller.abort();
    expect(seen[0]).toMatch(/^status /);
    expect(seen.some((s) => s.startsWith('message ') && s.includes('"text":"live"'))).toBe(true);
    expect(seen).toContain('typing {"on":true}');
    expect(seen.some((s) => s.includes('"fromAssistant":true'))).toBe(true);
  });

  it('rejects empty, oversized and malformed messages and unknown chats clearly', async () => {
    harness = await startWebHarness();
    const empty = await post(harness.web.url, { text: '   ' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: string }).error).toMatch(/empty/);
    const long = await post(harness.web.url, { text: 'x'.repeat(8001) });
    expect(long.status).toBe(413);
    expect(((await long.json()) as { error: string }).error).toContain('8000');
    const huge = await post(harness.web.url, { text: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
    const notJson = await fetch(chat(harness.web.url), { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    const wrongType = await post(harness.web.url, { text: 42 });
    expect(wrongType.status).toBe(400);
    const unknown = await fetch(`${harness.web.url}/api/chats/web%3Anobody/messages`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('web:nobody');
  });

  it('without a token: refuses foreign Host headers (DNS rebinding) and cross-origin writes', async () => {
    harness = await startWebHarness();
    const url = harness.web.url;
    expect((await raw(url, '/api/status', 'GET', { host: 'evil.example:4480' })).status).toBe(403);
    const cross = await raw(
      url,
      '/api/chats/web%3Amain/messages',
      'POST',
      {
        host: new URL(url).host,
        origin: 'http://evil.example',
        'content-type': 'application/json',
      },
      '{"text":"hi"}',
    );
    expect(cross.status).toBe(403);
    const same = await raw(
      url,
      '/api/chats/web%3Amain/messages',
      'POST',
      { host: new URL(url).host, origin: url, 'content-type': 'application/json' },
      '{"text":"hi"}',
    );
    expect(same.status).toBe(201);
  });

  it('with a token: every API call needs it (header or ?token= for the event stream)', async () => {
    const token = 'a-very-long-web-token-123';
    harness = await startWebHarness({ WEB_TOKEN: token });
    const url = harness.web.url;
    expect((await fetch(`${url}/api/status`)).status).toBe(401);
    expect(
      (
        await fetch(`${url}/api/status`, {
          headers: { authorization: 'Bearer wrong-token-value-000' },
        })
      ).status,
    ).toBe(401);
    expect(
      (await fetch(`${url}/api/status`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    const controller = new AbortController();
    const events = await fetch(`${chat(url, '/events')}?token=${token}`, {
      signal: controller.signal,
    });
    expect(events.status).toBe(200);
    controller.abort();
    // The page itself carries no data and loads without the token (it reads it from #token=).
    expect((await fetch(url)).status).toBe(200);
  });

  it('serves the page with a strict content security policy', async () => {
    harness = await startWebHarness();
    const res = await fetch(harness.web.url);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('the terminal chat prints history, sends lines and prints the replies', async () => {
    harness = await startWebHarness({}, 50);
    await post(harness.web.url, { text: 'earlier' });
    await new Promise((r) => setTimeout(r, 150));
    const stdin = new PassThrough();
    let out = '';
    const stdout = new PassThrough();
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const { port } = new URL(harness.web.url);
    const done = chatCommand(['--wait', '10'], {
      argv: [],
      env: { NANOCLAW_HOME: harness.store.db.name.replace(/\/nanoclaw\.db$/, ''), WEB_PORT: port },
      appRoot: APP_ROOT,
      stdin,
      stdout,
      stderr: new PassThrough(),
    });
    stdin.end('from the terminal\n');
    expect(await done).toBe(0);
    expect(out).toContain('You: earlier');
    expect(out).toContain('Andy: ECHO: earlier');
    expect(out).toContain('Andy: ECHO: from the terminal');
  });

  it('the terminal chat says clearly when the host is not running', async () => {
    let err = '';
    const stderr = new PassThrough();
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await chatCommand([], {
      argv: [],
      env: { NANOCLAW_HOME: '/tmp/nanoclaw-none', WEB_PORT: '9' },
      appRoot: APP_ROOT,
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr,
    });
    expect(code).toBe(1);
    expect(err).toContain('NanoClaw is not running at http://127.0.0.1:9');
  });
});
