import { describe, expect, it } from 'vitest';
import { matchRoute, parseHistoryQuery, parsePost, type RouteSpec } from './requests.js';

const routes: (RouteSpec & { name: string })[] = [
  { name: 'status', method: 'GET', pattern: /^\/api\/status$/ },
  { name: 'history', method: 'GET', pattern: /^\/api\/chats\/([^/]+)\/messages$/ },
  { name: 'post', method: 'POST', pattern: /^\/api\/chats\/([^/]+)\/messages$/ },
];

describe('matchRoute', () => {
  it('finds the route by method and path, and decodes the chat id', () => {
    const found = matchRoute(routes, 'POST', '/api/chats/web%3Amain/messages');
    expect(found.kind === 'found' && [found.route.name, found.chatId]).toEqual([
      'post',
      'web:main',
    ]);
    const status = matchRoute(routes, 'GET', '/api/status');
    expect(status.kind === 'found' && [status.route.name, status.chatId]).toEqual([
      'status',
      undefined,
    ]);
  });

  it('tells a wrong method (405 with the allowed ones) from an unknown path (404)', () => {
    expect(matchRoute(routes, 'DELETE', '/api/chats/web%3Amain/messages')).toEqual({
      kind: 'wrong-method',
      allow: ['GET', 'POST'],
    });
    expect(matchRoute(routes, 'GET', '/api/chats/web%3Amain/nothing')).toMatchObject({
      kind: 'not-found',
      refusal: { status: 404 },
    });
    expect(matchRoute(routes, 'GET', '/api/chats/web%E0%A4%A/messages')).toEqual({
      kind: 'not-found',
      refusal: { status: 404, error: 'Malformed chat id in the path.' },
    });
  });
});

describe('parsePost', () => {
  it('accepts text with an optional sender name', () => {
    expect(parsePost('{"text":"hi"}')).toEqual({ ok: true, value: { text: 'hi' } });
    expect(parsePost('{"text":" hi\\n","senderName":" Alice "}')).toEqual({
      ok: true,
      value: { text: ' hi\n', senderName: 'Alice' },
    });
  });

  it('refuses non-JSON, wrong shapes, empty and over-long text', () => {
    const refusal = (raw: string) => {
      const parsed = parsePost(raw);
      return parsed.ok ? undefined : parsed.refusal;
    };
    expect(refusal('{oops')).toEqual({ status: 400, error: expect.stringContaining('JSON') });
    expect(refusal('[]')?.status).toBe(400);
    expect(refusal('{"text":1}')?.error).toContain('text must be a string');
    expect(refusal('{"text":"hi","senderName":""}')?.error).toContain('senderName');
    expect(refusal('{"text":"hi","senderName":"' + 'a'.repeat(101) + '"}')?.status).toBe(400);
    expect(refusal('{"text":" \\n\\t"}')).toEqual({
      status: 400,
      error: 'The message is empty: type something to send.',
    });
    expect(refusal(JSON.stringify({ text: 'x'.repeat(8001) }))).toEqual({
      status: 413,
      error: 'The message is too long (8001 characters); the limit is 8000.',
    });
    expect(parsePost(JSON.stringify({ text: 'x'.repeat(8000) })).ok).toBe(true);
  });
});

describe('parseHistoryQuery', () => {
  const parse = (query: string) => parseHistoryQuery(new URLSearchParams(query));

  it('defaults to the newest 50 and reads a (ts, id) cursor', () => {
    expect(parse('')).toEqual({ ok: true, value: { limit: 50, before: undefined } });
    expect(parse('limit=2&before=1700000000000:a:b')).toEqual({
      ok: true,
      value: { limit: 2, before: { ts: 1700000000000, id: 'a:b' } },
    });
  });

  it('refuses limits outside 1-500 and malformed cursors', () => {
    for (const query of [
      'limit=0',
      'limit=501',
      'limit=2.5',
      'limit=x',
      'before=x',
      'before=12:',
    ]) {
      const parsed = parse(query);
      expect(parsed.ok ? 200 : parsed.refusal.status, query).toBe(400);
    }
  });
});
