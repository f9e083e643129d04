/**
 * The model proxy's OpenAI-compatible face (`MODEL_API=openai`): the SDK's Anthropic Messages
 * request is translated to Chat Completions, sent to `OPENAI_BASE_URL` with the host's
 * `OPENAI_API_KEY` (read fresh, never in a sandbox), and the answer translated back, streamed
 * event by event. The translated answer passes the same usage tap as Anthropic's, so usage and
 * budgets work unchanged. Pure translation lives in ./openai/; this is the thin I/O around it.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { SecretSource } from '../config.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { totalTokens, usageTapFor, type ParsedUsage, type UsageTap } from '../usage/tap.js';
import { BodyTooLarge, ConnectTimeout, guardConnect, readBody } from './http.js';
import { translateError } from './openai/errors.js';
import { toChatRequest, TranslationError, type ChatRequest } from './openai/request.js';
import { ChatCompletion, toAnthropicMessage, type AnthropicMessage } from './openai/response.js';
import {
  createSseDecoder,
  createStreamTranslator,
  encodeEvent,
  type AnthropicEvent,
  type StreamTranslator,
} from './openai/stream.js';

/** Anthropic's own request limit: base64 images make bodies large. */
const MAX_REQUEST = 32 * 1024 * 1024;
const MAX_ERROR_BODY = 64 * 1024;
const MAX_JSON_RESPONSE = 16 * 1024 * 1024;

export interface OpenAIUpstream {
  /** Where `/chat/completions` lives, e.g. `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  /** Cap on max_tokens (the SDK asks for 128000, which many endpoints refuse). */
  maxTokens?: number;
}

export interface OpenAIHooks {
  log: Logger;
  onStatus?: (status: number, retryAfter: string | undefined) => void;
  onUsage?: (usage: ParsedUsage) => void;
}

type Fail = (status: number, type: string, message: string) => void;

/** A rough token count (4 characters a token): Chat Completions has no counting endpoint. */
export function estimateTokens(body: unknown): number {
  const b = (body ?? {}) as Record<string, unknown>;
  const text = JSON.stringify([b.system ?? '', b.messages ?? [], b.tools ?? []]);
  return Math.ceil(text.length / 4);
}

interface Target {
  base: URL;
  client: typeof http | typeof https;
  path: string;
  secrets: SecretSource;
}

export function createOpenAIForward(
  upstream: OpenAIUpstream,
  secrets: SecretSource,
  fail: (res: ServerResponse, status: number, type: string, message: string) => void,
) {
  const base = new URL(upstream.baseUrl);
  const target: Target = {
    base,
    client: base.protocol === 'https:' ? https : http,
    path: `${base.pathname.replace(/\/+$/, '')}/chat/completions`,
    secrets,
  };
  const options = upstream.maxTokens ? { maxTokens: upstream.maxTokens } : {};

  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    route: string,
    hooks: OpenAIHooks,
  ): Promise<void> {
    const refuse: Fail = (status, type, message) => fail(res, status, type, message);
    if (route !== '/v1/messages' && route !== '/v1/messages/count_tokens') {
      return refuse(404, 'not_found_error', 'NanoClaw: MODEL_API=openai serves only messages.');
    }
    let raw: unknown;
    try {
      raw = JSON.parse((await readBody(req, MAX_REQUEST)).toString('utf8'));
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        return refuse(413, 'request_too_large', 'The request is larger than 32 MiB.');
      }
      return refuse(400, 'invalid_request_error', 'The request body is not JSON.');
    }
    if (route === '/v1/messages/count_tokens') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ input_tokens: estimateTokens(raw) }));
    }
    let chat: ChatRequest;
    try {
      chat = toChatRequest(raw, options);
    } catch (error) {
      if (!(error instanceof TranslationError)) throw error;
      return refuse(400, 'invalid_request_error', `NanoClaw could not translate: ${error.message}`);
    }
    send(target, chat, res, hooks, refuse);
  };
}

