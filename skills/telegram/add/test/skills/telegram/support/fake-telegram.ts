/**
 * A local fake of the Telegram Bot API (https://core.telegram.org/bots/api) that speaks its real
 * HTTP protocol: `POST /bot<token>/<method>` with JSON, urlencoded or multipart bodies, answers
 * `{ ok, result }` or `{ ok: false, error_code, description, parameters }`, long-polls
 * `getUpdates` with offsets, and serves files at `/file/bot<token>/<path>`. Tests point the real
 * grammY client at it through `apiRoot`. Errors (429 with retry_after, 409, parse errors) can be
 * injected.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { htmlParseError, readBody, type UploadedFile } from './fake-telegram-http.js';

export { htmlParseError } from './fake-telegram-http.js';

export interface FakeCall {
  method: string;
  params: Record<string, unknown>;
  /** Files of a multipart call, by field name. */
  files: Record<string, UploadedFile>;
  at: number;
}

export interface TelegramUpdate {
  update_id: number;
  [key: string]: unknown;
}

type Failure = { code: number; description: string; retryAfter?: number };

export interface FakeTelegram {
  /** The apiRoot to give grammY: `http://127.0.0.1:<port>`. */
  url: string;
  token: string;
  calls: FakeCall[];
  bot: { id: number; username: string; first_name: string };
  /** Queues an update (update_id assigned); answers a waiting getUpdates at once. */
  push(update: Record<string, unknown>): TelegramUpdate;
  /** Updates not yet confirmed by an offset. */
  pending(): TelegramUpdate[];
  /**
   * A file the bot may fetch with getFile; returns its file_id. `hideSize`: getFile announces
   * no size and the download is chunked (no content-length), as for some self-hosted servers.
   */
  addFile(bytes: Buffer, path: string, options?: { hideSize?: boolean }): string;
  /** Bytes the file server actually wrote to downloads. */
  bytesServed(): number;
  /**
   * Like Telegram's flood control: more than `perSecond` sendMessage calls to one chat within a
   * second are answered 429 with `retry_after` 1.
   */
  rateLimit(perSecond: number): void;
  /** The next `count` calls of `method` fail this way. */
  fail(method: string, failure: Failure, count?: number): void;
  waitFor(
    method: string,
    match?: (call: FakeCall) => boolean,
    timeoutMs?: number,
  ): Promise<FakeCall>;
  /** Stops answering (connections refused) until `resume()`; updates are kept. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

interface Poller {
  offset: number;
  limit: number;
  respond(updates: TelegramUpdate[]): void;
  conflict(): void;
}

const CONFLICT = {
  code: 409,
  description:
    'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
};

const MESSAGE_LIMIT = 4096;

export async function startFakeTelegram(
  token = '123456:TEST-token_abcdefghijklmnopqrstuv',
): Promise<FakeTelegram> {
  const bot = { id: 777000111, is_bot: true, username: 'nanoclaw_test_bot', first_name: 'Andy' };
  const calls: FakeCall[] = [];
  const watchers = new Set<() => void>();
  let updates: TelegramUpdate[] = [];
  let nextUpdateId = 1000;
  let nextMessageId = 1;
  let nextFile = 1;
  const files = new Map<string, { path: string; bytes: Buffer; hideSize: boolean }>();
  let served = 0;
  const failures = new Map<string, Failure[]>();
  let poller: Poller | undefined;
  let limit = Infinity;
  const recent = new Map<string, number[]>();
  const flood = (method: string, params: Record<string, unknown>): Failure | undefined => {
    if (method !== 'sendMessage' || limit === Infinity) return undefined;
    const key = String(params.chat_id);
    const now = Date.now();
    const times = (recent.get(key) ?? []).filter((t) => now - t < 1000);
    if (times.length >= limit) {
      return { code: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 };
    }
    recent.set(key, [...times, now]);
    return undefined;
  };

  const confirm = (offset: number) => {
    if (offset > 0) updates = updates.filter((u) => u.update_id >= offset);
  };
  const deliverTo = (p: Poller) => {
    const ready = updates.filter((u) => u.update_id >= p.offset).slice(0, p.limit);
    if (ready.length === 0) return false;
    p.respond(ready);
    return true;
  };
  const record = (call: FakeCall) => {
    calls.push(call);
    for (const w of watchers) w();
  };
  const sentMessage = (chatId: unknown, extra: Record<string, unknown>) => ({
    message_id: nextMessageId++,
    date: Math.floor(Date.now() / 1000),
    chat: { id: Number(chatId), type: Number(chatId) < 0 ? 'group' : 'private' },
    from: bot,
    ...extra,
  });

  type Reply = { result: unknown } | Failure;
  const methods: Record<
    string,
    (p: Record<string, unknown>, f: FakeCall['files']) => Reply | undefined
  > = {
    getMe: () => ({
      result: {
        ...bot,
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
      },
    }),
    deleteWebhook: () => ({ result: true }),
    setMyCommands: () => ({ result: true }),
    sendChatAction: () => ({ result: true }),
    sendMessage: (p) => {
      const text = String(p.text ?? '');
      if (!text.trim()) return { code: 400, description: 'Bad Request: message text is empty' };
      if (text.length > MESSAGE_LIMIT)
        return { code: 400, description: 'Bad Request: message is too long' };
      if (p.parse_mode === 'HTML') {
        const problem = htmlParseError(text);
        if (problem) return { code: 400, description: `Bad Request: ${problem}` };
      }
      return { result: sentMessage(p.chat_id, { text }) };
    },
    sendDocument: (p, f) =>
      f.document
        ? {
            result: sentMessage(p.chat_id, {
              document: {
                file_id: `doc-${nextFile++}`,
                file_name: f.document.name,
                file_size: f.document.bytes.length,
              },
            }),
          }
        : { code: 400, description: 'Bad Request: there is no document in the request' },
    sendPhoto: (p, f) =>
      f.photo
        ? {
            result: sentMessage(p.chat_id, {
              photo: [
                {
                  file_id: `photo-${nextFile++}`,
                  width: 1,
                  height: 1,
                  file_size: f.photo.bytes.length,
                },
              ],
            }),
          }
        : { code: 400, description: 'Bad Request: there is no photo in the request' },
    getFile: (p) => {
      const file = files.get(String(p.file_id));
      return file
        ? {
            result: {
              file_id: p.file_id,
              file_unique_id: `u-${String(p.file_id)}`,
              ...(file.hideSize ? {} : { file_size: file.bytes.length }),
              file_path: file.path,
            },
          }
        : { code: 400, description: 'Bad Request: invalid file_id' };
    },
  };

  /** Writes in 64 KiB pieces, honouring backpressure, so a client that stops reading stops it. */
  const streamFile = (res: http.ServerResponse, bytes: Buffer) => {
    let at = 0;
    const more = () => {
      while (at < bytes.length) {
        const piece = bytes.subarray(at, at + 65536);
        at += piece.length;
        served += piece.length;
        if (!res.write(piece)) return void res.once('drain', more);
      }
      res.end();
    };
    res.on('close', () => (at = bytes.length));
    more();
  };

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const sendFailure = (res: http.ServerResponse, f: Failure) =>
    send(res, f.code, {
      ok: false,
      error_code: f.code,
      description: f.description,
      ...(f.retryAfter !== undefined ? { parameters: { retry_after: f.retryAfter } } : {}),
    });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) {
      const file = [...files.values()].find((f) => f.path === fileMatch[2]);
      if (fileMatch[1] !== token || !file)
        return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        ...(file.hideSize ? {} : { 'content-length': file.bytes.length }),
      });
      return streamFile(res, file.bytes);
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (m[1] !== token) return sendFailure(res, { code: 401, description: 'Unauthorized' });
    const method = m[2] as string;
    const { params, files: upload } = await readBody(req);
    record({ method, params, files: upload, at: Date.now() });
    const injected = failures.get(method)?.shift() ?? flood(method, params);
    if (injected) return sendFailure(res, injected);
    if (method === 'getUpdates') return getUpdates(params, res);
    const handler = methods[method];
    if (!handler)
      return sendFailure(res, { code: 404, description: 'Not Found: method not found' });
    const reply = handler(params, upload);
    if (!reply) return;
    if ('result' in reply) send(res, 200, { ok: true, result: reply.result });
    else sendFailure(res, reply);
  };

  const getUpdates = (params: Record<string, unknown>, res: http.ServerResponse) => {
    const offset = Number(params.offset ?? 0);
    confirm(offset);
    // Like Telegram: a newer long poll terminates the one still waiting, which gets 409.
    poller?.conflict();
    let done = false;
    // Set after a first delivery attempt, which may answer (and clear it) synchronously.
    const wait: { timer?: NodeJS.Timeout } = {};
    const p: Poller = {
      offset,
      limit: Number(params.limit ?? 100),
      respond: (list) => {
        if (done) return;
        done = true;
        clearTimeout(wait.timer);
        poller = undefined;
        send(res, 200, { ok: true, result: list });
      },
      conflict: () => {
        if (done) return;
        done = true;
        clearTimeout(wait.timer);
        poller = undefined;
        sendFailure(res, CONFLICT);
      },
    };
    if (deliverTo(p)) return;
    const timeoutS = Number(params.timeout ?? 0);
    wait.timer = setTimeout(() => p.respond([]), Math.min(timeoutS, 30) * 1000);
    res.on('close', () => {
      if (!done) {
        done = true;
        clearTimeout(wait.timer);
        if (poller === p) poller = undefined;
      }
    });
    poller = p;
  };

  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      send(res, 500, { ok: false, error_code: 500, description: String(error) }),
    );
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      poller?.respond([]);
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    calls,
    bot,
    push(update) {
      const full = { ...update, update_id: nextUpdateId++ } as TelegramUpdate;
      updates.push(full);
      if (poller) deliverTo(poller);
      return full;
    },
    pending: () => [...updates],
    bytesServed: () => served,
    addFile(bytes, path, options = {}) {
      const id = `file-${nextFile++}`;
      files.set(id, { path, bytes, hideSize: options.hideSize === true });
      return id;
    },
    rateLimit(perSecond) {
      limit = perSecond;
    },
    fail(method, failure, count = 1) {
      const list = failures.get(method) ?? [];
      for (let i = 0; i < count; i++) list.push(failure);
      failures.set(method, list);
    },
    waitFor(method, match = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = calls.find((c) => c.method === method && match(c));
          if (!found) return false;
          watchers.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`fake Telegram: no ${method} call within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) watchers.add(check);
      });
    },
    pause: stop,
    resume: () => listen(port),
    close: stop,
  };
}
