/**
 * A local fake of Slack that speaks its real protocols, for the real Bolt and web-api clients
 * (only `slackApiUrl` changed): the Web API (`POST /api/<method>`, form or JSON bodies, bearer
 * tokens, `{ ok, … }` answers, 429 with Retry-After), the files.uploadV2 flow (upload URL, raw
 * upload, complete), `url_private` downloads that need the bot token, and Socket Mode:
 * apps.connections.open hands out a `ws://` URL; the socket says hello, pings, carries
 * `events_api` envelopes and expects each to be acknowledged by its envelope_id. An envelope
 * not acknowledged is sent again on the next connection (as Slack retries), with retry_attempt.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptWebSocket, type WsConnection } from './ws-server.js';

export interface FakeCall {
  method: string;
  params: Record<string, unknown>;
  /** The bearer token the call carried. */
  token: string | undefined;
  at: number;
}

export type Failure = { error: string } | { status: 429; retryAfter: number };

export interface SlackFileObject {
  id: string;
  name: string;
  mimetype: string;
  size: number;
  url_private: string;
  url_private_download: string;
}

export interface FakeSlack {
  /** The SLACK_API_URL: `http://127.0.0.1:<port>/api/`. */
  url: string;
  origin: string;
  botToken: string;
  appToken: string;
  bot: { userId: string; botId: string };
  calls: FakeCall[];
  /** Files completed through files.uploadV2, by id. */
  uploads: Map<
    string,
    { name: string; bytes: Buffer; channel?: string; thread?: string; comment?: string }
  >;
  /** Socket Mode connections opened so far. */
  connections(): number;
  /** Queues an events_api envelope carrying `event`; sent at once if a socket is open. */
  event(event: Record<string, unknown>): string;
  /** Envelope ids not acknowledged yet. */
  pending(): string[];
  /** A file the bot can download (with its token); the object goes into an event's `files`. */
  addFile(bytes: Buffer, name: string, mimetype: string): SlackFileObject;
  /** Bytes served to downloads. */
  bytesServed(): number;
  setUser(id: string, name: string): void;
  setChannel(id: string, info: { name?: string; is_im?: boolean }): void;
  /** The next `count` calls of `method` (after `after` that succeed) fail this way. */
  fail(method: string, failure: Failure, count?: number, after?: number): void;
  /** Slack's `disconnect` message (e.g. refresh_requested): the client must reconnect. */
  disconnect(reason?: string): void;
  /** Cuts the socket without a close frame. */
  drop(): void;
  /** Refuses connections (HTTP and sockets) until resume(); queued envelopes are kept. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  waitFor(method: string, match?: (c: FakeCall) => boolean, timeoutMs?: number): Promise<FakeCall>;
  close(): Promise<void>;
}

interface Envelope {
  id: string;
  payload: Record<string, unknown>;
  sent: number;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Form fields holding JSON (web-api sends arrays and objects that way) are decoded. */
function parseParams(body: Buffer, type: string): Record<string, unknown> {
  if (type.startsWith('application/json')) {
    return body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
  }
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) {
    try {
      params[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
    } catch {
      params[key] = value;
    }
  }
  return params;
}

/** The file bytes of an upload: the raw body, or the one part of a multipart body. */
function uploadedBytes(body: Buffer, type: string): Buffer {
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  if (!type.startsWith('multipart/form-data') || !boundary) return body;
  const start = body.indexOf(`--${boundary}`);
  const headEnd = body.indexOf('\r\n\r\n', start);
  const end = body.indexOf(`\r\n--${boundary}`, headEnd);
  return start < 0 || headEnd < 0 || end < 0 ? body : body.subarray(headEnd + 4, end);
}

const json = (res: http.ServerResponse, body: unknown, status = 200, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

export async function startFakeSlack(
  options: { botToken?: string; appToken?: string; pingMs?: number } = {},
): Promise<FakeSlack> {
  const botToken = options.botToken ?? 'xoxb-1111-2222-fakebottoken';
  const appToken = options.appToken ?? 'xapp-1-A111-3333-fakeapptoken';
  const bot = { userId: 'UBOT0001', botId: 'BBOT0001' };
  const calls: FakeCall[] = [];
  const failures = new Map<string, (Failure | undefined)[]>();
  const envelopes = new Map<string, Envelope>();
  const files = new Map<string, { bytes: Buffer; mimetype: string }>();
  const pendingUploads = new Map<string, { name: string; bytes?: Buffer }>();
  const uploads: FakeSlack['uploads'] = new Map();
  const users = new Map<string, string>();
  const channels = new Map<string, { name?: string; is_im?: boolean }>();
  const sockets = new Set<WsConnection>();
  let current: WsConnection | undefined;
  let opened = 0;
  let seq = 0;
  let served = 0;
  let tsCounter = 0;
  let origin = '';

  const deliver = (ws: WsConnection, e: Envelope) => {
    ws.sendText(
      JSON.stringify({
        envelope_id: e.id,
        type: 'events_api',
        accepts_response_payload: false,
        retry_attempt: e.sent,
        retry_reason: e.sent ? 'timeout' : '',
        payload: e.payload,
      }),
    );
    e.sent += 1;
  };

  const webApi = (method: string, params: Record<string, unknown>, token?: string) => {
    if (method === 'apps.connections.open') {
      if (token === appToken)
        return { ok: true, url: `${origin.replace('http', 'ws')}/link/?ticket=t${++seq}` };
      return { ok: false, error: token === botToken ? 'not_allowed_token_type' : 'invalid_auth' };
    }
    if (token !== botToken) return { ok: false, error: token ? 'invalid_auth' : 'not_authed' };
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          user_id: bot.userId,
          bot_id: bot.botId,
          team_id: 'T0001',
          team: 'Fake',
          user: 'nanoclaw',
          url: origin,
        };
      case 'chat.postMessage': {
        if (!params.channel) return { ok: false, error: 'channel_not_found' };
        if (!params.text) return { ok: false, error: 'no_text' };
        const ts = `${1_800_000_000 + Math.floor(++tsCounter / 1000)}.${String(tsCounter % 1000).padStart(6, '0')}`;
        return {
          ok: true,
          channel: params.channel,
          ts,
          message: { text: params.text, ts, user: bot.userId },
        };
      }
      case 'reactions.add':
      case 'reactions.remove':
        return params.channel && params.timestamp && params.name
          ? { ok: true }
          : { ok: false, error: 'invalid_arguments' };
      case 'users.info': {
        const id = String(params.user);
        const name = users.get(id) ?? `user-${id}`;
        return { ok: true, user: { id, name, real_name: name, profile: { display_name: name } } };
      }
      case 'conversations.info': {
        const id = String(params.channel);
        const info = channels.get(id) ?? {
          name: id.startsWith('D') ? undefined : `chan-${id}`,
          is_im: id.startsWith('D'),
        };
        return { ok: true, channel: { id, ...info } };
      }
      case 'files.getUploadURLExternal': {
        const id = `F${String(++seq).padStart(8, '0')}`;
        pendingUploads.set(id, { name: String(params.filename) });
        return { ok: true, upload_url: `${origin}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = (params.files ?? []) as { id: string; title?: string }[];
        for (const f of list) {
          const up = pendingUploads.get(f.id);
          if (!up?.bytes) return { ok: false, error: 'file_not_found' };
          uploads.set(f.id, {
            name: up.name,
            bytes: up.bytes,
            ...(params.channel_id ? { channel: String(params.channel_id) } : {}),
            ...(params.thread_ts ? { thread: String(params.thread_ts) } : {}),
            ...(params.initial_comment ? { comment: String(params.initial_comment) } : {}),
          });
        }
        return { ok: true, files: list.map((f) => ({ id: f.id, title: f.title })) };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const body = await readBody(req);
    const upload = /^\/upload\/(F\w+)$/.exec(url.pathname);
    if (upload?.[1] && pendingUploads.has(upload[1])) {
      const up = pendingUploads.get(upload[1]);
      if (up) up.bytes = uploadedBytes(body, req.headers['content-type'] ?? '');
      calls.push({
        method: 'upload',
        params: { file_id: upload[1], bytes: body.length },
        token,
        at: Date.now(),
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${body.length}`);
      return;
    }
    const download = /^\/files\/(F\w+)\/[^/]+$/.exec(url.pathname);
    if (download?.[1]) {
      const file = files.get(download[1]);
      // Slack answers a missing or wrong token with its login page, status 200.
      if (token !== botToken)
        return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
      if (!file) return void res.writeHead(404).end();
      served += file.bytes.length;
      return void res
        .writeHead(200, { 'content-type': file.mimetype, 'content-length': file.bytes.length })
        .end(file.bytes);
    }
    const api = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (!api?.[1] || req.method !== 'POST') return void res.writeHead(404).end();
    const method = api[1];
    const params = parseParams(body, req.headers['content-type'] ?? '');
    const callToken = token ?? (typeof params.token === 'string' ? params.token : undefined);
    calls.push({ method, params, token: callToken, at: Date.now() });
    const failure = failures.get(method)?.shift();
    if (failure && 'status' in failure) {
      return json(res, { ok: false, error: 'ratelimited' }, 429, {
        'retry-after': String(failure.retryAfter),
      });
    }
    if (failure) return json(res, { ok: false, error: failure.error });
    json(res, webApi(method, params, callToken));
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => json(res, { ok: false, error: String(error) }, 500));
  });
  server.on('upgrade', (req, socket) => {
    if (!req.url?.startsWith('/link/')) return void socket.destroy();
    const ws = acceptWebSocket(req, socket);
    if (!ws) return;
    opened += 1;
    sockets.add(ws);
    current = ws;
    ws.onClose(() => {
      sockets.delete(ws);
      if (current === ws) current = undefined;
    });
    ws.onText((text) => {
      const { envelope_id: id } = JSON.parse(text) as { envelope_id?: string };
      if (id) envelopes.delete(id);
      calls.push({ method: 'ack', params: { envelope_id: id }, token: undefined, at: Date.now() });
    });
    ws.sendText(
      JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A111' } }),
    );
    for (const e of envelopes.values()) deliver(ws, e);
  });
  const pinger = setInterval(() => sockets.forEach((ws) => ws.ping()), options.pingMs ?? 1000);
  const listen = (port: number) =>
    new Promise<number>((resolve) =>
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
  const port = await listen(0);
  origin = `http://127.0.0.1:${port}`;
  const dropAll = () => {
    for (const ws of sockets) ws.destroy();
    server.closeAllConnections();
  };

  return {
    url: `${origin}/api/`,
    origin,
    botToken,
    appToken,
    bot,
    calls,
    uploads,
    connections: () => opened,
    event(event) {
      const id = `env-${++seq}`;
      const e: Envelope = {
        id,
        payload: {
          type: 'event_callback',
          team_id: 'T0001',
          api_app_id: 'A111',
          event_id: `Ev${seq}`,
          event_time: Math.floor(Date.now() / 1000),
          event,
        },
        sent: 0,
      };
      envelopes.set(id, e);
      if (current?.open) deliver(current, e);
      return id;
    },
    pending: () => [...envelopes.keys()],
    addFile(bytes, name, mimetype) {
      const id = `F${String(++seq).padStart(8, '0')}`;
      files.set(id, { bytes, mimetype });
      const url = `${origin}/files/${id}/${encodeURIComponent(name)}`;
      return {
        id,
        name,
        mimetype,
        size: bytes.length,
        url_private: url,
        url_private_download: url,
      };
    },
    bytesServed: () => served,
    setUser: (id, name) => void users.set(id, name),
    setChannel: (id, info) => void channels.set(id, info),
    fail(method, failure, count = 1, after = 0) {
      const list = failures.get(method) ?? [];
      for (let i = 0; i < after; i++) list.push(undefined);
      for (let i = 0; i < count; i++) list.push(failure);
      failures.set(method, list);
    },
    disconnect(reason = 'refresh_requested') {
      current?.sendText(
        JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake' } }),
      );
    },
    drop: () => current?.destroy(),
    async pause() {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async resume() {
      await listen(port);
    },
    async waitFor(method, match = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const call = calls.find((c) => c.method === method && match(c));
        if (call) return call;
        if (Date.now() > deadline) throw new Error(`no ${method} call within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      clearInterval(pinger);
      for (const ws of sockets) ws.close();
      await new Promise((r) => setTimeout(r, 50));
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
