/**
 * The built-in web chat: a single page, a JSON API and a live event stream (docs/API.md), on
 * 127.0.0.1 by default. It owns the `web:*` chats. Trust boundary: everything a browser sends is
 * checked here (guard.ts: token, Host, Origin; requests.ts: paths, queries, bodies) before it
 * reaches the store. Messages are stored before the API answers 201.
 */
import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError, errorMessage } from '../../errors.js';
import { BodyTooLarge, readBody, sendJson } from '../../gateway/http.js';
import { groupPaths } from '../../groups/workspace.js';
import { runView, taskView } from '../../scheduler/service.js';
import type { Channel, ChannelDeps } from '../channel.js';
import { dashboardView, parseAuditQuery, parseStop } from './dashboard.js';
import { renderDashboard } from './dashboard-page.js';
import { streamEvents } from './events.js';
import { downloadHeaders, findDownload, parseMessageId } from './files.js';
import { checkAccess } from './guard.js';
import { loadMarkedBrowserBuild, renderPage } from './page.js';
import {
  BODY_TOO_LARGE,
  MAX_BODY_BYTES,
  matchRoute,
  parseHistoryQuery,
  type RouteSpec,
} from './requests.js';
import { postMessage } from './posting.js';
import { chatAccess, chatView, messageView } from './views.js';

export interface WebChannel extends Channel {
  /** Where the chat page is, e.g. `http://127.0.0.1:4480` (set once `start()` resolved). */
  readonly url: string;
}

interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Set for the per-chat routes: a known `web:` chat. */
  chatId: string;
  /** The route's further path captures, raw (e.g. a message id and a file index). */
  params: string[];
}

interface Route extends RouteSpec {
  handle(ctx: RequestContext): void | Promise<void>;
}

const CHAT = '/api/chats/([^/]+)';
const NO_DASHBOARD = 'The dashboard needs the running host (nanoclaw start).';

