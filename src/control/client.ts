/**
 * The CLI side of the control socket: one request, one reply line, parsed with zod. A missing
 * socket or a refused connection is HostUnreachable (the caller falls back to the database).
 */
import net from 'node:net';
import { NanoClawError } from '../errors.js';
import {
  CONTROL_PROTOCOL,
  ControlReplySchema,
  MAX_REPLY_BYTES,
  controlSocketPath,
  type StatusReport,
} from './protocol.js';

/** Nothing listens on the control socket. */
export class ControlUnreachableError extends NanoClawError {}

const TIMEOUT_MS = 10_000;

function exchange(socketPath: string, line: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let data = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    const onAbort = () => fail(new ControlUnreachableError('The host did not answer in time.'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => socket.write(`${line}\n`));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length > MAX_REPLY_BYTES) fail(new NanoClawError('The host reply is too long.'));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const gone = ['ENOENT', 'ECONNREFUSED', 'ENOTSOCK'].includes(error.code ?? '');
      const message = `Cannot reach the host at ${socketPath} (${error.code ?? error.message}).`;
      fail(gone ? new ControlUnreachableError(message, {}, { cause: error }) : error);
    });
    socket.on('close', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(data.toString('utf8'));
    });
  });
}

export async function requestStatus(
  home: string,
  signal: AbortSignal = AbortSignal.timeout(TIMEOUT_MS),
): Promise<StatusReport> {
  const line = JSON.stringify({ v: CONTROL_PROTOCOL, type: 'status' });
  const raw = await exchange(controlSocketPath(home), line, signal);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new NanoClawError('The host sent a reply that is not JSON.', {}, { cause: error });
  }
  const reply = ControlReplySchema.safeParse(json);
  if (!reply.success) throw new NanoClawError('The host sent a malformed reply.', {});
  if (!reply.data.ok) throw new NanoClawError(`The host refused: ${reply.data.error}`);
  return reply.data.status;
}