function send(
  target: Target,
  chat: ChatRequest,
  res: ServerResponse,
  hooks: OpenAIHooks,
  refuse: Fail,
) {
  const { base } = target;
  const body = Buffer.from(JSON.stringify(chat));
  const key = target.secrets.get('OPENAI_API_KEY');
  const request = target.client.request({
    protocol: base.protocol,
    hostname: base.hostname,
    port: base.port || undefined,
    method: 'POST',
    path: target.path,
    headers: {
      host: base.host,
      'content-type': 'application/json',
      'content-length': body.length,
      accept: chat.stream ? 'text/event-stream' : 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
  });
  const state = { clientGone: false };
  guardConnect(request, base.origin);
  request.on('response', (upstreamRes) => {
    const relay = new Relay(chat, res, hooks);
    relay.start(upstreamRes).catch((error: unknown) => relay.broken(error));
  });
  request.on('error', (error) => {
    if (state.clientGone) return;
    hooks.log.warn({ err: errorMessage(error), upstream: base.origin }, 'model upstream failed');
    if (error instanceof ConnectTimeout)
      return refuse(504, 'api_error', `NanoClaw ${error.message}.`);
    refuse(
      502,
      'api_error',
      `NanoClaw could not reach the model endpoint ${base.origin}: ${error.message}. ` +
        'Check OPENAI_BASE_URL and that the endpoint is running.',
    );
  });
  // The sandbox hung up (cancelled turn, killed run): stop paying for the upstream call.
  res.on('close', () => {
    if (res.writableFinished) return;
    state.clientGone = true;
    request.destroy();
  });
  request.end(body);
}

async function readCapped(res: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new RangeError(`the answer is larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The whole Anthropic event sequence of a finished message (a JSON answer to a stream). */
export function messageEvents(message: AnthropicMessage): AnthropicEvent[] {
  const { content, usage, stop_reason: stop, ...head } = message;
  const out: AnthropicEvent[] = [
    { type: 'message_start', message: { ...head, content: [], stop_reason: null, usage } },
  ];
  content.forEach((block, index) => {
    const empty = block.type === 'text' ? { ...block, text: '' } : { ...block, input: {} };
    out.push({ type: 'content_block_start', index, content_block: empty });
    const delta =
      block.type === 'text'
        ? { type: 'text_delta', text: block.text }
        : { type: 'input_json_delta', partial_json: JSON.stringify(block.input) };
    out.push({ type: 'content_block_delta', index, delta });
    out.push({ type: 'content_block_stop', index });
  });
  out.push({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage });
  out.push({ type: 'message_stop' });
  return out;
}

/** One upstream answer, translated onto the sandbox's response; usage read from what it gets. */
class Relay {
  private tap: UsageTap | undefined;
  private translator: StreamTranslator | undefined;

  constructor(
    private readonly chat: ChatRequest,
    private readonly res: ServerResponse,
    private readonly hooks: OpenAIHooks,
  ) {}

  async start(upstream: IncomingMessage): Promise<void> {
    const status = upstream.statusCode ?? 502;
    const retryAfter = upstream.headers['retry-after'];
    this.hooks.onStatus?.(status, typeof retryAfter === 'string' ? retryAfter : undefined);
    this.hooks.log.debug({ status }, 'model call (openai)');
    if (status !== 200) return this.error(upstream, status);
    const type = String(upstream.headers['content-type'] ?? '');
    if (this.chat.stream && type.startsWith('text/event-stream')) return this.stream(upstream);
    const parsed = ChatCompletion.safeParse(
      JSON.parse(await readCapped(upstream, MAX_JSON_RESPONSE)),
    );
    if (!parsed.success) throw new TranslationError('the answer is not a chat completion');
    const message = toAnthropicMessage(parsed.data, this.chat.model);
    if (!this.chat.stream) {
      this.open('application/json');
      return this.finish(JSON.stringify(message));
    }
    this.open('text/event-stream');
    this.finish(messageEvents(message).map(encodeEvent).join(''));
  }

  private async error(upstream: IncomingMessage, status: number): Promise<void> {
    const text = await readCapped(upstream, MAX_ERROR_BODY).catch(() => '');
    const translated = translateError(status, text);
    const retryAfter = upstream.headers['retry-after'];
    this.res.writeHead(translated.status, {
      'content-type': 'application/json',
      ...(typeof retryAfter === 'string' ? { 'retry-after': retryAfter } : {}),
    });
    const body = { type: 'error', error: { type: translated.type, message: translated.message } };
    this.res.end(JSON.stringify(body));
  }

  private async stream(upstream: IncomingMessage): Promise<void> {
    this.open('text/event-stream');
    const translator = createStreamTranslator(this.chat.model);
    this.translator = translator;
    const decoder = createSseDecoder();
    const onData = (data: string) => {
      if (data === '[DONE]') return translator.end(true);
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        return translator.fail('The model endpoint sent a chunk that is not JSON.');
      }
      return translator.chunk(json);
    };
    for await (const chunk of upstream as AsyncIterable<Buffer>) {
      const events = decoder.feed(chunk.toString('utf8')).flatMap(onData);
      if (events.length > 0) this.write(events.map(encodeEvent).join(''));
      if (translator.finished) break;
    }
    const last = [...decoder.flush().flatMap(onData), ...translator.end(false)];
    this.finish(last.map(encodeEvent).join(''));
  }

  /** The upstream broke (cut connection, bad answer): an error the SDK shows, never a hang. */
  broken(error: unknown): void {
    this.hooks.log.warn(
      { err: errorMessage(error) },
      'model stream from the openai endpoint failed',
    );
    const message = `The model endpoint failed: ${errorMessage(error)}`;
    if (!this.res.headersSent) {
      const body = { type: 'error', error: { type: 'api_error', message } };
      this.res.writeHead(502, { 'content-type': 'application/json' });
      return void this.res.end(JSON.stringify(body));
    }
    const events = this.translator?.fail(message) ?? [];
    this.finish(events.map(encodeEvent).join(''));
  }

  private open(contentType: string): void {
    this.res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
    this.res.flushHeaders();
    this.tap = this.hooks.onUsage ? usageTapFor(contentType) : undefined;
  }

  private write(text: string): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    const chunk = Buffer.from(text);
    this.tap?.feed(chunk);
    this.res.write(chunk);
  }

  private finish(text: string): void {
    if (this.res.writableEnded) return;
    if (text) this.write(text);
    this.res.end();
    const parsed = this.tap?.result();
    this.tap = undefined;
    // A stream cut before its usage reported nothing; a zero row would only be noise.
    if (!parsed || totalTokens(parsed.tokens) === 0) return;
    try {
      this.hooks.onUsage?.(parsed);
    } catch (recordError) {
      this.hooks.log.error({ err: errorMessage(recordError) }, 'could not record model usage');
    }
  }
}
