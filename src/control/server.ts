/**
 * The host side of the control socket (protocol.ts). The directory is made 0700 and the socket
 * 0600, so only the host's own user can connect. Each connection carries one request: a line of
 * at most MAX_REQUEST_BYTES, parsed with zod; anything malformed, too long or too slow gets a
 * refusal and the connection is closed (fail closed). Nothing here changes state.
 */
import fs from 'node:fs';
import net from 'node:net';
import { NanoClawError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import {
  ControlRequestSchema,
  MAX_REQUEST_BYTES,
  controlDir,
  controlSocketPath,
  type ControlReply,
  type ControlRequest,
  type StatusReport,
} from './protocol.js';

const REQUEST_TIMEOUT_MS = 5000;

export interface ControlServerDeps {
  home: string;
  status(): StatusReport;
  log: Logger;
}

export interface ControlServer {
  path: string;
  close(): Promise<void>;
}

/** Makes the owner-only directory; refuses one that is a symlink or someone else's. */
function prepareDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid())) {
    throw new NanoClawError(`${dir} is not a directory of this user: remove it and start again.`);
  }
  fs.chmodSync(dir, 0o700);
}

/** The one answer to a request line (pure apart from the handler). */
export function answer(line: string, handle: (r: ControlRequest) => StatusReport): ControlReply {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: 'The request is not JSON.' };
  }
  const parsed = ControlRequestSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: 'Unknown or malformed request.' };
  return { ok: true, status: handle(parsed.data) };
}

function serve(socket: net.Socket, deps: ControlServerDeps): void {
  let buffered = Buffer.alloc(0);
  let done = false;
  const reply = (message: ControlReply) => {
    if (done) return;
    done = true;
    socket.end(`${JSON.stringify(message)}\n`);
  };
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => {
    reply({ ok: false, error: 'No request within 5 s.' });
    socket.destroySoon();
  });
  socket.on('error', (error) => deps.log.debug({ err: errorMessage(error) }, 'control client'));
  socket.on('data', (chunk: Buffer) => {
    if (done) return;
    buffered = Buffer.concat([buffered, chunk]);
    const nl = buffered.indexOf(10);
    if (nl < 0 && buffered.length <= MAX_REQUEST_BYTES) return;
    if (nl < 0 || nl > MAX_REQUEST_BYTES) return reply({ ok: false, error: 'Request too long.' });
    try {
      reply(answer(buffered.subarray(0, nl).toString('utf8'), () => deps.status()));
    } catch (error) {
      deps.log.error({ err: errorMessage(error) }, 'control request failed');
      reply({ ok: false, error: 'The host could not answer; see its log.' });
    }
  });
}

/** Listens on `$NANOCLAW_HOME/control/host.sock` (the caller holds the data directory's lock). */
export async function startControlServer(deps: ControlServerDeps): Promise<ControlServer> {
  const dir = controlDir(deps.home);
  prepareDir(dir);
  const socketPath = controlSocketPath(deps.home);
  // Only the lock holder gets here: a socket left in the directory is a dead host's.
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer((socket) => serve(socket, deps));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    path: socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        fs.rmSync(socketPath, { force: true });
      }),
  };
}
