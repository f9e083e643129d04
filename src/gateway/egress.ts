/**
 * The egress proxy: the only way out of a sandbox. HTTP CONNECT (HTTPS) and absolute-form HTTP
 * requests, authenticated by the run's capability (Proxy-Authorization), decided by the group's
 * egress policy on the resolved addresses, then connected to exactly the address that was
 * checked (no second DNS lookup to rebind). Every decision goes to the audit trail.
 */
import dns from 'node:dns/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { egressDecision, type EgressDecision } from '../security/egress.js';
import type { EgressPolicy } from '../shared/policies.js';
import type { AuditSink } from '../store/audit.js';
import type { CapabilityRegistry, RunContext } from './types.js';

export interface EgressDeps {
  capabilities: CapabilityRegistry;
  /** The group's current policy (read at every request, so changes apply at once). */
  policyFor(folder: string): EgressPolicy;
  audit?: AuditSink;
  lookup?: (host: string) => Promise<string[]>;
  log: Logger;
}

const CONNECT_TIMEOUT_MS = 10_000;

async function resolveAll(host: string): Promise<string[]> {
  if (net.isIP(host)) return [host];
  try {
    return (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return []; // unresolvable: the decision says so
  }
}

function capabilityOf(req: IncomingMessage): string | undefined {
  const header = req.headers['proxy-authorization'];
  const encoded = header ? /^Basic\s+(\S+)$/i.exec(header)?.[1] : undefined;
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1) || undefined;
}

/** `host:port` of a CONNECT request line (IPv6 in brackets). */
export function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/\s]+):(\d{1,5})$/.exec(authority);
  const port = Number(match?.[2]);
  if (!match?.[1] || !(port > 0 && port < 65536)) return undefined;
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

interface Decided {
  context: RunContext | undefined;
  decision: EgressDecision;
}

/** Authenticates the run, applies its group's policy to the resolved addresses, audits. */
async function decide(
  deps: EgressDeps,
  req: IncomingMessage,
  host: string,
  port: number,
): Promise<Decided> {
  const context = deps.capabilities.resolve(capabilityOf(req) ?? '');
  if (!context)
    return { context, decision: { allow: false, reason: 'proxy authentication required' } };
  const resolved = await (deps.lookup ?? resolveAll)(host);
  const decision = egressDecision(deps.policyFor(context.group.folder), host, port, resolved);
  deps.audit?.({
    kind: 'egress',
    group: context.group.folder,
    runId: context.runId,
    action: `${req.method} ${host}:${port}`,
    decision: decision.allow ? 'allowed' : 'denied',
    detail: decision.allow ? { address: decision.address } : { reason: decision.reason },
  });
  return { context, decision };
}

function refuse(socket: Duplex, context: RunContext | undefined, reason: string): void {
  const status = context ? '403 Forbidden' : '407 Proxy Authentication Required';
  const extra = context ? '' : 'Proxy-Authenticate: Basic realm="nanoclaw"\r\n';
  socket.end(
    `HTTP/1.1 ${status}\r\n${extra}Content-Type: text/plain\r\nConnection: close\r\n\r\nNanoClaw egress: ${reason}\n`,
  );
}

/** HTTP CONNECT: a TCP tunnel (HTTPS) to an allowed host:port. */
async function tunnel(
  deps: EgressDeps,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
): Promise<void> {
  client.on('error', (error) =>
    deps.log.debug({ err: errorMessage(error) }, 'egress client error'),
  );
  const target = parseAuthority(req.url ?? '');
  if (!target) return void client.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  const { context, decision } = await decide(deps, req, target.host, target.port);
  if (!decision.allow) return refuse(client, context, decision.reason);
  const upstream = net.connect({
    host: decision.address,
    port: target.port,
    timeout: CONNECT_TIMEOUT_MS,
  });
  upstream.once('connect', () => {
    upstream.setTimeout(0);
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(client).pipe(upstream);
  });
  upstream.once('timeout', () => upstream.destroy(new Error('connect timeout')));
  upstream.on('error', (error) => {
    if (!client.writableEnded)
      client.end(
        `HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\nNanoClaw egress: ${error.message}\n`,
      );
  });
  client.on('close', () => upstream.destroy());
}

/** Absolute-form plain HTTP (`GET http://host/path`). */
async function forward(deps: EgressDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '');
  } catch {
    return void res.writeHead(400).end();
  }
  if (url.protocol !== 'http:')
    return void res.writeHead(400).end('only http:// here; use CONNECT for https\n');
  const port = Number(url.port || 80);
  const { context, decision } = await decide(deps, req, url.hostname, port);
  if (!decision.allow) {
    const challenge = context ? {} : { 'proxy-authenticate': 'Basic realm="nanoclaw"' };
    res.writeHead(context ? 403 : 407, { 'content-type': 'text/plain', ...challenge });
    return void res.end(`NanoClaw egress: ${decision.reason}\n`);
  }
  const headers: http.OutgoingHttpHeaders = { host: url.host };
  for (const [name, value] of Object.entries(req.headers)) {
    if (name !== 'host' && !name.startsWith('proxy-')) headers[name] = value;
  }
  const path = `${url.pathname}${url.search}`;
  const upstream = http.request(
    {
      host: decision.address,
      port,
      method: req.method,
      path,
      headers,
      timeout: CONNECT_TIMEOUT_MS,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`NanoClaw egress: ${error.message}\n`);
  });
  req.pipe(upstream);
}

export function createEgress(deps: EgressDeps) {
  return {
    connect: (req: IncomingMessage, client: Duplex, head: Buffer) =>
      tunnel(deps, req, client, head),
    request: (req: IncomingMessage, res: ServerResponse) => forward(deps, req, res),
  };
}
