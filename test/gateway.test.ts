/**
 * The gateway over its real unix socket (and TCP): the model proxy injects the real credential
 * (read fresh), streams, and refuses everything that is not a model call from a live run; the
 * host API attributes calls by capability alone; the listener never steals or hangs.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_UPSTREAM, secretSource } from '../src/config.js';
import { ForbiddenError, UserError } from '../src/errors.js';
import { createCapabilityRegistry } from '../src/gateway/capabilities.js';
import { createGateway, type Gateway, type GatewayDeps } from '../src/gateway/server.js';
import type { RunContext } from '../src/gateway/types.js';
import { silentLogger } from '../src/log.js';
import type { AuditEntry } from '../src/store/audit.js';
import {
  raw,
  request,
  sse,
  startUpstream,
  type Answer,
  type Call,
} from './support/gateway-http.js';

const errorOf = (answer: Answer) =>
  (JSON.parse(answer.body) as { error: { type: string; message: string } }).error;
const socketOf = (gw: Gateway) => (gw.endpoint.kind === 'unix' ? gw.endpoint.path : '');
/** A minimal model call carrying `key` as the SDK's API key. */
const messages = (to: Parameters<typeof request>[0], key: string) =>
  request(to, { method: 'POST', path: '/v1/messages', headers: { 'x-api-key': key }, body: '{}' });
const BETAS = 'claude-code-20250219,interleaved-thinking-2025-05-14';

