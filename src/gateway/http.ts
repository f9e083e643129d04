/** Small HTTP helpers shared by the gateway's faces: capped body reading and JSON replies. */
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';

export class BodyTooLarge extends Error {}

/** Reads a request body, failing as soon as it exceeds `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  closeIfUnread(res);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * An answer sent before the request body was read (refused, too large) must end the connection:
 * the unread rest of the body would otherwise be taken for the next request on it.
 */
export function closeIfUnread(res: ServerResponse): void {
  if (!res.req.complete) res.shouldKeepAlive = false;
}

/** The bearer token of an `authorization` header, or undefined. */
export function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

export class ConnectTimeout extends Error {}

const CONNECT_TIMEOUT_MS = 10_000;

/** Fails an upstream request that cannot connect within 10 s (the OS default is minutes). */
export function guardConnect(request: ClientRequest, origin: string): void {
  request.on('socket', (socket) => {
    if (!socket.connecting) return;
    const timer = setTimeout(() => {
      request.destroy(
        new ConnectTimeout(`timed out connecting to the model endpoint ${origin} after 10 s`),
      );
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  });
}
