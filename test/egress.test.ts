/**
 * The egress proxy over the gateway's real unix socket, and from inside a real bwrap sandbox:
 * capability auth, decisions on resolved addresses, tunnels that really carry bytes, audit.
 * All targets are loopback servers of this test (private addresses are refused before any
 * connection is attempted, so no traffic leaves the machine).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretSource } from '../src/config.js';
import { createCapabilityRegistry } from '../src/gateway/capabilities.js';
import { createGateway, type Gateway } from '../src/gateway/server.js';
import { silentLogger } from '../src/log.js';
import type { EgressPolicy } from '../src/shared/policies.js';
import type { AuditEntry } from '../src/store/audit.js';
import { startFakeAnthropic } from './support/fake-anthropic.js';
import { runCli, tempHome } from './support/cli.js';

describe('egress proxy', () => {
  let dir: string;
  let gateway: Gateway;
  let target: http.Server;
  let port: number;
  const capabilities = createCapabilityRegistry();
  const policies = new Map<string, EgressPolicy>();
  const audited: AuditEntry[] = [];
  const capability = capabilities.issue({
    runId: 'r1',
    group: { folder: 'family', isMain: false },
  });
  const auth = `Basic ${Buffer.from(`nanoclaw:${capability}`).toString('base64')}`;

  const connect = (authority: string, withAuth = true) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({
        socketPath: path.join(dir, 'gw.sock'),
        method: 'CONNECT',
        path: authority,
        headers: withAuth ? { 'proxy-authorization': auth } : {},
      });
      req.on('connect', (res, socket, head: Buffer) => {
        if (res.statusCode !== 200) {
          let body = head.toString();
          socket.on('data', (d: Buffer) => (body += d.toString()));
          socket.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          return;
        }
        socket.write(`GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        let body = '';
        socket.on('data', (d: Buffer) => (body += d.toString()));
        socket.on('end', () => resolve({ status: 200, body }));
      });
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-egress-'));
    target = http.createServer((_req, res) => res.end('hello through the tunnel'));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
    port = (target.address() as AddressInfo).port;
    gateway = await createGateway({
      socketPath: path.join(dir, 'gw.sock'),
      upstreamUrl: 'http://127.0.0.1:9',
      secrets: secretSource({}, path.join(dir, '.env')),
      capabilities,
      handlers: { sendMessage: async () => {} },
      audit: (e) => audited.push(e),
      egressPolicy: (folder) => policies.get(folder) ?? { mode: 'public', allow: [] },
      log: silentLogger(),
    });
  });

  afterAll(async () => {
    await gateway.close();
    target.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('requires the run capability', async () => {
    expect((await connect(`127.0.0.1:${port}`, false)).status).toBe(407);
  });

  it('refuses loopback, a name resolving to loopback, metadata and private ranges by default', async () => {
    for (const authority of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      '169.254.169.254:80',
      '10.0.0.1:443',
      '[::1]:443',
    ]) {
      const answer = await connect(authority);
      expect(answer.status, authority).toBe(403);
      expect(answer.body).toMatch(/non-public address/);
    }
    expect(
      audited.filter((a) => a.kind === 'egress' && a.decision === 'denied').length,
    ).toBeGreaterThanOrEqual(5);
  });

  it('an explicit host:port entry opens exactly that address, and the tunnel carries bytes', async () => {
    policies.set('family', { mode: 'public', allow: [`127.0.0.1:${port}`] });
    const answer = await connect(`127.0.0.1:${port}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('hello through the tunnel');
    expect((await connect(`localhost:${port}`)).status).toBe(403);
    expect(audited.at(-2)).toMatchObject({
      kind: 'egress',
      group: 'family',
      action: `CONNECT 127.0.0.1:${port}`,
      decision: 'allowed',
    });
  });

  it('plain http through the proxy follows the same policy', async () => {
    policies.set('family', { mode: 'public', allow: [`127.0.0.1:${port}`] });
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          socketPath: path.join(dir, 'gw.sock'),
          method: 'GET',
          path: `http://127.0.0.1:${port}/x`,
          headers: { 'proxy-authorization': auth },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(`${res.statusCode} ${text}`));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('200 hello through the tunnel');
    policies.set('family', { mode: 'none', allow: [] });
    expect((await connect(`127.0.0.1:${port}`)).status).toBe(403);
  });

  it('from inside a real sandbox: blocked by default, allowed once the group’s policy says so', async () => {
    const fake = await startFakeAnthropic();
    const home = tempHome();
    const env = {
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-egress',
    };
    const probe = `RUN: curl -s --noproxy '' -x "$HTTP_PROXY" http://127.0.0.1:${port}/`;
    const blocked = await runCli(['run', probe], env);
    expect(blocked.stdout).toContain('NanoClaw egress');
    expect(blocked.stdout).not.toContain('hello through the tunnel');
    expect(
      (
        await runCli(
          ['egress', 'set', 'main', '--mode', 'public', '--allow', `127.0.0.1:${port}`],
          env,
        )
      ).code,
    ).toBe(0);
    const allowed = await runCli(['run', probe], env);
    expect(allowed.stdout).toContain('hello through the tunnel');
    const audit = await runCli(['audit', '--json'], env);
    expect(audit.stdout).toContain('"kind":"egress"');
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  });
});