describe('gateway', () => {
  let dir: string;
  let envFile: string;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let gateway: Gateway;
  let socket: string;
  const capabilities = createCapabilityRegistry();
  const sent: { context: RunContext; body: unknown }[] = [];
  const audited: AuditEntry[] = [];
  const logs: string[] = [];
  const main: RunContext = { runId: 'run-main', group: { folder: 'main', isMain: true } };
  const family: RunContext = { runId: 'run-family', group: { folder: 'family', isMain: false } };
  const extraGateways: Gateway[] = [];

  const deps = (over: Partial<GatewayDeps>): GatewayDeps => ({
    socketPath: path.join(dir, 'extra', `${extraGateways.length}.sock`),
    upstreamUrl: upstream.url,
    secrets: secretSource({}, envFile),
    capabilities,
    handlers: { sendMessage: async () => {} },
    log: silentLogger(),
    ...over,
  });
  const startExtra = async (over: Partial<GatewayDeps> = {}) => {
    const gw = await createGateway(deps(over));
    extraGateways.push(gw);
    return gw;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-gw-'));
    envFile = path.join(dir, '.env');
    upstream = await startUpstream();
    socket = path.join(dir, 'run', 'gateway.sock');
    gateway = await createGateway({
      ...deps({}),
      socketPath: socket,
      tcp: { host: '127.0.0.1', port: 0 },
      handlers: {
        async sendMessage(context, body) {
          if (body.text === 'forbidden') throw new ForbiddenError('not your chat');
          if (body.text === 'user-error') throw new UserError('no such chat: try list_groups');
          if (body.text === 'crash') throw new Error('database exploded at /secret/path');
          sent.push({ context, body });
        },
        extra: {
          '/api/echo_group': {
            schema: z.object({ n: z.number() }).strict(),
            handle: async (context, body) => ({ folder: context.group.folder, body }),
          },
        },
      },
      audit: (entry) => audited.push(entry),
      log: pino({ level: 'info' }, { write: (line: string) => void logs.push(line) }),
    });
  });

  afterAll(async () => {
    await gateway.close();
    upstream.server.closeAllConnections();
    upstream.server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    fs.writeFileSync(envFile, 'ANTHROPIC_API_KEY=sk-real-one\n');
    upstream.seen.length = 0;
    upstream.state.behave = sse(async () => {});
    sent.length = 0;
    audited.length = 0;
  });

  afterEach(async () => {
    await Promise.all(extraGateways.splice(0).map((gw) => gw.close()));
  });

  const model = (capability: string, extra: Partial<Call> = {}) =>
    request(socket, {
      method: 'POST',
      path: '/v1/messages?beta=true',
      headers: { 'x-api-key': capability, 'anthropic-beta': BETAS, 'anthropic-version': '1' },
      body: '{"model":"m","stream":true}',
      ...extra,
    });

  describe('model proxy', () => {
    it('swaps the capability for the real key; keeps prefix, query, betas and body', async () => {
      const capability = capabilities.issue(main);
      const answer = await model(capability, {
        headers: {
          'x-api-key': capability,
          'anthropic-beta': BETAS,
          'anthropic-version': '1',
          cookie: 'session=1',
          'proxy-authorization': 'Basic eDp5',
          'x-nanoclaw-group': 'main',
          'x-app': 'cli',
        },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('text/event-stream');
      expect(answer.headers['x-hop']).toBeUndefined();
      expect(upstream.seen).toHaveLength(1);
      const seen = upstream.seen[0];
      expect(seen?.url).toBe('/prefix/v1/messages?beta=true');
      expect(seen?.headers['x-api-key']).toBe('sk-real-one');
      expect(JSON.stringify(seen?.headers)).not.toContain(capability);
      expect(seen?.headers['anthropic-beta']).toBe(BETAS);
      expect(seen?.headers['anthropic-version']).toBe('1');
      expect(seen?.headers['x-app']).toBe('cli');
      for (const dropped of ['cookie', 'proxy-authorization', 'x-nanoclaw-group']) {
        expect(seen?.headers[dropped], dropped).toBeUndefined();
      }
      expect(seen?.body).toBe('{"model":"m","stream":true}');
    });

    it('accepts the capability as a Bearer token too, and never forwards it', async () => {
      const capability = capabilities.issue(main);
      const answer = await model('', { headers: { authorization: `Bearer ${capability}` } });
      expect(answer.status).toBe(200);
      expect(upstream.seen[0]?.headers['x-api-key']).toBe('sk-real-one');
      expect(upstream.seen[0]?.headers.authorization).toBeUndefined();
    });

    it('reads the credential fresh on every request: rotation needs no restart', async () => {
      const capability = capabilities.issue(main);
      const rotations = [
        'ANTHROPIC_API_KEY=sk-real-two',
        'CLAUDE_CODE_OAUTH_TOKEN=oauth-three',
        'ANTHROPIC_AUTH_TOKEN=token-four',
      ];
      for (const line of rotations) {
        fs.writeFileSync(envFile, `${line}\n`);
        expect((await model(capability)).status).toBe(200);
      }
      const [two, three, four] = upstream.seen.map((s) => s.headers);
      expect(two?.['x-api-key']).toBe('sk-real-two');
      expect(three?.['x-api-key']).toBeUndefined();
      expect(three?.authorization).toBe('Bearer oauth-three');
      expect(three?.['anthropic-beta']).toBe(`${BETAS},oauth-2025-04-20`);
      expect(four?.authorization).toBe('Bearer token-four');
      expect(four?.['anthropic-beta']).toBe(BETAS);
    });

    it('names the settings to set when Anthropic is the upstream and no credential exists', async () => {
      fs.writeFileSync(envFile, '');
      const gw = await startExtra({ upstreamUrl: DEFAULT_UPSTREAM });
      const answer = await messages(socketOf(gw), capabilities.issue(main));
      expect(answer.status).toBe(401);
      expect(errorOf(answer).type).toBe('authentication_error');
      expect(errorOf(answer).message).toMatch(
        /ANTHROPIC_API_KEY.*CLAUDE_CODE_OAUTH_TOKEN.*ANTHROPIC_BASE_URL/,
      );
    });

    it('forwards without a credential to a custom (local) endpoint that needs none', async () => {
      fs.writeFileSync(envFile, '');
      expect((await model(capabilities.issue(main))).status).toBe(200);
      expect(upstream.seen[0]?.headers['x-api-key']).toBeUndefined();
      expect(upstream.seen[0]?.headers.authorization).toBeUndefined();
    });

    it('refuses missing, unknown and revoked capabilities without calling upstream', async () => {
      const revoked = capabilities.issue(main);
      capabilities.revoke(revoked);
      for (const key of ['', 'forged-capability-0000000000000000', revoked]) {
        const answer = await model(key);
        expect(answer.status, key).toBe(401);
        expect(errorOf(answer).type).toBe('authentication_error');
      }
      expect(upstream.seen).toHaveLength(0);
    });

    it('is not an open proxy: no other path, host or origin is reachable', async () => {
      const capability = capabilities.issue(main);
      const tries: [string, string][] = [
        ['POST', '/v1/../admin'],
        ['POST', '/v1/messages/..%2f..%2fadmin'],
        ['POST', '/v1/%2e%2e/admin'],
        ['GET', '/v1/models/..%2F..%2Fadmin'],
        ['GET', '/v1/models/..'],
        ['GET', '/v1/models/.'],
        ['POST', '/v1//messages'],
        ['GET', '/v1/files'],
        ['GET', '/v1/messages'],
        ['POST', '/elsewhere'],
        ['POST', 'http://evil.example/v1/messages'],
        ['GET', `http://${new URL(upstream.url).host}/prefix/v1/models`],
      ];
      for (const [method, p] of tries) {
        const status = await raw(
          { path: socket },
          `${method} ${p} HTTP/1.1\r\nHost: evil.example\r\nx-api-key: ${capability}\r\n` +
            'Content-Length: 0\r\nConnection: close\r\n\r\n',
        );
        expect(status, `${method} ${p}`).toMatch(/^HTTP\/1\.1 4\d\d /);
      }
      expect(upstream.seen).toHaveLength(0);
      // A Host header naming another server changes nothing: the origin is fixed.
      await model(capability, { headers: { 'x-api-key': capability, host: 'evil.example' } });
      expect(upstream.seen.map((s) => s.url)).toEqual(['/prefix/v1/messages?beta=true']);
      expect(upstream.seen[0]?.headers.host).toBe(new URL(upstream.url).host);
    });

    it('answers 502 with a clear Anthropic-style error when the upstream is down', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const gw = await startExtra({ upstreamUrl: `http://127.0.0.1:${port}` });
      const answer = await messages(socketOf(gw), capabilities.issue(main));
      expect(answer.status).toBe(502);
      expect(errorOf(answer)).toMatchObject({ type: 'api_error' });
      expect(errorOf(answer).message).toContain(`could not reach the model endpoint`);
      expect(errorOf(answer).message).toContain(`127.0.0.1:${port}`);
    });

    it('streams: the first event reaches the sandbox before the upstream has finished', async () => {
      const order: string[] = [];
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      // If the proxy buffered, the gate would open only by this fallback, after which the
      // client's first chunk would arrive: the order below would then be reversed.
      const fallback = setTimeout(() => {
        order.push('upstream finished');
        release();
      }, 2000);
      upstream.state.behave = sse(() => released);
      const answer = await model(capabilities.issue(main), {
        onChunk: () => {
          if (order.includes('first chunk')) return;
          order.push('first chunk');
          clearTimeout(fallback);
          order.push('upstream finished');
          release();
        },
      });
      clearTimeout(fallback);
      expect(order).toEqual(['first chunk', 'upstream finished']);
      expect(answer.body.match(/event: ping/g)).toHaveLength(3);
    });

    it('cuts the sandbox connection when the upstream dies mid-stream (no hang)', async () => {
      upstream.state.behave = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: ping\ndata: {}\n\n', () => res.socket?.destroy());
      };
      await expect(model(capabilities.issue(main))).rejects.toThrow(/aborted|socket hang up/);
    });

    it('aborts the upstream call when the sandbox hangs up', async () => {
      // The upstream is still "thinking" (no byte sent yet) when the sandbox gives up.
      let received = () => {};
      const arrived = new Promise<void>((resolve) => (received = resolve));
      const upstreamClosed = new Promise<void>((resolve) => {
        upstream.state.behave = (_req, res) => {
          res.on('close', () => resolve());
          received();
        };
      });
      const req = http.request({
        socketPath: socket,
        method: 'POST',
        path: '/v1/messages',
        headers: { 'x-api-key': capabilities.issue(main) },
      });
      req.on('error', () => {}); // the destroy below is the point of the test
      req.end('{}');
      await arrived;
      req.destroy();
      await upstreamClosed;
    });

    it('serves the same routes with the same auth on the TCP endpoint', async () => {
      const tcp = gateway.tcpEndpoint;
      if (tcp?.kind !== 'tcp') throw new Error('no TCP endpoint');
      const target = { host: tcp.host, port: tcp.port };
      expect((await messages(target, 'forged-capability-0000000000000000')).status).toBe(401);
      expect((await messages(target, capabilities.issue(main))).status).toBe(200);
      expect(upstream.seen.map((s) => s.headers['x-api-key'])).toEqual(['sk-real-one']);
      // The egress proxy answers there too (here: 407, no run credential) instead of hanging up.
      const connect = await raw(
        target,
        'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nConnection: close\r\n\r\n',
      );
      expect(connect).toMatch(/^HTTP\/1\.1 407 /);
    });
  });

  describe('host API', () => {
    const call = (capability: string, body: unknown, extra: Partial<Call> = {}) =>
      request(socket, {
        method: 'POST',
        path: '/api/send_message',
        headers: { authorization: `Bearer ${capability}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        ...extra,
      });

    it('derives the caller from the capability, whatever the body claims', async () => {
      const answer = await call(capabilities.issue(family), {
        text: 'hello there',
        group: 'main',
        isMain: true,
        runId: 'run-main',
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ ok: true });
      expect(sent).toEqual([{ context: family, body: { text: 'hello there' } }]);
      const line = logs.map((l) => JSON.parse(l) as Record<string, unknown>).at(-1);
      expect(line).toMatchObject({ level: 30, group: 'family', runId: 'run-family', status: 200 });
      expect(line?.route).toBe('/api/send_message');
      expect(logs.join('\n')).not.toContain('hello there');
    });

    it('refuses missing, forged and stale capabilities', async () => {
      const stale = capabilities.issue(family);
      capabilities.revoke(stale);
      for (const capability of ['', 'not-a-capability', stale]) {
        expect((await call(capability, { text: 'x' })).status).toBe(401);
      }
      expect(sent).toHaveLength(0);
      expect(audited.map((a) => a.decision)).toEqual(Array(3).fill('unauthenticated'));
    });

    it('rejects bad bodies: 400 with the reason, 413 when oversized, 404 elsewhere', async () => {
      const capability = capabilities.issue(family);
      expect((await call(capability, '{not json')).status).toBe(400);
      const empty = await call(capability, { text: '' });
      expect(empty.status).toBe(400);
      expect(JSON.parse(empty.body).error).toMatch(/^text: /);
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const big = { text: 'x'.repeat(300_000) };
      expect((await call(capability, big, { agent })).status).toBe(413);
      const chunked = { 'transfer-encoding': 'chunked', authorization: `Bearer ${capability}` };
      expect((await call(capability, big, { agent, headers: chunked })).status).toBe(413);
      // The connection pool still works after a refused body (the unread rest was not parsed).
      expect((await call(capability, { text: 'after' }, { agent })).status).toBe(200);
      agent.destroy();
      expect((await call(capability, {}, { path: '/api/nope' })).status).toBe(404);
      expect((await call(capability, undefined, { method: 'GET' })).status).toBe(404);
    });

    it('maps handler errors: 403 forbidden, 400 user error, 500 without internals', async () => {
      const capability = capabilities.issue(family);
      const forbidden = await call(capability, { text: 'forbidden' });
      expect([forbidden.status, JSON.parse(forbidden.body).error]).toEqual([403, 'not your chat']);
      expect(audited.at(-1)).toMatchObject({ group: 'family', decision: 'denied' });
      const user = await call(capability, { text: 'user-error' });
      expect(user.status).toBe(400);
      expect(JSON.parse(user.body).error).toBe('no such chat: try list_groups');
      const crash = await call(capability, { text: 'crash' });
      expect(crash.status).toBe(500);
      expect(crash.body).not.toContain('/secret/path');
    });

    it('serves extra routes with their own schema', async () => {
      const capability = capabilities.issue(main);
      const answer = await call(capability, { n: 7 }, { path: '/api/echo_group' });
      expect(JSON.parse(answer.body)).toEqual({ ok: true, folder: 'main', body: { n: 7 } });
      expect((await call(capability, { n: 'x' }, { path: '/api/echo_group' })).status).toBe(400);
    });
  });

  describe('listener', () => {
    it('makes the socket reachable for the sandbox user', () => {
      expect(fs.statSync(socket).mode & 0o777).toBe(0o666);
      expect(fs.statSync(path.dirname(socket)).mode & 0o755).toBe(0o755);
    });

    it('close() does not wait for idle keep-alive clients or live streams', async () => {
      const gw = await startExtra({ tcp: { host: '127.0.0.1', port: 0 } });
      const socketPath = socketOf(gw);
      const agent = new http.Agent({ keepAlive: true });
      await request(socketPath, { method: 'GET', path: '/nothing', agent });
      upstream.state.behave = sse(() => new Promise(() => {}));
      const streaming = new Promise<void>((resolve) => {
        const headers = { 'x-api-key': capabilities.issue(main) };
        const req = http.request(
          { socketPath, method: 'POST', path: '/v1/messages', headers },
          (res) => res.once('data', () => resolve()),
        );
        req.on('error', () => {}); // cut by close(): expected
        req.end('{}');
      });
      await streaming;
      await gw.close();
      agent.destroy();
      expect(fs.existsSync(socketPath)).toBe(false);
    });
  });
});
