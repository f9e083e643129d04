/**
 * A scripted fake of an OpenAI-compatible Chat Completions endpoint (as Ollama, vLLM or
 * OpenRouter serve it) for tests: plain node:http on loopback speaking the real streaming
 * protocol (`data: {chat.completion.chunk}` lines, tool call arguments split across chunks, a
 * usage chunk when `stream_options.include_usage` is set, `data: [DONE]`). Stateless: the reply
 * depends only on the request body (see `openaiReply`).
 */
import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: { role: string; content?: unknown; tool_call_id?: string }[];
  tools?: { function: { name: string } }[];
}

export interface OpenAIRecorded {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: ChatBody;
}

export type OpenAIReply =
  { text: string } | { calls: { name: string; args: Record<string, unknown> }[]; text?: string };

export interface FakeOpenAI {
  /** The base URL to configure (`OPENAI_BASE_URL`), ending in /v1. */
  url: string;
  requests: OpenAIRecorded[];
  close(): Promise<void>;
}

/** Usage every answer reports: 300 prompt tokens of which 100 cached, 25 completion tokens. */
export const FAKE_OPENAI_USAGE = {
  prompt_tokens: 300,
  completion_tokens: 25,
  total_tokens: 325,
  prompt_tokens_details: { cached_tokens: 100 },
};

type Part = { type: string; text?: string; image_url?: { url: string } };
const partsOf = (content: unknown): Part[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : ((content as Part[]) ?? []);

/**
 * After the last assistant message: a tool result gets `DONE: <result>`; an image part
 * `IMAGE: <its data: URL prefix>`; a `RUN: cmd` line a Bash call; anything else an echo.
 */
export function openaiReply(body: ChatBody): OpenAIReply {
  const messages = body.messages ?? [];
  const last = messages.map((m) => m.role).lastIndexOf('assistant');
  const latest = messages.slice(last + 1);
  const tools = latest.filter((m) => m.role === 'tool');
  if (tools.length > 0) return { text: `DONE: ${tools.map((m) => String(m.content)).join(' | ')}` };
  const parts = latest.filter((m) => m.role === 'user').flatMap((m) => partsOf(m.content));
  const image = parts.find((p) => p.type === 'image_url');
  if (image) return { text: `IMAGE: ${image.image_url?.url.slice(0, 22) ?? ''}` };
  // The SDK's reminders are dropped, wherever the translation put them.
  const texts = parts
    .map((p) => (p.text ?? '').replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '').trim())
    .filter(Boolean);
  const run = texts
    .join('\n')
    .split('\n')
    .map((l) => l.replace(/^<message [^>]*>/, '').replace(/<\/message>$/, ''))
    .reverse()
    .find((l) => l.startsWith('RUN: '));
  if (run) {
    const command = run
      .slice(5)
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    return {
      text: 'Running it.',
      calls: [{ name: 'Bash', args: { command, description: 'scripted' } }],
    };
  }
  return { text: `ECHO: ${texts.join(' / ').slice(-200)}` };
}

function chunkOf(id: string, model: string, delta: unknown, finish: string | null = null) {
  return {
    id,
    object: 'chat.completion.chunk',
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

function streamReply(res: ServerResponse, body: ChatBody, reply: OpenAIReply): void {
  const id = `chatcmpl-${crypto.randomBytes(6).toString('hex')}`;
  const model = body.model ?? 'fake';
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(': keep-alive\n\n');
  send(chunkOf(id, model, { role: 'assistant', content: '' }));
  const text = reply.text ?? '';
  const half = Math.ceil(text.length / 2);
  for (const piece of [text.slice(0, half), text.slice(half)])
    if (piece) send(chunkOf(id, model, { content: piece }));
  const calls = 'calls' in reply ? reply.calls : [];
  calls.forEach((call, index) => {
    const head = { index, id: `call_${crypto.randomBytes(6).toString('hex')}`, type: 'function' };
    send(
      chunkOf(id, model, {
        tool_calls: [{ ...head, function: { name: call.name, arguments: '' } }],
      }),
    );
    // Arguments in three pieces, as real servers split them.
    const args = JSON.stringify(call.args);
    const third = Math.ceil(args.length / 3);
    for (let i = 0; i < args.length; i += third) {
      send(
        chunkOf(id, model, {
          tool_calls: [{ index, function: { arguments: args.slice(i, i + third) } }],
        }),
      );
    }
  });
  send(chunkOf(id, model, {}, calls.length > 0 ? 'tool_calls' : 'stop'));
  if (body.stream_options?.include_usage)
    send({ id, object: 'chat.completion.chunk', model, choices: [], usage: FAKE_OPENAI_USAGE });
  res.end('data: [DONE]\n\n');
}

function jsonReply(res: ServerResponse, body: ChatBody, reply: OpenAIReply): void {
  const calls = 'calls' in reply ? reply.calls : [];
  const message = {
    role: 'assistant',
    content: reply.text ?? null,
    ...(calls.length > 0
      ? {
          tool_calls: calls.map((c, i) => ({
            id: `call_${i}`,
            type: 'function',
            function: { name: c.name, arguments: JSON.stringify(c.args) },
          })),
        }
      : {}),
  };
  const finish = calls.length > 0 ? 'tool_calls' : 'stop';
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'chatcmpl-json',
      object: 'chat.completion',
      model: body.model ?? 'fake',
      choices: [{ index: 0, message, finish_reason: finish }],
      usage: FAKE_OPENAI_USAGE,
    }),
  );
}

export async function startFakeOpenAI(
  options: {
    /** An OpenAI-style error for requests it matches (status, message, optional retry-after). */
    fail?: (body: ChatBody) => { status: number; message: string; retryAfter?: string } | undefined;
  } = {},
): Promise<FakeOpenAI> {
  const requests: OpenAIRecorded[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let body: ChatBody = {};
    try {
      body = JSON.parse(raw || '{}') as ChatBody;
    } catch {
      body = {}; // recorded as empty; answered 400 below
    }
    requests.push({ path, headers: { ...req.headers }, body });
    const error = (status: number, message: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ error: { message, type: 'invalid_request_error', code: null } }));
    };
    if (req.method !== 'POST' || path !== '/v1/chat/completions') return error(404, 'Not found');
    if (!Array.isArray(body.messages)) return error(400, 'messages is required');
    const failure = options.fail?.(body);
    if (failure) {
      return error(
        failure.status,
        failure.message,
        failure.retryAfter ? { 'retry-after': failure.retryAfter } : {},
      );
    }
    const reply = openaiReply(body);
    if (body.stream) streamReply(res, body, reply);
    else jsonReply(res, body, reply);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
