/**
 * A scripted fake of the Anthropic Messages API for tests: plain node:http on loopback (or a
 * unix socket), speaking the real streaming protocol (message_start, content_block_start /
 * delta / stop for every block, message_delta, message_stop). Stateless by default: the reply
 * depends only on the request body (see `defaultReply`); tests can install their own script.
 */
import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  at: number;
}

export type Reply =
  { text: string } | { toolUse: { name: string; input: Record<string, unknown> }; text?: string };

export interface ContentBlock {
  type: string;
  text?: string;
  content?: unknown;
}

export interface MessagesBody {
  model?: string;
  stream?: boolean;
  messages?: { role: string; content: string | ContentBlock[] }[];
  system?: unknown;
}

export type ScriptFn = (body: MessagesBody, request: RecordedRequest) => Reply | undefined;

export interface FakeAnthropic {
  url: string;
  socketPath?: string;
  requests: RecordedRequest[];
  setScript(fn: ScriptFn | undefined): void;
  /** Handles one request (for tests that route several services through one server). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

function blocks(content: string | ContentBlock[]): ContentBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

function blockText(block: ContentBlock): string {
  if (typeof block.text === 'string') return block.text;
  if (typeof block.content === 'string') return block.content;
  if (Array.isArray(block.content)) {
    return (block.content as ContentBlock[]).map((b) => b.text ?? '').join('');
  }
  return '';
}

/**
 * Blocks of the user messages after the last assistant message. The SDK also sends
 * `role: "system"` entries there (environment notes); they are not the user's words.
 */
export function latestInput(body: MessagesBody): ContentBlock[] {
  const messages = body.messages ?? [];
  let start = 0;
  messages.forEach((m, i) => {
    if (m.role === 'assistant') start = i + 1;
  });
  return messages
    .slice(start)
    .filter((m) => m.role === 'user')
    .flatMap((m) => blocks(m.content));
}

/** User texts a person could have typed (system reminders left out). */
export function userTexts(input: ContentBlock[]): string[] {
  return input
    .filter((b) => b.type === 'text')
    .map(blockText)
    .filter((t) => t && !t.trimStart().startsWith('<system-reminder>'));
}

/** The default script: directives in the latest user text decide the reply. */
export function defaultReply(body: MessagesBody): Reply {
  const input = latestInput(body);
  const texts = userTexts(input);
  const toolResults = input.filter((b) => b.type === 'tool_result');
  if (toolResults.length > 0) {
    const saw = texts.length ? ` | SAW: ${texts.join(' / ')}` : '';
    return { text: `DONE: ${toolResults.map(blockText).join('\n').trim()}${saw}` };
  }
  if (texts.some((t) => t.includes('<task-notification>'))) return { text: 'NOTIFIED' };
  const lines = texts
    .join('\n')
    .split('\n')
    .map((l) => l.trim());
  // Directives may sit inside the host's <message> XML wrapper.
  const directive = lines
    .map((l) => l.replace(/^<message [^>]*>/, '').replace(/<\/message>$/, ''))
    .reverse()
    .find((l) => /^(RUN|TOOL|AGENT): /.test(l));
  if (directive?.startsWith('RUN: ')) {
    const command = unescapeXml(directive.slice(5));
    return { toolUse: { name: 'Bash', input: { command, description: 'scripted command' } } };
  }
  if (directive?.startsWith('TOOL: ')) {
    const rest = unescapeXml(directive.slice(6));
    const space = rest.indexOf(' ');
    const name = space === -1 ? rest : rest.slice(0, space);
    const input =
      space === -1 ? {} : (JSON.parse(rest.slice(space + 1)) as Record<string, unknown>);
    return { toolUse: { name, input } };
  }
  if (directive?.startsWith('AGENT: ')) {
    return {
      toolUse: {
        name: 'Agent',
        input: {
          description: 'background helper',
          prompt: `RUN: ${unescapeXml(directive.slice(7))}`,
          subagent_type: 'general-purpose',
          run_in_background: true,
        },
      },
    };
  }
  return { text: `ECHO: ${texts.join(' / ')}` };
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function contentBlocks(reply: Reply): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const text = 'toolUse' in reply ? reply.text : reply.text;
  if (text) out.push({ type: 'text', text });
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

function streamReply(res: ServerResponse, model: string, reply: Reply): void {
  const content = contentBlocks(reply);
  const id = `msg_${crypto.randomBytes(8).toString('hex')}`;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': `req_${id}`,
  });
  const usage = {
    input_tokens: 42,
    output_tokens: 1,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
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
      usage,
    },
  });
  content.forEach((block, index) => {
    if (block.type === 'text') {
      sse(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'text', text: '' },
      });
      sse(res, 'ping', { type: 'ping' });
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'text_delta', text: block.text },
      });
    } else {
      sse(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
  });
  const stop = 'toolUse' in reply ? 'tool_use' : 'end_turn';
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stop, stop_sequence: null },
    usage: { output_tokens: 17 },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function jsonReply(res: ServerResponse, model: string, reply: Reply): void {
  const body = {
    id: `msg_${crypto.randomBytes(8).toString('hex')}`,
    type: 'message',
    role: 'assistant',
    model,
    content: contentBlocks(reply),
    stop_reason: 'toolUse' in reply ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 42, output_tokens: 17 },
  };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not found' } }),
  );
}

export async function startFakeAnthropic(
  options: { socketPath?: string; script?: ScriptFn; delayMs?: number } = {},
): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
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
      const respond = () => answer(req.method, path, body as MessagesBody, record, res);
      if (options.delayMs) setTimeout(respond, options.delayMs);
      else respond();
    });
  };

  const answer = (
    method: string | undefined,
    path: string,
    body: MessagesBody,
    record: RecordedRequest,
    res: ServerResponse,
  ) => {
    if (method === 'POST' && path.endsWith('/v1/messages/count_tokens')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ input_tokens: 1 }));
    }
    if (method !== 'POST' || !path.endsWith('/v1/messages')) return notFound(res);
    const reply = script?.(body, record) ?? defaultReply(body);
    const model = body.model ?? 'fake-model';
    if (body.stream) streamReply(res, model, reply);
    else jsonReply(res, model, reply);
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
