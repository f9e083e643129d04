/**
 * A local fake of Discord that speaks its real protocols: REST v10 under `/api/v10` (bot
 * token checked; `users/@me`, `gateway/bot`, `channels/:id/messages` as JSON or multipart with
 * `payload_json`, `channels/:id/typing`, `users/@me/channels`; rate-limit headers on every
 * answer, 429 with `retry_after` on demand; `enforce_nonce` as Discord does) and the Gateway
 * (fake-gateway.ts) on the same port. Attachment files are served from loopback URLs. Tests
 * point the real discord.js at it through the REST base URL only: the gateway URL comes from
 * `GET /gateway/bot`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway } from './fake-gateway.js';

export const BOT = {
  id: '100000000000000001',
  username: 'nanobot',
  global_name: 'NanoBot',
  bot: true,
};
export const ANN = { id: '400000000000000042', username: 'ann', global_name: 'Ann Lee' };
export const GUILD = { id: '500000000000000001', name: 'Family' };
export const GENERAL = { id: '200000000000000001', name: 'general', type: 0 };
export const DM = { id: '300000000000000001', type: 1 };

export interface SentFile {
  name: string;
  contentType: string;
  bytes: Buffer;
}

export interface RestCall {
  method: string;
  path: string;
  body: Record<string, unknown>;
  files: SentFile[];
  status: number;
  at: number;
}

export interface FakeDiscord {
  /** DISCORD_API_URL: `http://127.0.0.1:<port>/api`. */
  url: string;
  token: string;
  gateway: FakeGateway;
  calls: RestCall[];
  /** Messages the bot created (after nonce de-duplication), by POST order. */
  created: RestCall[];
  /** Dispatches a MESSAGE_CREATE from Ann in #general (guild) or the DM; returns its id. */
  guildMessage(content: string, extra?: Record<string, unknown>): string;
  dmMessage(content: string, extra?: Record<string, unknown>): string;
  /** A file served at a loopback URL, for an attachment's `url`. */
  addFile(bytes: Buffer, name: string, contentType: string): Record<string, unknown>;
  /**
   * After `skip` more message POSTs, the next `count` are answered 429 with `retry_after`
   * seconds (and not created).
   */
  rateLimit(count: number, retryAfterS: number, skip?: number): void;
  /** Refuses every connection (REST and gateway) until resume(). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

async function readBody(req: http.IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    const files: SentFile[] = [];
    let body: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) {
      if (key === 'payload_json') body = JSON.parse(String(value)) as Record<string, unknown>;
      else if (typeof value !== 'string') {
        files.push({
          name: value.name,
          contentType: value.type,
          bytes: Buffer.from(await value.arrayBuffer()),
        });
      }
    }
    return { body, files };
  }
  const body = raw.length > 0 ? (JSON.parse(raw.toString()) as Record<string, unknown>) : {};
  return { body, files: [] };
}

export async function startFakeDiscord(
  options: { token?: string; heartbeatMs?: number } = {},
): Promise<FakeDiscord> {
  const token =
    options.token ?? 'MTAwMDAwMDAwMDAwMDAwMDAx.GfAkE1.fake-discord-token-0123456789abcdefgh';
  let nextSnowflake = 600_000_000_000_000_000n;
  const snowflake = () => String(nextSnowflake++);
  const calls: RestCall[] = [];
  const created: RestCall[] = [];
  const nonces = new Map<string, Record<string, unknown>>();
  /** Every message of each channel (people's and the bot's), oldest first, as REST returns them. */
  const history = new Map<string, Record<string, unknown>[]>();
  const remember = (channelId: string, message: Record<string, unknown>) =>
    history.set(channelId, [...(history.get(channelId) ?? []), message]);
  /** Gateway fields of a channel's MESSAGE_CREATE (REST messages carry neither). */
  const where = (channelId: string) =>
    channelId === DM.id ? { channel_type: 1 } : { guild_id: GUILD.id };
  const echo = (message: Record<string, unknown>) => {
    // Discord sends the bot its own messages too (when a session is up).
    try {
      gateway.dispatch('MESSAGE_CREATE', { ...message, ...where(String(message.channel_id)) });
    } catch {
      // no session yet: nothing to echo to
    }
  };
  const files = new Map<string, { bytes: Buffer; type: string }>();
  let limited = { skip: 0, count: 0, retryAfterS: 0 };
  let port = 0;
  const base = () => `http://127.0.0.1:${port}`;
  const gateway = new FakeGateway({
    token,
    heartbeatMs: options.heartbeatMs ?? 1000,
    url: () => `ws://127.0.0.1:${port}/gateway`,
    ready: (sessionId) => ({
      v: 10,
      user: BOT,
      guilds: [{ id: GUILD.id, unavailable: true }],
      session_id: sessionId,
      resume_gateway_url: `ws://127.0.0.1:${port}/gateway`,
      application: { id: BOT.id, flags: 0 },
    }),
    guildCreate: () => ({
      ...GUILD,
      unavailable: false,
      owner_id: ANN.id,
      member_count: 2,
      features: [],
      emojis: [],
      stickers: [],
      roles: [{ id: GUILD.id, name: '@everyone', permissions: '68608', position: 0, color: 0 }],
      channels: [{ ...GENERAL, guild_id: GUILD.id, position: 0, permission_overwrites: [] }],
      members: [{ user: BOT, roles: [], joined_at: new Date(0).toISOString() }],
      threads: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
    }),
  });

  const send = (res: http.ServerResponse, status: number, body?: unknown, headers = {}) => {
    res.writeHead(status, {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      'x-ratelimit-limit': '50',
      'x-ratelimit-remaining': '49',
      'x-ratelimit-reset-after': '1',
      'x-ratelimit-reset': String(Date.now() / 1000 + 1),
      'x-ratelimit-bucket': 'fake-bucket',
      ...headers,
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };

  const postMessage = (channelId: string, call: RestCall, res: http.ServerResponse) => {
    if (limited.skip > 0) limited.skip -= 1;
    else if (limited.count > 0) {
      limited.count -= 1;
      call.status = 429;
      const after = limited.retryAfterS;
      return send(
        res,
        429,
        { message: 'You are being rate limited.', retry_after: after, global: false },
        {
          'retry-after': String(after),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(after),
          'x-ratelimit-scope': 'user',
        },
      );
    }
    const nonce =
      typeof call.body.nonce === 'string' ? `${channelId}/${call.body.nonce}` : undefined;
    const existing = nonce && call.body.enforce_nonce ? nonces.get(nonce) : undefined;
    if (existing) return send(res, 200, existing);
    const message = {
      id: snowflake(),
      channel_id: channelId,
      author: BOT,
      content: call.body.content ?? '',
      timestamp: new Date().toISOString(),
      type: call.body.message_reference ? 19 : 0,
      attachments: call.files.map((f) => ({
        id: snowflake(),
        filename: f.name,
        size: f.bytes.length,
      })),
    };
    if (nonce) nonces.set(nonce, message);
    created.push(call);
    remember(channelId, message);
    send(res, 200, message);
    echo(message);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', base());
    const file = /^\/attachments\/(\w+)\/[^/]+$/.exec(url.pathname);
    if (file && req.method === 'GET') {
      const f = files.get(file[1] ?? '');
      if (!f) return send(res, 404, { message: 'Not found' });
      res.writeHead(200, { 'content-type': f.type, 'content-length': f.bytes.length });
      return res.end(f.bytes);
    }
    const route = url.pathname.replace(/^\/api\/v10/, '');
    const { body, files: uploaded } = await readBody(req);
    const call: RestCall = {
      method: req.method ?? 'GET',
      path: route,
      body,
      files: uploaded,
      status: 200,
      at: Date.now(),
    };
    calls.push(call);
    if (req.headers.authorization !== `Bot ${token}`) {
      call.status = 401;
      return send(res, 401, { message: '401: Unauthorized', code: 0 });
    }
    const key = `${call.method} ${route}`;
    const channel = /^\/channels\/(\d+)\/(messages|typing)$/.exec(route);
    if (key === 'GET /users/@me') return send(res, 200, BOT);
    if (key === 'GET /gateway/bot') {
      return send(res, 200, {
        url: `ws://127.0.0.1:${port}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (key === 'POST /users/@me/channels') return send(res, 200, { ...DM, recipients: [ANN] });
    if (channel?.[2] === 'typing' && call.method === 'POST') return send(res, 204);
    if (channel?.[2] === 'messages' && call.method === 'GET') {
      const after = BigInt(url.searchParams.get('after') ?? '0');
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const newer = (history.get(channel[1] ?? '') ?? []).filter(
        (m) => BigInt(String(m.id)) > after,
      );
      // Discord answers `after` with the oldest `limit` messages after it, newest first.
      return send(res, 200, newer.slice(0, limit).reverse());
    }
    if (channel?.[2] === 'messages' && call.method === 'POST')
      return postMessage(channel[1] ?? '', call, res);
    call.status = 404;
    send(res, 404, { message: '404: Not Found', code: 0 });
  };

  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  server.on('upgrade', (req, socket, head) => {
    if (req.url?.startsWith('/gateway')) gateway.upgrade(req, socket, head);
    else socket.destroy();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (p: number) =>
    new Promise<void>((resolve) => server.listen(p, '127.0.0.1', resolve));
  await listen(0);
  port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      gateway.drop();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  const message = (
    channelId: string,
    guild: boolean,
    content: string,
    extra: Record<string, unknown> = {},
  ) => {
    const id = snowflake();
    const rest = {
      id,
      channel_id: channelId,
      author: ANN,
      content,
      timestamp: new Date().toISOString(),
      type: 0,
      flags: 0,
      tts: false,
      pinned: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      ...extra,
    };
    remember(channelId, rest);
    const member = guild ? { member: { nick: null, roles: [] } } : {};
    gateway.dispatch('MESSAGE_CREATE', { ...rest, ...where(channelId), ...member });
    return id;
  };

  return {
    url: `${base()}/api`,
    token,
    gateway,
    calls,
    created,
    guildMessage: (content, extra) => message(GENERAL.id, true, content, extra),
    dmMessage: (content, extra) => message(DM.id, false, content, extra),
    addFile(bytes, name, contentType) {
      const id = snowflake();
      files.set(id, { bytes, type: contentType });
      return {
        id,
        filename: name,
        size: bytes.length,
        content_type: contentType,
        url: `${base()}/attachments/${id}/${name}`,
      };
    },
    rateLimit(count, retryAfterS, skip = 0) {
      limited = { skip, count, retryAfterS };
    },
    pause: stop,
    resume: () => listen(port),
    async close() {
      await stop();
      gateway.close();
    },
  };
}
