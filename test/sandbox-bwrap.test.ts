/**
 * Real bubblewrap sandboxes, probed from the inside with a shell and node: what a sandbox can
 * see, write, reach and signal. The spec is the production policy's; only the command differs.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { createBwrapRuntime } from '../src/sandbox/bwrap.js';
import type { SandboxSpec } from '../src/sandbox/spec.js';
import { APP_ROOT, tempHome } from './support/cli.js';
import { testSpec } from './support/sandbox.js';

const runtime = createBwrapRuntime(silentLogger());

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(spec: SandboxSpec, signal = new AbortController().signal): Promise<Outcome> {
  const child = runtime.spawn(spec, signal);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('bubblewrap sandbox isolation', () => {
  let home: string;
  let hostServer: http.Server;
  let hostPort: number;
  let socketServer: net.Server;
  const makeSpec = (script: string, isMain = false, instance = 'test-instance') =>
    testSpec(home, { isMain, instance, command: ['/bin/sh', '-c', script] });

  beforeAll(async () => {
    home = tempHome('nanoclaw-bwrap-');
    fs.mkdirSync(path.join(home, 'run'), { mode: 0o755 });
    hostServer = http.createServer((_req, res) => res.end('host secret page'));
    await new Promise<void>((r) => hostServer.listen(0, '127.0.0.1', () => r()));
    hostPort = (hostServer.address() as AddressInfo).port;
    const sock = path.join(home, 'run', 'gateway.sock');
    socketServer = net.createServer((c) => c.end('gateway says hi\n'));
    await new Promise<void>((r) => socketServer.listen(sock, () => r()));
    fs.chmodSync(sock, 0o666);
    process.env.ANTHROPIC_API_KEY = 'sk-planted-host-secret';
  });

  afterAll(() => {
    delete process.env.ANTHROPIC_API_KEY;
    hostServer.close();
    socketServer.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('runs as uid 1000 with no capabilities', async () => {
    const out = await run(
      makeSpec('id -u; id -g; grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'),
    );
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^1000\n1000\nCapEff:\s+0+\n/);
  });

  it('sees no host path outside its mounts', async () => {
    const hidden = [
      '/root',
      path.join(APP_ROOT, 'src'),
      home,
      path.join(home, 'groups'),
      '/etc/shadow',
      '/var',
      os.homedir(),
    ];
    const script =
      hidden.map((p) => `test -e '${p}' && echo "VISIBLE ${p}"`).join('; ') + '; echo checked';
    const out = await run(makeSpec(script));
    expect(out.stdout.trim()).toBe('checked');
    const etc = await run(makeSpec('ls /etc | sort | tr "\\n" " "'));
    expect(etc.stdout.trim()).not.toMatch(/shadow|sudoers|ssh/);
  });

  it('cannot write read-only mounts; writes its own folder as host uid 1000', async () => {
    const script = [
      'touch /workspace/global/x 2>/dev/null && echo WROTE-GLOBAL',
      'touch /opt/nanoclaw/dist/x 2>/dev/null && echo WROTE-RUNNER',
      'touch /usr/x 2>/dev/null && echo WROTE-USR',
      'touch /run/nanoclaw/x 2>/dev/null && echo WROTE-GATEWAY-DIR',
      'echo ok > /workspace/group/made.txt && echo WROTE-GROUP',
    ].join('; ');
    const out = await run(makeSpec(script));
    expect(out.stdout.trim()).toBe('WROTE-GROUP');
    const made = path.join(home, 'groups/family/made.txt');
    expect(fs.statSync(made).uid).toBe(1000);
    const main = await run(makeSpec('touch /workspace/global/by-main && echo MAIN-WROTE', true));
    expect(main.stdout.trim()).toBe('MAIN-WROTE');
  });

  it('cannot see host processes', async () => {
    const out = await run(
      makeSpec(
        `ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' '; test -e /proc/${process.pid}/cmdline && echo HOST-PID-VISIBLE`,
      ),
    );
    // Only the sandbox's own few processes (its init and this pipeline), numbered from 1.
    const pids = out.stdout.trim().split(/\s+/).map(Number);
    expect(pids.length).toBeLessThanOrEqual(8);
    expect(Math.max(...pids)).toBeLessThan(20);
    expect(out.stdout).not.toContain('HOST-PID-VISIBLE');
  });

  it('has no network: a host port and a non-loopback address are unreachable', async () => {
    const probe = (host: string, port: number) =>
      `/opt/node/bin/node -e "const s=require('net').connect(${port},'${host}');s.on('connect',()=>{console.log('CONNECTED');process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(0)})"`;
    const out = await run(
      makeSpec(`${probe('127.0.0.1', hostPort)}; ${probe('10.255.255.1', 80)}`),
    );
    expect(out.stdout.trim().split('\n')).toEqual(['ECONNREFUSED', 'ENETUNREACH']);
  });

  it('reaches the gateway socket through its read-only mount', async () => {
    const out = await run(
      makeSpec(
        `/opt/node/bin/node -e "require('net').connect('/run/nanoclaw/gateway.sock').on('data',d=>process.stdout.write(d))"`,
      ),
    );
    expect(out.stdout).toBe('gateway says hi\n');
  });

  it('gets exactly the spec environment (no host variables, no secrets)', async () => {
    const spec = {
      ...makeSpec(''),
      command: ['/opt/node/bin/node', '-e', 'console.log(JSON.stringify(process.env))'],
    };
    const out = await run(spec);
    // bwrap sets PWD for --chdir; nothing else is added.
    expect(JSON.parse(out.stdout)).toEqual({ ...spec.env, PWD: spec.cwd });
    expect(out.stdout).not.toContain('sk-planted-host-secret');
  });

  it('cannot create nested user namespaces', async () => {
    const out = await run(makeSpec('unshare -U true 2>/dev/null && echo NESTED || echo blocked'));
    expect(out.stdout.trim()).toBe('blocked');
  });

  it('dies when its signal aborts', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const outcome = run(makeSpec('sleep 30'), abort.signal);
    setTimeout(() => abort.abort(), 300);
    const out = await outcome;
    expect(out.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('orphan cleanup kills only this instance’s sandboxes', async () => {
    const ours = runtime.spawn(
      makeSpec('sleep 30', false, 'orphan-a'),
      new AbortController().signal,
    );
    const theirs = runtime.spawn(
      makeSpec('sleep 30', false, 'orphan-b'),
      new AbortController().signal,
    );
    const exited = (c: typeof ours) => new Promise((r) => c.on('close', () => r(true)));
    const oursDone = exited(ours);
    const theirsDone = exited(theirs);
    await new Promise((r) => setTimeout(r, 300));
    expect(await runtime.cleanupOrphans('orphan-a')).toBeGreaterThan(0);
    expect(await oursDone).toBe(true);
    expect(theirs.exitCode).toBeNull();
    expect(await runtime.cleanupOrphans('orphan-b')).toBeGreaterThan(0);
    await theirsDone;
  });
});
