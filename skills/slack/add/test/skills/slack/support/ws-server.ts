/**
 * The server side of a WebSocket (RFC 6455), just what the fake Slack needs: the opening
 * handshake, text frames both ways, ping/pong, close, and an abrupt drop. Written here instead
 * of pulling in a WebSocket package for tests; the real client (undici's WebSocket inside
 * @slack/socket-mode) talks to it unmodified.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface WsConnection {
  sendText(text: string): void;
  ping(): void;
  /** A close frame, then the TCP connection ends (the client is expected to answer). */
  close(code?: number, reason?: string): void;
  /** Cuts the TCP connection without a close frame (a network drop). */
  destroy(): void;
  readonly open: boolean;
  onText(listener: (text: string) => void): void;
  onClose(listener: () => void): void;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65_536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
  size: number;
}

/** One frame from the start of `buf`, or undefined while it is incomplete. */
function parseFrame(buf: Buffer): Frame | undefined {
  if (buf.length < 2) return undefined;
  const b0 = buf[0] ?? 0;
  const b1 = buf[1] ?? 0;
  let len = b1 & 0x7f;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    at = 10;
  }
  const masked = (b1 & 0x80) !== 0;
  const mask = masked ? buf.subarray(at, at + 4) : undefined;
  if (masked) at += 4;
  if (buf.length < at + len) return undefined;
  const payload = Buffer.from(buf.subarray(at, at + len));
  if (mask)
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload, size: at + len };
}

/** Completes the upgrade of `req` on `socket`; undefined (socket closed) if it is no WebSocket. */
export function acceptWebSocket(
  req: http.IncomingMessage,
  socket: Duplex,
): WsConnection | undefined {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
    socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    return undefined;
  }
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  const textListeners: ((text: string) => void)[] = [];
  const closeListeners: (() => void)[] = [];
  let open = true;
  let closeSent = false;
  let buffer = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  const write = (opcode: number, payload: Buffer) => {
    if (open && !socket.destroyed) socket.write(frame(opcode, payload));
  };
  const ended = () => {
    if (!open) return;
    open = false;
    for (const l of closeListeners) l();
  };
  const onFrame = (f: Frame) => {
    if (f.opcode === 0x8) {
      if (!closeSent) write(0x8, f.payload.subarray(0, 2));
      closeSent = true;
      socket.end();
      ended();
    } else if (f.opcode === 0x9) write(0xa, f.payload);
    else if (f.opcode === 0x1 || f.opcode === 0x0) {
      fragments.push(f.payload);
      if (f.fin) {
        const text = Buffer.concat(fragments).toString('utf8');
        fragments = [];
        for (const l of textListeners) l(text);
      }
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (let f = parseFrame(buffer); f; f = parseFrame(buffer)) {
      buffer = buffer.subarray(f.size);
      onFrame(f);
    }
  });
  socket.on('close', ended);
  socket.on('error', ended);
  return {
    sendText: (text) => write(0x1, Buffer.from(text, 'utf8')),
    ping: () => write(0x9, Buffer.from('ping')),
    close(code = 1000, reason = '') {
      const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
      payload.writeUInt16BE(code, 0);
      payload.write(reason, 2);
      write(0x8, payload);
      closeSent = true;
      // The client answers with its close frame; end the TCP side soon either way.
      setTimeout(() => socket.destroy(), 200).unref();
    },
    destroy() {
      socket.destroy();
      ended();
    },
    get open() {
      return open;
    },
    onText: (l) => void textListeners.push(l),
    onClose: (l) => void closeListeners.push(l),
  };
}
