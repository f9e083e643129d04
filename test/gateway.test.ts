/**
 * The gateway over its real unix socket: the model proxy injects the real credential (read
 * fresh), streams, and refuses everything that is not a model call from a live run; the host
 * API attributes calls by capability alone.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { secretSource } from '../src/config.js';
import { ForbiddenError } from '../src/errors.js';
import { createCapabilityRegistry } from '../src/gateway/capabilities.js';
import { createGateway, type Gateway } from '../src/gateway/server.js';
import type { RunContext } from '../src/gateway/types.js';
import { silentLogger } from '../src/log.js';
import type { AuditEntry } from '../src/store/audit.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Answers with three SSE chunks 150 ms apart, so streaming is observable. */
function startUpstream(): Promise<{ server: http.Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      const tick = setInterval(() => {
        res.write(`event: ping\ndata: {"n":${n}}\n\n`);
        if (++n === 3) {
          clearInterval(tick);
          res.end();
        }
      }, 150);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix`,
        seen,
      }),
    ),
  );
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  firstChunkAt: number;
  endAt: number;
}

function request(
  socketPath: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, method: options.method, path: options.path, headers: options.headers },
      (res) => {
        let body = '';
        let firstChunkAt = 0;
        res.on('data', (c: Buffer) => {
          firstChunkAt ||= Date.now();
          body += c.toString();
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            firstChunkAt,
            endAt: Date.now(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('gateway', () => {
  let dir: string;
  let envFile: string;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let gateway: Gateway;
  let socket: string;
  const capabilities = createCapabilityRegistry();
  const sent: { context: RunContext; body: unknown }[] = [];
  const audited: AuditEntry[] = [];
  const main: RunContext = { runId: 'run-main', group: { folder: 'main', isMain: true } };
  const family: RunContext = { runId: 'run-family', group: { folder: 'family', isMain: false } };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-gw-'));
    envFile = path.join(dir, '.env');
    fs.writeFileSync(envFile, 'ANTHROPIC_API_KEY=sk-real-one\n');
    upstream = await startUpstream();
    socket = path.join(dir, 'run', 'gateway.sock');
    gateway = await createGateway({
      socketPath: socket,
      upstreamUrl: upstream.url,
      secrets: secretSource({}, envFile),
      capabilities,
      handlers: {
        async sendMessage(context, body) {
          if (body.chatId === 'web:forbidden') throw new ForbiddenError('not yours');
          sent.push({ context, body });
        },
      },
      audit: (entry) => audited.push(entry),
      log: silentLogger(),
    });
  });

  afterAll(async () => {
    await gateway.close();
    upstream.server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    upstream.seen.length = 0;
    sent.length = 0;
  });

  afterEach(() => fs.writeFileSync(envFile, 'ANTHROPIC_API_KEY=sk-real-one\n'));

  const model = (capability: string, extra: Partial<Parameters<typeof request>[1]> = {}) =>
    request(socket, {
      method: 'POST',
      path: '/v1/messages?beta=true',
      headers: {
        'x-api-key': capability,
        'anthropic-beta': 'claude-code-20250219',
        'content-type': 'application/json',
      },
      body: '{"model":"m","stream":true}',
      ...extra,
    });

  it('swaps the capability for the real key and keeps path prefix, query and betas', async () => {
    const capability = capabilities.issue(main);
    const answer = await model(capability);
    expect(answer.status).toBe(200);
    expect(upstream.seen).toHaveLength(1);
    const seen = upstream.seen[0];
    expect(seen?.url).toBe('/prefix/v1/messages?beta=true');
    expect(seen?.headers['x-api-key']).toBe('sk-real-one');
    expect(JSON.stringify(seen?.headers)).not.toContain(capability);
    expect(seen?.headers['anthropic-beta']).toBe('claude-code-20250219');
    expect(seen?.body).toBe('{"model":"m","stream":true}');
  });

  it('streams: the first chunk arrives before the upstream has finished', async () => {
    const answer = await model(capabilities.issue(main));
    expect(answer.body.match(/event: ping/g)).toHaveLength(3);
    expect(answer.endAt - answer.firstChunkAt).toBeGreaterThanOrEqual(200);
  });

  it('reads the credential fresh: a rotated key is used without a restart', async () => {
    const capability = capabilities.issue(main);
    await model(capability);
    fs.writeFileSync(envFile, 'CLAUDE_CODE_OAUTH_TOKEN=oauth-two\n');
    await model(capability);
    expect(upstream.seen[0]?.headers['x-api-key']).toBe('sk-real-one');
    expect(upstream.seen[1]?.headers['x-api-key']).toBeUndefined();
    expect(upstream.seen[1]?.headers.authorization).toBe('Bearer oauth-two');
    expect(upstream.seen[1]?.headers['anthropic-beta']).toBe(
      'claude-code-20250219,oauth-2025-04-20',
    );
  });

  it('says which setting is missing when no credential exists (default upstream only)', async () => {
    fs.writeFileSync(envFile, '');
    const answer = await model(capabilities.issue(main));
    // A custom upstream (this test's) needs no key: the request goes through without one.
    expect(answer.status).toBe(200);
    expect(upstream.seen[0]?.headers['x-api-key']).toBeUndefined();
  });

  it('refuses unknown and revoked capabilities without calling upstream', async () => {
    expect((await model('forged-capability-0000000000000000')).status).toBe(401);
    const capability = capabilities.issue(main);
    capabilities.revoke(capability);
    const answer = await model(capability);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).error.type).toBe('authentication_error');
    expect(upstream.seen).toHaveLength(0);
  });

  it('is not an open proxy', async () => {
    const capability = capabilities.issue(main);
    const tries = [
      { method: 'POST', path: 'http://evil.example/v1/messages' },
      { method: 'POST', path: '/v1/../admin' },
      { method: 'POST', path: '/v1/messages/..%2f..%2fadmin' },
      { method: 'GET', path: '/v1/files' },
      { method: 'POST', path: '/elsewhere' },
    ];
    for (const t of tries) {
      const answer = await model(capability, { ...t, body: '' });
      expect(answer.status, `${t.method} ${t.path}`).toBeGreaterThanOrEqual(400);
    }
    // A Host header naming another server changes nothing: the origin is fixed.
    await model(capability, { headers: { 'x-api-key': capability, host: 'evil.example' } });
    expect(upstream.seen.map((s) => s.url)).toEqual(['/prefix/v1/messages?beta=true']);
    expect(upstream.seen[0]?.headers.host).toMatch(/^127\.0\.0\.1:/);
  });

  it('answers a clear error quickly when the upstream is down', async () => {
    const down = path.join(dir, 'down.sock');
    const gw = await createGateway({
      socketPath: down,
      upstreamUrl: 'http://127.0.0.1:9',
      secrets: secretSource({ ANTHROPIC_API_KEY: 'k' }, envFile),
      capabilities,
      handlers: { sendMessage: async () => {} },
      log: silentLogger(),
    });
    const answer = await request(down, {
      method: 'POST',
      path: '/v1/messages',
      headers: { 'x-api-key': capabilities.issue(main) },
      body: '{}',
    });
    await gw.close();
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body).error.message).toMatch(/could not reach the model endpoint/);
  });

  describe('host API', () => {
    const call = (capability: string, body: unknown, route = '/api/send_message') =>
      request(socket, {
        method: 'POST',
        path: route,
        headers: { authorization: `Bearer ${capability}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    it('derives the caller from the capability, whatever the body claims', async () => {
      const answer = await call(capabilities.issue(family), {
        text: 'hi',
        group: 'main',
        isMain: true,
        runId: 'run-main',
      });
      expect(answer.status).toBe(200);
      expect(sent).toEqual([{ context: family, body: { text: 'hi' } }]);
    });

    it('refuses forged and stale capabilities', async () => {
      expect((await call('not-a-capability', { text: 'x' })).status).toBe(401);
      const stale = capabilities.issue(family);
      capabilities.revoke(stale);
      expect((await call(stale, { text: 'x' })).status).toBe(401);
      expect(sent).toHaveLength(0);
      expect(audited.filter((a) => a.decision === 'unauthenticated')).toHaveLength(2);
    });

    it('rejects bad bodies clearly, oversized ones with 413, forbidden ones with 403', async () => {
      const capability = capabilities.issue(family);
      expect((await call(capability, '{not json')).status).toBe(400);
      const empty = await call(capability, { text: '' });
      expect(empty.status).toBe(400);
      expect(JSON.parse(empty.body).error).toMatch(/text/);
      expect((await call(capability, { text: 'x'.repeat(70_000) })).status).toBe(413);
      expect((await call(capability, { text: 'x', chatId: 'web:forbidden' })).status).toBe(403);
      expect(audited.at(-1)).toMatchObject({
        group: 'family',
        action: '/api/send_message',
        decision: 'denied',
      });
      expect((await call(capability, {}, '/api/nope')).status).toBe(404);
    });
  });

  it('close() does not wait for clients that keep connections open', async () => {
    const extra = path.join(dir, 'extra.sock');
    const gw = await createGateway({
      socketPath: extra,
      upstreamUrl: upstream.url,
      secrets: secretSource({}, envFile),
      capabilities,
      handlers: { sendMessage: async () => {} },
      log: silentLogger(),
    });
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve) => {
      http.get({ socketPath: extra, path: '/nothing', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
    });
    await gw.close();
    agent.destroy();
    expect(fs.existsSync(extra)).toBe(false);
  });
});
