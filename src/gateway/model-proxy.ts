/**
 * The model proxy: forwards the agent's Anthropic API requests to the one configured upstream,
 * swapping the run's capability (the sandbox's placeholder credential) for the real one, read
 * fresh on every request. Not an open proxy: the origin is fixed, only model API paths pass, and
 * path tricks are refused before anything is sent.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { pipeline, Transform } from 'node:stream';
import { DEFAULT_UPSTREAM, type SecretSource } from '../config.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { UsageHooks } from '../usage/meter.js';
import { usageTapFor, type ParsedUsage } from '../usage/tap.js';
import { bearer, closeIfUnread, ConnectTimeout, guardConnect } from './http.js';
import { createOpenAIForward, type OpenAIUpstream } from './openai-proxy.js';
import type { CapabilityRegistry, RunContext } from './types.js';

const OAUTH_BETA = 'oauth-2025-04-20';
const MODEL_ID = '[A-Za-z0-9._:@-]{1,200}';
const ROUTES: { method: string; pattern: RegExp }[] = [
  { method: 'POST', pattern: /^\/v1\/messages$/ },
  { method: 'POST', pattern: /^\/v1\/messages\/count_tokens$/ },
  { method: 'GET', pattern: /^\/v1\/models$/ },
  { method: 'GET', pattern: new RegExp(`^/v1/models/${MODEL_ID}$`) },
];
/** Hop-by-hop headers (RFC 9110 §7.6.1) plus what only makes sense on the sandbox's side. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
const DROP_REQUEST = new Set([...HOP_BY_HOP, 'host', 'cookie', 'expect', 'x-api-key']);
const DROP_RESPONSE = new Set(HOP_BY_HOP);

export interface ModelProxyDeps {
  upstreamUrl: string;
  secrets: SecretSource;
  capabilities: CapabilityRegistry;
  /** Budgets and usage recording; without it requests are forwarded unmetered. */
  usage?: UsageHooks;
  /** `MODEL_API=openai`: translate to this Chat Completions endpoint instead of forwarding. */
  openai?: OpenAIUpstream;
  log: Logger;
}

/** Anthropic-style error body, so the SDK shows the message to the agent and the logs. */
export function apiError(res: ServerResponse, status: number, type: string, message: string) {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ type: 'error', error: { type, message } });
  closeIfUnread(res);
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
  // The query is passed on as is, so it must not smuggle a fragment or raw whitespace.
  if (/[#\s]/.test(query)) return undefined;
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
    const betas = (beta ?? '')
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b && b !== OAUTH_BETA);
    const merged = [...betas, OAUTH_BETA].join(',');
    return { headers: { authorization: `Bearer ${oauth}`, 'anthropic-beta': merged } };
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

/**
 * The headers sent upstream: the sandbox's minus hop-by-hop, cookies, proxy and NanoClaw
 * headers and its placeholder credential, plus the real credential and the upstream's host.
 */
export function upstreamHeaders(
  incoming: http.IncomingHttpHeaders,
  credential: Record<string, string>,
  host: string,
): Record<string, string | string[]> {
  const named = String(incoming.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase());
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || DROP_REQUEST.has(name) || named.includes(name)) continue;
    if (name === 'authorization' || name.startsWith('proxy-')) continue;
    if (name.startsWith('x-nanoclaw-')) continue;
    out[name] = value;
  }
  return { ...out, ...credential, host };
}

/** The SDK sends its placeholder credential as `x-api-key` or as a Bearer token. */
function capabilityOf(req: IncomingMessage): string | undefined {
  const key = req.headers['x-api-key'];
  return typeof key === 'string' && key ? key : bearer(req);
}

export function createModelProxy(deps: ModelProxyDeps) {
  const base = new URL(deps.upstreamUrl);
  const target = {
    base,
    basePath: base.pathname.replace(/\/+$/, ''),
    client: base.protocol === 'https:' ? https : http,
  };
  const isDefault = base.origin === new URL(DEFAULT_UPSTREAM).origin;

  const openai = deps.openai ? createOpenAIForward(deps.openai, deps.secrets, apiError) : undefined;

  return function handleModel(req: IncomingMessage, res: ServerResponse): void {
    const route = modelRoute(req.method, req.url);
    if (!route) return apiError(res, 404, 'not_found_error', 'Not a model API path.');
    const context = deps.capabilities.resolve(capabilityOf(req) ?? '');
    if (!context) {
      return apiError(res, 401, 'authentication_error', 'Unknown or expired run capability.');
    }
    const beta = req.headers['anthropic-beta'];
    // The OpenAI key is read by the OpenAI face itself (a local endpoint may need none).
    const credential = openai
      ? { headers: {} }
      : credentialHeaders(deps.secrets, isDefault, Array.isArray(beta) ? beta.join(',') : beta);
    if ('error' in credential) return apiError(res, 401, 'authentication_error', credential.error);
    const log = deps.log.child({ group: context.group.folder, runId: context.runId });
    if (refusedByBudget(deps.usage, context, res, log)) return;
    const usage = deps.usage;
    const metered = usage && route.path === '/v1/messages';
    const hooks = metered
      ? {
          onStatus: (status: number, retryAfter: string | undefined) =>
            usage.upstreamStatus?.(context, status, retryAfter),
          onUsage: (parsed: ParsedUsage) => usage.record(context, parsed),
        }
      : {};
    if (openai) {
      openai(req, res, route.path, { log, ...hooks }).catch((error: unknown) => {
        log.error({ err: errorMessage(error) }, 'openai translation failed');
        apiError(res, 500, 'api_error', 'NanoClaw could not translate the model request.');
      });
      return;
    }
    forward(target, `${target.basePath}${route.path}${route.query}`, req, res, {
      headers: upstreamHeaders(req.headers, credential.headers, base.host),
      log,
      ...hooks,
    });
  };
}

