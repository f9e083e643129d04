/**
 * The built-in web chat: a single page, a JSON API and a live event stream (docs/API.md), on
 * 127.0.0.1 by default. It owns the `web:*` chats. Messages are stored before the API answers
 * 201; the assistant's messages reach open pages through the event bus as they are stored.
 */
import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { MessageTooLongError } from '../../conversation/service.js';
import { UserError, errorMessage } from '../../errors.js';
import { BodyTooLarge, readBody, sendJson } from '../../gateway/http.js';
import type { StoredMessage } from '../../store/messages.js';
import type { Channel, ChannelDeps, ChannelFactory } from '../channel.js';
import { runView, taskView } from '../../scheduler/service.js';
import { checkAccess } from './guard.js';
import { renderPage } from './page.js';

export const MAX_BODY_BYTES = 64 * 1024;
const PING_MS = 25_000;
const PostSchema = z.object({
  text: z.string({ error: 'text must be a string' }),
  senderName: z.string().min(1).max(100).optional(),
});

export interface WebChannel extends Channel {
  readonly url: string;
}

/** The API's view of a stored message. */
export function apiMessage(m: StoredMessage) {
  return {
    id: m.id,
    ts: m.ts,
    sender: m.senderName,
    fromAssistant: m.fromAssistant,
    text: m.content,
  };
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export const createWebChannel: ChannelFactory = (deps) => new WebServer(deps);

class WebServer implements WebChannel {
  readonly name = 'web';
  private server: http.Server | undefined;
  private address = '';

  constructor(private readonly deps: ChannelDeps) {}

  get url(): string {
    return this.address;
  }

  ownsChat(chatId: string): boolean {
    return chatId.startsWith('web:');
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
      this.route(req, res).catch((error: unknown) => {
        this.deps.log.error({ err: errorMessage(error) }, 'web request failed');
        sendJson(res, 500, { error: 'Internal error; see the NanoClaw log.' });
      });
    });
    const { host, port } = this.deps.config.web;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const bound = (server.address() as AddressInfo).port;
    this.address = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  }

  /** The message is already in the history and on the live stream: nothing left to deliver. */
  async send(): Promise<void> {}

  async setTyping(chatId: string, on: boolean): Promise<void> {
    this.deps.bus.emit('typing', { chatId, on });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/') return this.page(res);
    if (!url.pathname.startsWith('/api/')) return sendJson(res, 404, { error: 'Not found.' });
    const denied = checkAccess(
      {
        method: req.method ?? 'GET',
        host: req.headers.host,
        origin: req.headers.origin,
        authorization: req.headers.authorization,
        queryToken: url.searchParams.get('token'),
      },
      this.deps.config.web.token,
    );
    if (denied) return sendJson(res, denied.status, { error: denied.error });
    if (req.method === 'GET' && url.pathname === '/api/status')
      return sendJson(res, 200, this.deps.status());
    if (req.method === 'GET' && url.pathname === '/api/chats')
      return sendJson(res, 200, { chats: this.chats() });
    const match = /^\/api\/chats\/([^/]+)\/(messages|events|tasks)$/.exec(url.pathname);
    const chatId = match?.[1] ? decodeURIComponent(match[1]) : '';
    if (!match || !this.knownChat(chatId)) {
      return sendJson(res, 404, {
        error: `Unknown chat "${chatId}". GET /api/chats lists the chats.`,
      });
    }
    if (match[2] === 'events' && req.method === 'GET') return this.events(chatId, req, res);
    if (match[2] === 'tasks' && req.method === 'GET') return this.tasks(chatId, res);
    if (match[2] === 'messages' && req.method === 'GET') return this.history(chatId, url, res);
    if (match[2] === 'messages' && req.method === 'POST') return this.post(chatId, req, res);
    return sendJson(res, 405, { error: 'Method not allowed.' });
  }

  private page(res: ServerResponse): void {
    const nonce = crypto.randomBytes(16).toString('base64');
    const html = renderPage(this.deps.config.assistantName, nonce);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
      'cache-control': 'no-store',
    });
    res.end(html);
  }

  private chats() {
    return this.deps.groups
      .list()
      .filter((g) => g.chatId && this.ownsChat(g.chatId))
      .map((g) => ({ chatId: g.chatId, name: g.name, folder: g.folder, isMain: g.isMain }));
  }

  private knownChat(chatId: string): boolean {
    return this.ownsChat(chatId) && this.deps.groups.getByChat(chatId) !== undefined;
  }

  /** The group's scheduled tasks with their recent runs (read-only). */
  private tasks(chatId: string, res: ServerResponse): void {
    const folder = this.deps.groups.getByChat(chatId)?.folder;
    const tasks = folder ? this.deps.tasks.list(folder) : [];
    sendJson(res, 200, {
      tasks: tasks.map((t) => ({
        ...taskView(t),
        runs: this.deps.tasks.runs(t.id, 5).map(runView),
      })),
    });
  }

  private history(chatId: string, url: URL, res: ServerResponse): void {
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 50) || 50, 1), 500);
    const before = /^(\d+):(.+)$/.exec(url.searchParams.get('before') ?? '');
    const cursor = before?.[1] && before[2] ? { ts: Number(before[1]), id: before[2] } : undefined;
    const messages = this.deps.messages.history(chatId, limit, cursor);
    sendJson(res, 200, { messages: messages.map(apiMessage) });
  }

  private async post(chatId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: z.infer<typeof PostSchema>;
    try {
      const parsed = PostSchema.safeParse(
        JSON.parse((await readBody(req, MAX_BODY_BYTES)).toString('utf8')),
      );
      if (!parsed.success)
        return sendJson(res, 400, { error: parsed.error.issues[0]?.message ?? 'Invalid body.' });
      body = parsed.data;
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        return sendJson(res, 413, {
          error: `The request is larger than ${MAX_BODY_BYTES} bytes; messages are limited to 8000 characters.`,
        });
      }
      return sendJson(res, 400, { error: 'The body must be JSON like {"text": "hello"}.' });
    }
    const group = this.deps.groups.getByChat(chatId);
    const message = {
      chatId,
      chatName: group?.name ?? chatId,
      id: crypto.randomUUID(),
      ts: Date.now(),
      senderId: 'web-user',
      senderName: body.senderName ?? 'You',
      text: body.text,
    };
    try {
      await this.deps.receive('web', message);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      const status = error instanceof MessageTooLongError ? 413 : 400;
      return sendJson(res, status, { error: error.message });
    }
    sendJson(res, 201, { id: message.id, ts: message.ts });
  }

  private events(chatId: string, req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    const send = (event: string, data: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('status', this.deps.status());
    const offMessage = this.deps.bus.on('message', (m) => {
      if (m.chatId === chatId) send('message', apiMessage(m));
    });
    const offTyping = this.deps.bus.on('typing', (t) => {
      if (t.chatId === chatId) send('typing', { on: t.on });
    });
    const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
    req.on('close', () => {
      clearInterval(ping);
      offMessage();
      offTyping();
    });
  }
}
