/**
 * The model proxy: forwards the agent's Anthropic API requests to the one configured upstream,
 * swapping the run's capability (the sandbox's placeholder credential) for the real one, read
 * fresh on every request. Not an open proxy: the origin is fixed, only model API paths pass, and
 * path tricks are refused before anything is sent.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { DEFAULT_UPSTREAM, type SecretSource } from '../config.js';
import type { Logger } from '../log.js';
import type { CapabilityRegistry } from './types.js';

const CONNECT_TIMEOUT_MS = 10_000;
const MODEL_ID = '[A-Za-z0-9._:@-]{1,200}';
const ROUTES: { method: string; pattern: RegExp }[] = [
  { method: 'POST', pattern: /^\/v1\/messages$/ },
  { method: 'POST', pattern: /^\/v1\/messages\/count_tokens$/ },
  { method: 'GET', pattern: /^\/v1\/models$/ },
  { method: 'GET', pattern: new RegExp(`^/v1/models/${MODEL_ID}$`) },
];
const DROP_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'cookie',
  'x-api-key',
  'authorization',
  'content-length',
]);
const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'trailer']);

export interface ModelProxyDeps {
  upstreamUrl: string;
  secrets: SecretSource;
  capabilities: CapabilityRegistry;
  log: Logger;
}

/** Anthropic-style error body, so the SDK shows the message to the agent and the logs. */
export function apiError(res: ServerResponse, status: number, type: string, message: string) {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ type: 'error', error: { type, message } });
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

/**
 * Decides whether a request line may be forwarded: only origin-form model API paths, no dot
 * segments, encoded separators or doubled slashes. Pure; returns the path and query to use.
 */
export function modelRoute(
  method: string | undefined,
  rawUrl: string | undefined,
): { path: string; query: string } | undefined {
  if (!rawUrl?.startsWith('/') || rawUrl.startsWith('//')) return undefined;
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = q === -1 ? '' : rawUrl.slice(q);
  if (/%|\\|\/\/|\/\.\.?(\/|$)/.test(path)) return undefined;
  const route = ROUTES.find((r) => r.method === method && r.pattern.test(path));
  return route ? { path, query } : undefined;
}

/** The credential headers for the upstream, or an error message naming what to set. */
export function credentialHeaders(
  secrets: SecretSource,
  upstreamIsDefault: boolean,
  beta: string | undefined,
): { headers: Record<string, string> } | { error: string } {
  const apiKey = secrets.get('ANTHROPIC_API_KEY');
  if (apiKey) return { headers: { 'x-api-key': apiKey } };
  const oauth = secrets.get('CLAUDE_CODE_OAUTH_TOKEN');
  if (oauth) {
    const betas = [beta, 'oauth-2025-04-20'].filter(Boolean).join(',');
    return { headers: { authorization: `Bearer ${oauth}`, 'anthropic-beta': betas } };
  }
  const token = secrets.get('ANTHROPIC_AUTH_TOKEN');
  if (token) return { headers: { authorization: `Bearer ${token}` } };
  // A local endpoint (Ollama, a proxy) may need no credential at all.
  if (!upstreamIsDefault) return { headers: {} };
  return {
    error:
      'No model credential is configured on the NanoClaw host. Set ANTHROPIC_API_KEY or ' +
      'CLAUDE_CODE_OAUTH_TOKEN (or ANTHROPIC_BASE_URL for a local endpoint) and try again.',
  };
}

function capabilityOf(req: IncomingMessage): string | undefined {
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key) return key;
  const auth = req.headers.authorization;
  return auth ? /^Bearer\s+(\S+)$/i.exec(auth)?.[1] : undefined;
}

export function createModelProxy(deps: ModelProxyDeps) {
  const base = new URL(deps.upstreamUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const isDefault = base.origin === new URL(DEFAULT_UPSTREAM).origin;
  const client = base.protocol === 'https:' ? https : http;

  return function handleModel(req: IncomingMessage, res: ServerResponse): void {
    const route = modelRoute(req.method, req.url);
    if (!route) return apiError(res, 404, 'not_found_error', 'Not a model API path.');
    const context = deps.capabilities.resolve(capabilityOf(req) ?? '');
    if (!context) {
      return apiError(res, 401, 'authentication_error', 'Unknown or expired run capability.');
    }
    const beta = req.headers['anthropic-beta'];
    const credential = credentialHeaders(
      deps.secrets,
      isDefault,
      Array.isArray(beta) ? beta.join(',') : beta,
    );
    if ('error' in credential) return apiError(res, 401, 'authentication_error', credential.error);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || DROP_HEADERS.has(name)) continue;
      if (name.startsWith('proxy-') || name.startsWith('x-nanoclaw-')) continue;
      headers[name] = value;
    }
    Object.assign(headers, credential.headers, { host: base.host });
    const log = deps.log.child({ group: context.group.folder, runId: context.runId });
    const upstream = client.request(
      {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port || undefined,
        method: req.method,
        path: `${basePath}${route.path}${route.query}`,
        headers,
      },
      (upstreamRes) => relay(upstreamRes, res),
    );
    guardConnect(upstream, base.origin);
    upstream.on('error', (error) => {
      log.warn({ err: error.message, upstream: base.origin }, 'model upstream failed');
      apiError(
        res,
        502,
        'api_error',
        `NanoClaw could not reach the model endpoint ${base.origin}: ${error.message}`,
      );
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
}

function relay(upstreamRes: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstreamRes.headers)) {
    if (value !== undefined && !HOP_BY_HOP_RESPONSE.has(name)) headers[name] = value;
  }
  res.writeHead(upstreamRes.statusCode ?? 502, headers);
  res.flushHeaders();
  // Chunks flow as they arrive (server-sent events), no buffering.
  upstreamRes.pipe(res);
}

function guardConnect(request: http.ClientRequest, origin: string): void {
  request.on('socket', (socket) => {
    if (!socket.connecting) return;
    const timer = setTimeout(() => {
      request.destroy(new Error(`connection to ${origin} timed out`));
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  });
}
