/**
 * The gateway: one HTTP server on a unix socket in the data directory (bind-mounted read-only
 * into sandboxes), optionally also on a TCP address for runtimes that cannot share sockets; both
 * serve the same routes with the same capability auth. `/v1/*` is the model proxy, `/api/*` the
 * host API, absolute-form requests and CONNECT the egress proxy; everything else is 404.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecretSource } from '../config.js';
import type { Logger } from '../log.js';
import type { EgressPolicy } from '../shared/policies.js';
import type { GatewayEndpoint } from '../shared/protocol.js';
import type { AuditSink } from '../store/audit.js';
import type { UsageHooks } from '../usage/meter.js';
import { createEgress } from './egress.js';
import { createHostApi } from './host-api.js';
import { sendJson } from './http.js';
import { listenTcp, listenUnix, removeSocket } from './listen.js';
import { createModelProxy } from './model-proxy.js';
import type { OpenAIUpstream } from './openai-proxy.js';
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
  /** Budgets and usage recording for the model proxy. */
  usage?: UsageHooks;
  /** `MODEL_API=openai`: the Chat Completions endpoint model requests are translated to. */
  openai?: OpenAIUpstream;
  log: Logger;
}

export interface Gateway {
  endpoint: GatewayEndpoint;
  tcpEndpoint?: GatewayEndpoint;
  close(): Promise<void>;
}

type Handlers = {
  request: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  connect: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
};

function createHandlers(deps: GatewayDeps): Handlers {
  const model = createModelProxy(deps);
  const api = createHostApi(deps);
  const egress = createEgress({
    capabilities: deps.capabilities,
    policyFor: deps.egressPolicy ?? (() => ({ mode: 'none', allow: [] })),
    ...(deps.audit ? { audit: deps.audit } : {}),
    log: deps.log,
  });
  return {
    request(req, res) {
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
    },
    connect(req, socket, head) {
      egress.connect(req, socket, head).catch((error: unknown) => {
        deps.log.warn({ err: error }, 'egress tunnel failed');
        socket.destroy();
      });
    },
  };
}

/** One server per listener, all tracking their sockets so close() can cut even CONNECT tunnels. */
function createServer(handlers: Handlers, sockets: Set<Socket>): http.Server {
  const server = http.createServer(handlers.request);
  server.on('connect', handlers.connect);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return server;
}

export async function createGateway(deps: GatewayDeps): Promise<Gateway> {
  const handlers = createHandlers(deps);
  const sockets = new Set<Socket>();
  const unix = createServer(handlers, sockets);
  const servers = [unix];
  const socketId = await listenUnix(unix, deps.socketPath);
  let tcpEndpoint: GatewayEndpoint | undefined;
  if (deps.tcp) {
    const tcp = createServer(handlers, sockets);
    servers.push(tcp);
    try {
      const port = await listenTcp(tcp, deps.tcp.host, deps.tcp.port);
      tcpEndpoint = { kind: 'tcp', host: deps.tcp.host, port };
    } catch (error) {
      await closeAll(servers, sockets, () => removeSocket(deps.socketPath, socketId));
      throw error;
    }
  }
  deps.log.info({ socket: deps.socketPath, tcp: tcpEndpoint }, 'gateway listening');
  return {
    endpoint: { kind: 'unix', path: deps.socketPath },
    ...(tcpEndpoint ? { tcpEndpoint } : {}),
    close: () => closeAll(servers, sockets, () => removeSocket(deps.socketPath, socketId)),
  };
}

async function closeAll(servers: http.Server[], sockets: Set<Socket>, cleanup: () => void) {
  const closed = servers.map(
    (server) => new Promise<void>((resolve) => server.close(() => resolve())),
  );
  // Open connections (keep-alive, live streams, tunnels) would keep close() waiting forever.
  for (const socket of sockets) socket.destroy();
  await Promise.all(closed);
  cleanup();
}
