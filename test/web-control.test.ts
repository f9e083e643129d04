/**
 * The web API's controls: Stop (a chat's turn) and the dashboard's routes, under the same access
 * rules as the chat (token, Host guard, same-origin writes). The dashboard's data is tested
 * against the real host in web-dashboard.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { raw, startWebHarness, type WebHarness } from './support/web.js';

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/chats/web%3Amain/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('web API controls', () => {
  let harness: WebHarness;
  afterEach(async () => harness?.close());

  it('Stop is a write like any other: refused cross-origin or without the token', async () => {
    const token = 'a-very-long-web-token-456';
    harness = await startWebHarness({ env: { WEB_TOKEN: token } });
    const url = harness.web.url;
    const auth = { authorization: `Bearer ${token}` };
    expect((await post(url, { text: 'a long job [slow]' }, auth)).status).toBe(201);
    const stop = (headers: Record<string, string>) =>
      raw(url, '/api/chats/web%3Amain/stop', 'POST', { host: new URL(url).host, ...headers });
    expect((await stop({})).status).toBe(401);
    expect((await stop({ authorization: 'Bearer wrong-token-value-000' })).status).toBe(401);
    expect((await raw(url, '/api/chats/web%3Amain/stop', 'GET', auth)).status).toBe(405);
    expect(harness.store.messages.history('web:main', 10).map((m) => m.content)).toEqual([
      'a long job [slow]',
    ]);
    expect((await stop(auth)).status).toBe(200);
    expect(harness.store.messages.history('web:main', 10).map((m) => m.content)).toEqual([
      'a long job [slow]',
      'Stopped.',
    ]);
    expect((await stop(auth)).status).toBe(409);
  });

  it('the dashboard routes: guarded like the chat, and absent without the running host', async () => {
    harness = await startWebHarness();
    const url = harness.web.url;
    const host = new URL(url).host;
    const stop = (headers: Record<string, string>) =>
      raw(
        url,
        '/api/runs/stop',
        'POST',
        { host, 'content-type': 'application/json', ...headers },
        '{"group":"main"}',
      );
    expect((await stop({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await raw(url, '/api/dashboard', 'GET', { host: 'evil.example' })).status).toBe(403);
    // This harness is a bare web channel: no dashboard data, said so.
    const board = await raw(url, '/api/dashboard', 'GET', { host });
    expect(board.status).toBe(404);
    expect(JSON.parse(board.body).error).toContain('running host');
    expect((await stop({})).status).toBe(404);
    expect((await raw(url, '/dashboard', 'GET', { host })).status).toBe(200);
  });
});
