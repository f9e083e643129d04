/**
 * A scripted fake of the Anthropic Messages API for tests: plain node:http on loopback (or a
 * unix socket), speaking the real streaming protocol (message_start, content_block_start /
 * delta / stop for every block, message_delta, message_stop). Stateless by default: the reply
 * depends only on the request body (see `defaultReply`); tests can install their own script.
 */
import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultReply, type MessagesBody, type Reply } from './fake-anthropic-rules.js';

export {
  defaultReply,
  latestInput,
  latestMessages,
  userTexts,
  type ContentBlock,
  type MessagesBody,
  type Reply,
} from './fake-anthropic-rules.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  at: number;
}

export type ScriptFn = (body: MessagesBody, request: RecordedRequest) => Reply | undefined;

export interface FakeAnthropic {
  url: string;
  socketPath?: string;
  requests: RecordedRequest[];
  /** Each streamed text delta and when it was written (for latency figures). */
  deltas: { text: string; at: number }[];
  setScript(fn: ScriptFn | undefined): void;
  /** Handles one request (for tests that route several services through one server). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function contentBlocks(reply: Reply): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (reply.text) out.push({ type: 'text', text: reply.text });
  if ('toolUse' in reply) {
    out.push({
      type: 'tool_use',
      id: `toolu_${crypto.randomBytes(8).toString('hex')}`,
      name: reply.toolUse.name,
      input: reply.toolUse.input,
    });
  }
  return out;
}

/**
 * One content block: start, delta(s), stop (the CLI drops a tool call without its stop). With
 * `pauseMs`, text comes a word at a time with that pause between deltas, as a model writes.
 */
async function streamBlock(
  res: ServerResponse,
  block: Record<string, unknown>,
  index: number,
  { pauseMs, deltas }: { pauseMs: number; deltas: FakeAnthropic['deltas'] },
): Promise<void> {
  const start = (content_block: unknown) =>
    sse(res, 'content_block_start', { type: 'content_block_start', index, content_block });
  const delta = (delta: unknown) =>
    sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta });
  if (block.type === 'text') {
    start({ type: 'text', text: '' });
    sse(res, 'ping', { type: 'ping' });
    const text = String(block.text);
    const parts = pauseMs ? (text.match(/\S+\s*|\s+/g) ?? [text]) : [text];
    for (const [i, part] of parts.entries()) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      if (res.destroyed) return;
      delta({ type: 'text_delta', text: part });
      deltas.push({ text: part, at: Date.now() });
    }
  } else {
    start({ type: 'tool_use', id: block.id, name: block.name, input: {} });
    delta({ type: 'input_json_delta', partial_json: JSON.stringify(block.input) });
  }
  sse(res, 'content_block_stop', { type: 'content_block_stop', index });
}

/** The usage every answer reports (tests may set their own figures). */
export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}
const DEFAULT_USAGE: FakeUsage = {
  input_tokens: 42,
  output_tokens: 17,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

async function streamReply(
  res: ServerResponse,
  model: string,
  reply: Reply,
  {
    usage,
    pauseMs,
    deltas,
  }: { usage: FakeUsage; pauseMs: number; deltas: FakeAnthropic['deltas'] },
): Promise<void> {
  const content = contentBlocks(reply);
  const id = `msg_${crypto.randomBytes(8).toString('hex')}`;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': `req_${id}`,
  });
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // As the API does: output so far in message_start, the final count in message_delta.
      usage: { ...usage, output_tokens: 1 },
    },
  });
  for (const [index, block] of content.entries())
    await streamBlock(res, block, index, { pauseMs, deltas });
  if (res.destroyed) return;
  const stop = 'toolUse' in reply ? 'tool_use' : 'end_turn';
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stop, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function jsonReply(res: ServerResponse, model: string, reply: Reply, usage: FakeUsage): void {
  const body = {
    id: `msg_${crypto.randomBytes(8).toString('hex')}`,
    type: 'message',
    role: 'assistant',
    model,
    content: contentBlocks(reply),
    stop_reason: 'toolUse' in reply ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage,
  };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function apiError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
}

export interface FakeOptions {
  socketPath?: string;
  script?: ScriptFn;
  delayMs?: number;
  /** An API error for requests it matches (the model refusing, e.g. HTTP 400). */
  fail?: (body: MessagesBody) => { status: number; message: string } | undefined;
  usage?: FakeUsage;
  /** When set, a request without this x-api-key is refused with 401 as Anthropic does. */
  apiKey?: string;
  /** Streamed text comes a word at a time, this long apart (default: all at once). */
  wordPauseMs?: number;
  /** A promise to answer only once it settles (requests held in flight), or none. */
  hold?: (body: MessagesBody) => Promise<void> | undefined;
}

export async function startFakeAnthropic(options: FakeOptions = {}): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  const deltas: FakeAnthropic['deltas'] = [];
  let script = options.script;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw; // not JSON: recorded as text
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const record: RecordedRequest = {
        method: req.method ?? '',
        path,
        headers: { ...req.headers },
        body,
        at: Date.now(),
      };
      requests.push(record);
      const respond = () => {
        // A held request whose client went away (its sandbox was killed) gets no answer.
        if (!res.destroyed) answer(req.method, path, body, record, res);
      };
      const held = isObject(body) ? options.hold?.(body as MessagesBody) : undefined;
      if (held) void held.then(respond);
      else if (options.delayMs) setTimeout(respond, options.delayMs);
      else respond();
    });
  };

  const answer = (
    method: string | undefined,
    path: string,
    raw: unknown,
    record: RecordedRequest,
    res: ServerResponse,
  ) => {
    if (method === 'POST' && path.endsWith('/v1/messages/count_tokens')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ input_tokens: 1 }));
    }
    if (options.apiKey !== undefined && record.headers['x-api-key'] !== options.apiKey) {
      return apiError(res, 401, 'authentication_error', 'invalid x-api-key');
    }
    if (method !== 'POST' || !path.endsWith('/v1/messages')) {
      return apiError(res, 404, 'not_found_error', 'Not found');
    }
    if (typeof raw !== 'object' || raw === null) {
      return apiError(res, 400, 'invalid_request_error', 'The body is not a JSON object.');
    }
    const body = raw as MessagesBody;
    const failure = options.fail?.(body);
    if (failure) return apiError(res, failure.status, 'invalid_request_error', failure.message);
    const reply = script?.(body, record) ?? defaultReply(body);
    const model = body.model ?? 'fake-model';
    const usage = options.usage ?? DEFAULT_USAGE;
    if (body.stream)
      void streamReply(res, model, reply, { usage, pauseMs: options.wordPauseMs ?? 0, deltas });
    else jsonReply(res, model, reply, usage);
  };

  const server = http.createServer(handle);
  await new Promise<void>((resolve) => {
    if (options.socketPath) server.listen(options.socketPath, resolve);
    else server.listen(0, '127.0.0.1', resolve);
  });
  const url = options.socketPath
    ? 'http://localhost'
    : `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    ...(options.socketPath ? { socketPath: options.socketPath } : {}),
    requests,
    deltas,
    setScript: (fn) => {
      script = fn;
    },
    handle,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
