/**
 * A local fake of the WhatsApp Cloud API's Graph endpoints, speaking its HTTP protocol: Bearer
 * auth (190 / 401 otherwise), `POST /v21.0/<phone id>/messages` (texts, media, read receipts
 * with the typing indicator), `POST /v21.0/<phone id>/media` (multipart upload), `GET
 * /v21.0/<media id>` (a download URL) and the download itself (Bearer too), `GET /v21.0/<phone
 * id>` (the number). Graph errors (`{ error: { code, message } }`: 131047, 130429…) can be
 * injected. Tests point the adapter at it through WHATSAPP_GRAPH_URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphCall {
  method: string;
  path: string;
  /** The JSON body, or a multipart upload's text fields. */
  body: Record<string, unknown>;
  file?: { name: string; type: string; bytes: Buffer };
  auth: string | undefined;
  at: number;
}

export interface GraphFailure {
  status: number;
  code: number;
  message?: string;
}

export interface FakeGraph {
  url: string;
  token: string;
  phoneNumberId: string;
  displayNumber: string;
  calls: GraphCall[];
  /** Messages sent (POST …/messages without `status`), in order. */
  sent(): GraphCall[];
  /** Media the adapter may download; returns its media id. */
  addMedia(bytes: Buffer, mime: string): string;
  /** Bytes the media server actually wrote to downloads. */
  bytesServed(): number;
  /** The next `count` sends (POST …/messages, not read receipts) matching `match` fail so. */
  failSends(failure: GraphFailure, count?: number, match?: (call: GraphCall) => boolean): void;
  waitFor(match: (call: GraphCall) => boolean, timeoutMs?: number): Promise<GraphCall>;
  /** Stops answering (connections refused) until `resume()`. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

const VERSION = 'v21.0';

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function parseBody(req: http.IncomingMessage): Promise<Pick<GraphCall, 'body' | 'file'>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    const body: Record<string, unknown> = {};
    let file: GraphCall['file'];
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') body[key] = value;
      else
        file = {
          name: value.name,
          type: value.type,
          bytes: Buffer.from(await value.arrayBuffer()),
        };
    }
    return file ? { body, file } : { body };
  }
  return { body: raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {} };
}

export async function startFakeGraph(
  options: { token?: string; phoneNumberId?: string } = {},
): Promise<FakeGraph> {
  const token = options.token ?? 'EAAGfakeWhatsAppCloudToken0123456789abcdef';
  const phoneNumberId = options.phoneNumberId ?? '106540352242922';
  const displayNumber = '15550001111';
  const calls: GraphCall[] = [];
  const media = new Map<string, { bytes: Buffer; mime: string }>();
  const failures: { failure: GraphFailure; match: (call: GraphCall) => boolean }[] = [];
  let served = 0;
  let nextId = 1;
  let url = '';

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const { body, file } = await parseBody(req);
    const call: GraphCall = {
      method: req.method ?? '',
      path,
      body,
      auth: req.headers.authorization,
      at: Date.now(),
    };
    if (file) call.file = file;
    calls.push(call);
    if (req.headers.authorization !== `Bearer ${token}`) {
      return reply(res, 401, {
        error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 },
      });
    }
    const bytes = /^\/media-bytes\/(\w+)$/.exec(path)?.[1];
    if (bytes !== undefined && media.has(bytes)) {
      const item = media.get(bytes);
      served += item?.bytes.length ?? 0;
      res.writeHead(200, { 'content-type': item?.mime ?? '' }).end(item?.bytes);
      return;
    }
    const [, version, id, edge] = path.split('/');
    if (version !== VERSION)
      return reply(res, 400, { error: { message: 'Unknown path components', code: 2500 } });
    if (id === phoneNumberId && edge === 'messages' && req.method === 'POST') {
      if (body.status === 'read') return reply(res, 200, { success: true });
      const index = failures.findIndex((f) => f.match(call));
      const failure = index >= 0 ? failures.splice(index, 1)[0]?.failure : undefined;
      if (failure)
        return reply(res, failure.status, {
          error: { message: failure.message ?? 'injected', code: failure.code },
        });
      return reply(res, 200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: body.to, wa_id: body.to }],
        messages: [{ id: `wamid.out.${nextId++}` }],
      });
    }
    if (id === phoneNumberId && edge === 'media' && req.method === 'POST') {
      if (!file) return reply(res, 400, { error: { message: 'file is required', code: 100 } });
      const mediaId = String(nextId++);
      media.set(mediaId, { bytes: file.bytes, mime: file.type });
      return reply(res, 200, { id: mediaId });
    }
    if (id === phoneNumberId && !edge && req.method === 'GET') {
      return reply(res, 200, { display_phone_number: '+1 555-000-1111', id: phoneNumberId });
    }
    const item = id !== undefined ? media.get(id) : undefined;
    if (item && !edge && req.method === 'GET') {
      return reply(res, 200, {
        messaging_product: 'whatsapp',
        url: `${url}/media-bytes/${id}`,
        mime_type: item.mime,
        file_size: item.bytes.length,
        id,
      });
    }
    reply(res, 400, { error: { message: `Unsupported ${req.method} request`, code: 100 } });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => reply(res, 500, { error: { message: 'fake failed', code: 1 } }));
  });
  const listen = (port: number) =>
    new Promise<number>((resolve) =>
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
  const port = await listen(0);
  url = `http://127.0.0.1:${port}`;
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    url,
    token,
    phoneNumberId,
    displayNumber,
    calls,
    sent: () => calls.filter((c) => c.path.endsWith('/messages') && c.body.status !== 'read'),
    addMedia(bytes, mime) {
      const id = String(nextId++);
      media.set(id, { bytes, mime });
      return id;
    },
    bytesServed: () => served,
    failSends(failure, count = 1, match = () => true) {
      for (let i = 0; i < count; i++) failures.push({ failure, match });
    },
    async waitFor(match, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = calls.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error('fake Graph API: the call did not come');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    pause: closeServer,
    async resume() {
      await listen(port);
    },
    close: closeServer,
  };
}
