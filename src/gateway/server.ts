/**
 * The gateway: one HTTP server on a unix socket in the data directory (bind-mounted read-only
 * into sandboxes), optionally also on a TCP address for runtimes that cannot share sockets.
 * `/v1/*` is the model proxy, `/api/*` the host API; everything else is 404.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EgressPolicy } from '../security/egress.js';
import { createEgress } from './egress.js';
import path from 'node:path';
import type { SecretSource } from '../config.js';
import type { Logger } from '../log.js';
import type { GatewayEndpoint } from '../shared/protocol.js';
import { createHostApi } from './host-api.js';
import { sendJson } from './http.js';
import { createModelProxy } from './model-proxy.js';
import type { AuditSink } from '../store/audit.js';
import type { CapabilityRegistry, HostApiHandlers } from './types.js';

export interface GatewayDeps {
  socketPath: string;
  tcp?: { host: string; port: number };
  upstreamUrl: string;
  secrets: SecretSource;
  capabilities: CapabilityRegistry;
  handlers: HostApiHandlers;
  /** Where host API and egress decisions are recorded (the audit trail). */
  audit?: AuditSink;
  /** A group's egress policy; without it, nothing leaves a sandbox. */
  egressPolicy?: (folder: string) => EgressPolicy;
  log: Logger;
}

export interface Gateway {
  endpoint: GatewayEndpoint;
  tcpEndpoint?: GatewayEndpoint;
  close(): Promise<void>;
}

export async function createGateway(deps: GatewayDeps): Promise<Gateway> {
  const model = createModelProxy(deps);
  const api = createHostApi(deps);
  const egress = createEgress({
    capabilities: deps.capabilities,
    policyFor: deps.egressPolicy ?? (() => ({ mode: 'none', allow: [] })),
    ...(deps.audit ? { audit: deps.audit } : {}),
    log: deps.log,
  });
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (/^https?:\/\//i.test(url)) {
      egress
        .request(req, res)
        .catch((error: unknown) => deps.log.warn({ err: error }, 'egress request failed'));
      return;
    }
    if (url.startsWith('/v1/')) return model(req, res);
    if (url.startsWith('/api/')) {
      api(req, res).catch((error: unknown) => {
        deps.log.error({ err: error }, 'host API request failed');
        sendJson(res, 500, { ok: false, error: 'internal error on the host' });
      });
      return;
    }
    sendJson(res, 404, { ok: false, error: 'not found' });
  });
  server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    egress.connect(req, socket, head).catch((error: unknown) => {
      deps.log.warn({ err: error }, 'egress tunnel failed');
      socket.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await listenUnix(server, deps.socketPath);
  let tcpServer: http.Server | undefined;
  let tcpEndpoint: GatewayEndpoint | undefined;
  if (deps.tcp) {
    tcpServer = http.createServer((req, res) => server.emit('request', req, res));
    const port = await listenTcp(tcpServer, deps.tcp.host, deps.tcp.port);
    tcpEndpoint = { kind: 'tcp', host: deps.tcp.host, port };
  }
  return {
    endpoint: { kind: 'unix', path: deps.socketPath },
    ...(tcpEndpoint ? { tcpEndpoint } : {}),
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([closeServer(server), tcpServer && closeServer(tcpServer)]);
      fs.rmSync(deps.socketPath, { force: true });
    },
  };
}

async function listenUnix(server: http.Server, socketPath: string): Promise<void> {
  // The directory is bind-mounted into sandboxes, so the sandbox user must be able to enter it.
  fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o755 });
  fs.chmodSync(path.dirname(socketPath), 0o755);
  const stale = fs.lstatSync(socketPath, { throwIfNoEntry: false });
  if (stale?.isSocket()) fs.rmSync(socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Anyone who can reach the socket still needs a live capability for every request.
  fs.chmodSync(socketPath, 0o666);
}

async function listenTcp(server: http.Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
