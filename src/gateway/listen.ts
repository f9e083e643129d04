/**
 * Where the gateway listens. The unix socket sits in a directory the sandbox user can traverse
 * (it is bind-mounted into sandboxes) and is world-connectable: every request still needs a live
 * capability. A socket left by a crashed host is replaced; a live one is never taken over.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { UserError, errorMessage } from '../errors.js';

/** Listens on `socketPath`; returns the socket file's inode, so close() removes only its own. */
export async function listenUnix(server: net.Server, socketPath: string): Promise<number> {
  const limit = process.platform === 'darwin' ? 103 : 107;
  if (Buffer.byteLength(socketPath) > limit) {
    throw new UserError(
      `The gateway socket path ${socketPath} is longer than the ${limit} bytes a unix socket ` +
        'allows. Use a shorter NANOCLAW_HOME.',
    );
  }
  prepareDir(path.dirname(socketPath));
  await clearStale(socketPath);
  await listen(server, (done) => server.listen(socketPath, done));
  fs.chmodSync(socketPath, 0o666);
  return fs.lstatSync(socketPath).ino;
}

export async function listenTcp(server: net.Server, host: string, port: number): Promise<number> {
  await listen(server, (done) => server.listen(port, host, done));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

/** Removes the socket file if it is still the one this gateway created. */
export function removeSocket(socketPath: string, ino: number): void {
  const stat = fs.lstatSync(socketPath, { throwIfNoEntry: false });
  if (stat?.isSocket() && stat.ino === ino) fs.rmSync(socketPath, { force: true });
}

function listen(server: net.Server, start: (done: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    start(() => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Creates the directory, and makes sure the sandbox user may pass through it (o+x). */
function prepareDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const mode = fs.statSync(dir).mode & 0o7777;
  // mkdir's mode is masked by the umask; only widen, never narrow (keeps e.g. a sticky bit).
  if ((mode & 0o755) !== 0o755) fs.chmodSync(dir, mode | 0o755);
}

async function clearStale(socketPath: string): Promise<void> {
  const stat = fs.lstatSync(socketPath, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isSocket()) {
    throw new UserError(
      `${socketPath} exists and is not a socket, so the gateway cannot listen there. ` +
        'Move that file away and start again.',
    );
  }
  if ((await probe(socketPath)) === 'live') {
    throw new UserError(
      `Another NanoClaw gateway is already listening on ${socketPath}. Stop the other NanoClaw ` +
        'process using this data directory, or use a different NANOCLAW_HOME.',
    );
  }
  fs.rmSync(socketPath, { force: true });
}

/** Whether something answers on the socket ('stale' when nobody does: a crashed host's). */
function probe(socketPath: string): Promise<'live' | 'stale'> {
  return new Promise((resolve, reject) => {
    const client = net.connect(socketPath);
    const done = (result: 'live' | 'stale') => {
      client.destroy();
      resolve(result);
    };
    client.once('connect', () => done('live'));
    client.setTimeout(1000, () => done('live'));
    client.once('error', (error: NodeJS.ErrnoException) => {
      client.destroy();
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') return resolve('stale');
      reject(
        new UserError(
          `Cannot check the gateway socket ${socketPath}: ${errorMessage(error)}`,
          {},
          { cause: error },
        ),
      );
    });
  });
}