/**
 * Enforced here, on the host: whatever path or header the sandbox tries, every model route of a
 * group over its budget is refused (400, as Anthropic refuses a spent credit balance). True when
 * the request was answered.
 */
function refusedByBudget(
  usage: UsageHooks | undefined,
  context: RunContext,
  res: ServerResponse,
  log: Logger,
): boolean {
  let block;
  try {
    block = usage?.admit(context);
  } catch (error) {
    // Fail closed: a budget that cannot be checked lets nothing through.
    log.error({ err: errorMessage(error) }, 'could not check the model budget');
    apiError(res, 503, 'api_error', 'NanoClaw could not check the model budget; try again.');
    return true;
  }
  if (!block) return false;
  log.info({ budget: block.key }, 'model request refused: budget reached');
  apiError(res, 400, 'invalid_request_error', `NanoClaw: ${block.message}`);
  return true;
}

interface ForwardOptions {
  headers: Record<string, string | string[]>;
  log: Logger;
  onStatus?: (status: number, retryAfter: string | undefined) => void;
  /** Called once per successful response that carried usage, when it has passed through. */
  onUsage?: (usage: ParsedUsage) => void;
}

interface Target {
  base: URL;
  basePath: string;
  client: typeof http | typeof https;
}

/** Sends the request to the fixed upstream and streams its answer back, chunk by chunk. */
function forward(
  target: Target,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  options: ForwardOptions,
): void {
  const { base } = target;
  const state = { clientGone: false };
  const upstream = target.client.request(
    {
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port || undefined,
      method: req.method,
      path,
      headers: options.headers,
    },
    (upstreamRes) => relay(upstreamRes, res, options, state),
  );
  guardConnect(upstream, base.origin);
  upstream.on('error', (error) => {
    if (state.clientGone) return;
    options.log.warn({ err: errorMessage(error), upstream: base.origin }, 'model upstream failed');
    if (error instanceof ConnectTimeout) {
      return apiError(res, 504, 'api_error', `NanoClaw ${error.message}.`);
    }
    apiError(
      res,
      502,
      'api_error',
      `NanoClaw could not reach the model endpoint ${base.origin}: ${error.message}. ` +
        'Check ANTHROPIC_BASE_URL and that the endpoint is running.',
    );
  });
  // The sandbox hung up (cancelled turn, killed run): stop paying for the upstream call.
  res.on('close', () => {
    if (res.writableFinished) return;
    state.clientGone = true;
    upstream.destroy();
  });
  req.pipe(upstream);
}

function relay(
  upstreamRes: IncomingMessage,
  res: ServerResponse,
  options: ForwardOptions,
  state: { clientGone: boolean },
): void {
  const { log } = options;
  const status = upstreamRes.statusCode ?? 502;
  const retryAfter = upstreamRes.headers['retry-after'];
  options.onStatus?.(status, typeof retryAfter === 'string' ? retryAfter : undefined);
  const named = String(upstreamRes.headers.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase());
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstreamRes.headers)) {
    if (value !== undefined && !DROP_RESPONSE.has(name) && !named.includes(name)) {
      headers[name] = value;
    }
  }
  res.writeHead(upstreamRes.statusCode ?? 502, headers);
  res.flushHeaders();
  log.debug({ status: upstreamRes.statusCode }, 'model call');
  // Chunks flow as they arrive (server-sent events). If the upstream dies mid-stream, the
  // sandbox's connection is cut too, so the SDK sees a failed request instead of waiting forever.
  const done = (error: Error | null) => {
    if (error && !state.clientGone) {
      log.warn({ err: errorMessage(error) }, 'model stream ended early');
    }
  };
  const tap =
    status === 200 && options.onUsage
      ? usageTapFor(upstreamRes.headers['content-type'])
      : undefined;
  if (!tap || !options.onUsage) return void pipeline(upstreamRes, res, done);
  const onUsage = options.onUsage;
  // Usage is read from the chunks as they pass; none is held back.
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      tap.feed(chunk);
      callback(null, chunk);
    },
  });
  pipeline(upstreamRes, meter, res, (error) => {
    done(error);
    // A cut stream was billed for what it got: what was seen is recorded all the same.
    const parsed = tap.result();
    if (!parsed) return;
    try {
      onUsage(parsed);
    } catch (recordError) {
      log.error({ err: errorMessage(recordError) }, 'could not record model usage');
    }
  });
}
