/**
 * HTTP test fixtures for the gateway: a recording fake model upstream on loopback whose answer
 * each test can script (streamed SSE by default), and clients for unix sockets and raw request
 * lines (to send what a well-behaved client never would).
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
export type Behavior = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Three SSE events; between the first and the rest it awaits `gate` (open unless a test shuts it). */
export function sse(gate: () => Promise<void>): Behavior {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'x-hop' });
    res.write('event: ping\ndata: {"n":0}\n\n');
    void gate().then(() => res.end('event: ping\ndata: {"n":1}\n\nevent: ping\ndata: {"n":2}\n\n'));
  };
}

export async function startUpstream() {
  const seen: Seen[] = [];
  const state: { behave: Behavior } = { behave: sse(async () => {}) };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      state.behave(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, state, seen, url: `http://127.0.0.1:${port}/prefix` };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}
export interface Call {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: http.Agent;
  /** Called with each chunk of the response body as it arrives. */
  onChunk?: (chunk: string) => void;
}

/** One HTTP request to a unix socket (a path) or a TCP address. */
export function request(to: string | { host: string; port: number }, call: Call) {
  return new Promise<Answer>((resolve, reject) => {
    const { method, path: p, headers, agent } = call;
    const target = typeof to === 'string' ? { socketPath: to } : to;
    const req = http.request({ ...target, method, path: p, headers, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
        call.onChunk?.(c.toString());
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(call.body);
  });
}

/** Writes a raw request (any request line) and returns the status line of the answer. */
export function raw(target: net.NetConnectOpts, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(target, () => socket.write(text));
    let out = '';
    socket.on('data', (c: Buffer) => (out += c.toString()));
    socket.on('close', () => resolve(out.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}
