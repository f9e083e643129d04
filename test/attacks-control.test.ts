/**
 * Attacks on the host's control socket ($NANOCLAW_HOME/control/host.sock): another local user
 * cannot connect (0700 directory, 0600 socket, checked by connecting as uid 65534 — needs root,
 * skipped otherwise), and whatever a client sends that is not a well-formed request is refused
 * with an error and the connection closed (fail closed). The real server, real sockets.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlReplySchema, controlDir, controlSocketPath } from '../src/control/protocol.js';
import { startControlServer, type ControlServer } from '../src/control/server.js';
import { requestStatus } from '../src/control/client.js';
import { silentLogger } from '../src/log.js';
import { tempHome } from './support/cli.js';

const STATUS = {
  running: true,
  home: '/x',
  assistantName: 'Andy',
  channels: [],
  groups: [],
  nextTasks: [],
  problems: [],
};

function send(socketPath: string, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath, () => socket.write(bytes));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
  });
}

describe('control socket attacks', () => {
  let home: string;
  let server: ControlServer;

  beforeAll(async () => {
    home = tempHome('nanoclaw-control-');
    fs.chmodSync(home, 0o711); // as the data directory is: others may traverse it
    server = await startControlServer({ home, status: () => STATUS, log: silentLogger() });
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('is owner-only on disk: directory 0700, socket 0600', () => {
    expect(fs.statSync(controlDir(home)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(controlSocketPath(home)).mode & 0o777).toBe(0o600);
  });

  it.runIf(process.getuid?.() === 0)('another local user cannot connect', () => {
    const script = `require('net').connect(${JSON.stringify(server.path)})
      .on('connect', () => { console.log('BREACH'); process.exit(0); })
      .on('error', (e) => { console.log(e.code); process.exit(0); });`;
    const result = spawnSync(process.execPath, ['-e', script], {
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
    });
    expect(result.stdout.trim()).toBe('EACCES');
  });

  it('answers a well-formed request, parsed by the client', async () => {
    expect(await requestStatus(home)).toEqual(STATUS);
  });

  it.each([
    ['not JSON', 'status please\n', /not JSON/],
    ['an unknown type', '{"v":1,"type":"shutdown"}\n', /malformed/],
    ['extra fields', '{"v":1,"type":"status","as":"root"}\n', /malformed/],
    ['another version', '{"v":2,"type":"status"}\n', /malformed/],
    ['an over-long line', `${'x'.repeat(5000)}\n`, /too long/],
    ['no newline, over the cap', 'y'.repeat(5000), /too long/],
  ])('refuses %s and closes', async (_name, bytes, error) => {
    const reply = ControlReplySchema.parse(JSON.parse(await send(server.path, bytes)));
    expect(reply.ok).toBe(false);
    expect(!reply.ok && reply.error).toMatch(error);
  });

  it('a socket left by a dead host is replaced at start (only the lock holder starts one)', async () => {
    const other = tempHome('nanoclaw-control-stale-');
    fs.mkdirSync(controlDir(other), { mode: 0o700 });
    fs.writeFileSync(controlSocketPath(other), 'stale');
    const fresh = await startControlServer({
      home: other,
      status: () => STATUS,
      log: silentLogger(),
    });
    try {
      expect(await requestStatus(other)).toEqual(STATUS);
    } finally {
      await fresh.close();
      fs.rmSync(other, { recursive: true, force: true });
    }
    expect(path.basename(fresh.path)).toBe('host.sock');
  });
});
