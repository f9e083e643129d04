/**
 * The host API that agent tools call: one table of routes, each with its own zod body schema and
 * handler. The caller is identified only by the capability in `authorization: Bearer`; the body
 * can never name who is asking. Every call is logged with its group (never message text).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { ForbiddenError, UserError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { HOST_API_PATHS, SendMessageBodySchema } from '../shared/host-api.js';
import { BodyTooLarge, bearer, readBody, sendJson } from './http.js';
import type { AuditSink } from '../store/audit.js';
import type { CapabilityRegistry, HostApiHandlers, RunContext } from './types.js';

const MAX_BODY_BYTES = 64 * 1024;

interface Route {
  schema: z.ZodType;
  handle(context: RunContext, body: unknown): Promise<unknown>;
}

export interface HostApiDeps {
  capabilities: CapabilityRegistry;
  handlers: HostApiHandlers;
  audit?: AuditSink;
  log: Logger;
}

function decisionOf(status: number): string {
  if (status < 400) return 'allowed';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'denied';
  return `rejected ${status}`;
}

function routes(handlers: HostApiHandlers): Map<string, Route> {
  const table = new Map<string, Route>();
  const add = <S extends z.ZodType>(
    path: string,
    schema: S,
    handle: (context: RunContext, body: z.infer<S>) => Promise<unknown>,
  ) => table.set(path, { schema, handle: (c, b) => handle(c, b as z.infer<S>) });
  add(HOST_API_PATHS.sendMessage, SendMessageBodySchema, (c, b) => handlers.sendMessage(c, b));
  for (const [path, extra] of Object.entries(handlers.extra ?? {})) {
    table.set(path, extra);
  }
  return table;
}

export function createHostApi(deps: HostApiDeps) {
  const table = routes(deps.handlers);
  return async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const route = table.get(path);
    if (!route || req.method !== 'POST')
      return sendJson(res, 404, { ok: false, error: 'no such host API' });
    const context = deps.capabilities.resolve(bearer(req) ?? '');
    if (!context) {
      deps.log.warn({ route: path }, 'host API call with an unknown capability refused');
      deps.audit?.({
        kind: 'host_api',
        group: '(unknown)',
        action: path,
        decision: 'unauthenticated',
      });
      return sendJson(res, 401, { ok: false, error: 'unknown or expired run capability' });
    }
    const log = deps.log.child({ group: context.group.folder, runId: context.runId, route: path });
    const status = await serve(route, context, req, res, log);
    log.info({ status }, 'host API call');
    const group = context.group.folder;
    deps.audit?.({
      kind: 'host_api',
      group,
      runId: context.runId,
      action: path,
      decision: decisionOf(status),
      detail: { status },
    });
  };
}

async function serve(
  route: Route,
  context: RunContext,
  req: IncomingMessage,
  res: ServerResponse,
  log: Logger,
): Promise<number> {
  let json: unknown;
  try {
    json = JSON.parse((await readBody(req, MAX_BODY_BYTES)).toString('utf8') || '{}');
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      return reply(res, 413, { ok: false, error: `body larger than ${MAX_BODY_BYTES} bytes` });
    }
    return reply(res, 400, { ok: false, error: 'body is not valid JSON' });
  }
  const parsed = route.schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return reply(res, 400, { ok: false, error: `${where}${issue?.message ?? 'invalid body'}` });
  }
  try {
    const result = await route.handle(context, parsed.data);
    return reply(res, 200, { ok: true, ...(isObject(result) ? result : {}) });
  } catch (error) {
    if (error instanceof ForbiddenError)
      return reply(res, 403, { ok: false, error: error.message });
    if (error instanceof UserError) return reply(res, 400, { ok: false, error: error.message });
    log.error({ err: errorMessage(error) }, 'host API handler failed');
    return reply(res, 500, { ok: false, error: 'internal error on the host' });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): number {
  sendJson(res, status, body);
  return status;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
