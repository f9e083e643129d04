import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listenUnix, removeSocket } from './listen.js';

const close = (server: net.Server) => new Promise((resolve) => server.close(resolve));

describe('listenUnix', () => {
  let dir: string;
  const servers: net.Server[] = [];
  const server = () => {
    const s = net.createServer();
    servers.push(s);
    return s;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-listen-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a traversable directory and a world-connectable socket', async () => {
    const socket = path.join(dir, 'run', 'gateway.sock');
    const oldUmask = process.umask(0o077);
    try {
      await listenUnix(server(), socket);
    } finally {
      process.umask(oldUmask);
    }
    expect(fs.statSync(socket).mode & 0o777).toBe(0o666);
    expect(fs.statSync(path.dirname(socket)).mode & 0o777).toBe(0o755);
  });

  it('replaces a stale socket, but never a live one or a non-socket file', async () => {
    const socket = path.join(dir, 'gateway.sock');
    // A socket file nobody listens on, as a crashed host leaves it: a hard link outlives the
    // listener that created it.
    const temp = server();
    await new Promise<void>((resolve) => temp.listen(path.join(dir, 'temp.sock'), resolve));
    fs.linkSync(path.join(dir, 'temp.sock'), socket);
    await close(temp);
    const ino = await listenUnix(server(), socket);
    await expect(listenUnix(server(), socket)).rejects.toThrow(/already listening/);
    expect(fs.lstatSync(socket).ino).toBe(ino);
    fs.rmSync(socket);
    fs.writeFileSync(socket, 'not a socket');
    await expect(listenUnix(server(), socket)).rejects.toThrow(/is not a socket/);
    expect(fs.readFileSync(socket, 'utf8')).toBe('not a socket');
  });

  it('refuses a path too long for a unix socket with a clear message', async () => {
    const socket = path.join(dir, 'x'.repeat(120), 'gateway.sock');
    await expect(listenUnix(server(), socket)).rejects.toThrow(/shorter NANOCLAW_HOME/);
  });

  it('removeSocket leaves a socket that another listener has put there since', async () => {
    const socket = path.join(dir, 'gateway.sock');
    const first = server();
    const ino = await listenUnix(first, socket);
    fs.rmSync(socket); // e.g. someone cleaned up and a new host started
    await listenUnix(server(), socket);
    removeSocket(socket, ino);
    expect(fs.existsSync(socket)).toBe(true);
    removeSocket(socket, fs.lstatSync(socket).ino);
    expect(fs.existsSync(socket)).toBe(false);
  });
});