/** On every response; the page replaces the CSP with one that admits its own nonce. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export function createWebChannel(deps: ChannelDeps): WebChannel {
  return new WebServer(deps);
}

class WebServer implements WebChannel {
  readonly name = 'web';
  private server: http.Server | undefined;
  private address = '';
  private marked = '';
  private readonly log;
  private readonly routes: readonly Route[] = [
    { method: 'GET', pattern: /^\/api\/status$/, handle: (c) => this.status(c) },
    { method: 'GET', pattern: /^\/api\/chats$/, handle: (c) => this.chats(c) },
    { method: 'GET', pattern: new RegExp(`^${CHAT}/messages$`), handle: (c) => this.history(c) },
    { method: 'POST', pattern: new RegExp(`^${CHAT}/messages$`), handle: (c) => this.post(c) },
    { method: 'GET', pattern: new RegExp(`^${CHAT}/events$`), handle: (c) => this.events(c) },
    { method: 'POST', pattern: new RegExp(`^${CHAT}/stop$`), handle: (c) => this.stopTurn(c) },
    { method: 'GET', pattern: new RegExp(`^${CHAT}/tasks$`), handle: (c) => this.tasks(c) },
    {
      method: 'GET',
      pattern: new RegExp(`^${CHAT}/files/([^/]+)/(\\d{1,3})$`),
      handle: (c) => this.download(c),
    },
    { method: 'GET', pattern: /^\/api\/dashboard$/, handle: (c) => this.dashboard(c) },
    { method: 'GET', pattern: /^\/api\/audit$/, handle: (c) => this.audit(c) },
    { method: 'POST', pattern: /^\/api\/runs\/stop$/, handle: (c) => this.stopRun(c) },
  ];

  constructor(private readonly deps: ChannelDeps) {
    this.log = deps.log.child({ component: 'web' });
  }

  get url(): string {
    return this.address;
  }

  ownsChat(chatId: string): boolean {
    return chatId.startsWith('web:');
  }

  async start(): Promise<void> {
    this.marked = loadMarkedBrowserBuild();
    const server = http.createServer((req, res) => this.handle(req, res));
    const { host, port } = this.deps.config.web;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(listenError(error, host, port)));
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const bound = (server.address() as AddressInfo).port;
    this.address = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    this.log.debug({ url: this.address }, 'web chat listening');
  }

  /**
   * Delivery confirms at once: the assistant's message is already in the history, and the live
   * stream carried it to open pages when it was stored.
   */
  async send(): Promise<void> {}

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // Event streams never end by themselves: close them so close() can finish.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    this.route(req, res).catch((error: unknown) => {
      this.log.error({ err: errorMessage(error), path: req.url }, 'web request failed');
      sendJson(res, 500, { error: 'Internal error; see the NanoClaw log.' });
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') {
      if (url.pathname === '/') return this.page(res, renderPage);
      if (url.pathname === '/dashboard') return this.page(res, renderDashboard);
    }
    if (!url.pathname.startsWith('/api/')) return sendJson(res, 404, { error: 'Not found.' });
    const denied = checkAccess(
      {
        method,
        host: req.headers.host,
        origin: req.headers.origin,
        authorization: req.headers.authorization,
        queryToken: url.searchParams.get('token'),
      },
      this.deps.config.web.token,
    );
    if (denied) return sendJson(res, denied.status, { error: denied.error });
    const match = matchRoute(this.routes, method, url.pathname);
    if (match.kind === 'wrong-method') {
      res.setHeader('allow', match.allow.join(', '));
      return sendJson(res, 405, { error: `Use ${match.allow.join(' or ')} here.` });
    }
    if (match.kind === 'not-found') return sendJson(res, 404, { error: match.refusal.error });
    const chatId = match.chatId ?? '';
    if (match.chatId !== undefined && !this.knownChat(chatId)) {
      return sendJson(res, 404, {
        error: `Unknown chat "${chatId}". GET /api/chats lists the chats.`,
      });
    }
    await match.route.handle({ req, res, url, chatId, params: match.params });
  }

  private page(res: ServerResponse, render: typeof renderPage): void {
    const nonce = crypto.randomBytes(16).toString('base64');
    const html = render(this.deps.config.assistantName, nonce, this.marked);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; ` +
        `img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
      'cache-control': 'no-store',
    });
    res.end(html);
  }

  /**
   * A chat some group answers, on any channel: exactly the chats GET /api/chats lists (the web
   * shows every group's chats; what it may write there is posting.ts's decision), and the only
   * ones the event streams send `chat` notices for; anything else is unknown here.
   */
  private knownChat(chatId: string): boolean {
    return this.deps.groups.getByChat(chatId) !== undefined;
  }

  private status({ res }: RequestContext): void {
    sendJson(res, 200, this.deps.status());
  }

  /** Every group's chats, main's first, each group's home chat before its others. */
  private chats({ res }: RequestContext): void {
    const name = this.deps.config.assistantName;
    const groups = [...this.deps.groups.list()].sort((a, b) => Number(b.isMain) - Number(a.isMain));
    const chats = groups.flatMap((g) =>
      this.deps.groups.chats(g.folder).map((chatId) => {
        const known = this.deps.messages.chat(chatId);
        const home = chatId === g.chatId && this.ownsChat(chatId);
        const chat = {
          chatId,
          name: home ? g.name : (known?.name ?? chatId),
          channel: known?.channel ?? chatId.split(':')[0] ?? '',
        };
        return { ...chatView(g, chat, name), lastMessageTs: known?.lastMessageTs ?? 0 };
      }),
    );
    sendJson(res, 200, { chats });
  }

  private history({ res, url, chatId }: RequestContext): void {
    const query = parseHistoryQuery(url.searchParams);
    if (!query.ok) return sendJson(res, query.refusal.status, { error: query.refusal.error });
    const messages = this.deps.messages.history(chatId, query.value.limit, query.value.before);
    const ids = messages.filter((m) => m.fromAssistant).map((m) => m.id);
    const steps = this.deps.steps?.forMessages(chatId, ids);
    sendJson(res, 200, { messages: messages.map((m) => messageView(m, steps?.get(m.id))) });
  }

  private post({ req, res, chatId }: RequestContext): Promise<void> {
    return postMessage(this.deps, req, res, chatId);
  }

  /** A file of one of this chat's messages, as a download (never rendered by the browser). */
  private download({ res, chatId, params }: RequestContext): void {
    const messageId = parseMessageId(params[0] ?? '');
    if (messageId === undefined) {
      return sendJson(res, 400, { error: 'Malformed message id in the path.' });
    }
    const folder = this.deps.groups.getByChat(chatId)?.folder ?? '';
    const found = findDownload(
      {
        messages: this.deps.messages,
        groupDir: groupPaths(this.deps.config, folder).groupDir,
        maxBytes: this.deps.config.attachmentMaxBytes,
      },
      chatId,
      messageId,
      Number(params[1]),
    );
    if (!found.ok) return sendJson(res, found.refusal.status, { error: found.refusal.error });
    res.writeHead(200, downloadHeaders(found.value));
    res.end(found.value.bytes);
  }

  /** The Stop button: aborts the turn answering this chat (the chat is told "Stopped."). */
  private stopTurn({ res, chatId }: RequestContext): void {
    const group = this.deps.groups.getByChat(chatId);
    if (group && chatAccess(chatId, group) === 'read-only') {
      return sendJson(res, 403, { error: `${chatId} is read-only here.` });
    }
    if (this.deps.stop?.(chatId)) return sendJson(res, 200, { stopped: true });
    sendJson(res, 409, { error: 'Nothing is running for this chat.' });
  }

  private events({ res, chatId }: RequestContext): void {
    streamEvents(res, chatId, {
      bus: this.deps.bus,
      status: () => this.deps.status(),
      listed: (id) => this.knownChat(id),
    });
  }

  private dashboard({ res }: RequestContext): void {
    const board = this.deps.dashboard;
    if (!board) return sendJson(res, 404, { error: NO_DASHBOARD });
    sendJson(res, 200, dashboardView(board));
  }

  private audit({ res, url }: RequestContext): void {
    const board = this.deps.dashboard;
    if (!board) return sendJson(res, 404, { error: NO_DASHBOARD });
    const query = parseAuditQuery(url.searchParams);
    if (!query.ok) return sendJson(res, query.refusal.status, { error: query.refusal.error });
    sendJson(res, 200, { entries: board.audit(query.value) });
  }

  /** The dashboard's Stop on a live run: the group's turn, whichever chat it answers. */
  private async stopRun({ req, res }: RequestContext): Promise<void> {
    const board = this.deps.dashboard;
    if (!board) return sendJson(res, 404, { error: NO_DASHBOARD });
    let raw: string;
    try {
      raw = (await readBody(req, MAX_BODY_BYTES)).toString('utf8');
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      return sendJson(res, BODY_TOO_LARGE.status, { error: BODY_TOO_LARGE.error });
    }
    const body = parseStop(raw);
    if (!body.ok) return sendJson(res, body.refusal.status, { error: body.refusal.error });
    if (!board.groups.get(body.value.group)) {
      return sendJson(res, 404, { error: `Unknown group "${body.value.group}".` });
    }
    if (board.stopGroup(body.value.group)) return sendJson(res, 200, { stopped: true });
    sendJson(res, 409, { error: `Nothing is running for group "${body.value.group}".` });
  }

  /** The group's scheduled tasks with their recent runs (read-only). */
  private tasks({ res, chatId }: RequestContext): void {
    const folder = this.deps.groups.getByChat(chatId)?.folder;
    const tasks = folder ? this.deps.tasks.list(folder) : [];
    sendJson(res, 200, {
      tasks: tasks.map((t) => ({
        ...taskView(t),
        runs: this.deps.tasks.runs(t.id, 5).map(runView),
      })),
    });
  }
}

/** A listen failure the user can act on (port taken, address not on this machine). */
function listenError(error: Error & { code?: string }, host: string, port: number): UserError {
  const where = `${host}:${port}`;
  const hint =
    error.code === 'EADDRINUSE'
      ? `${where} is already in use by another program (or another NanoClaw data directory's host). Stop it or set WEB_PORT to a free port.`
      : `Cannot listen on ${where} (${error.code ?? error.message}). Check WEB_HOST and WEB_PORT.`;
  return new UserError(`The web chat cannot start: ${hint}`, { host, port }, { cause: error });
}
