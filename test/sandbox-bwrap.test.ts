/**
 * Real bubblewrap sandboxes, probed from the inside with a shell and node: what a sandbox can
 * see, write, reach and signal. The spec is the production policy's (buildSandboxSpec over temp
 * folders, appRoot = this checkout); only the command differs. Loopback traffic only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { bwrapLaunch } from '../src/sandbox/bwrap-args.js';
import { createBwrapRuntime, readHostLayout } from '../src/sandbox/bwrap.js';
import { detectCgroups, type CgroupLayout } from '../src/sandbox/cgroups.js';
import { isOurSandbox, scanProcesses } from '../src/sandbox/orphans.js';
import type { SandboxProcess } from '../src/sandbox/runtime.js';
import type { SandboxSpec } from '../src/sandbox/spec.js';
import { APP_ROOT, tempHome } from './support/cli.js';
import { testSpec } from './support/sandbox.js';

const runtime = createBwrapRuntime(silentLogger());
const isRoot = process.getuid?.() === 0;
/** Per-sandbox cgroups (root with a writable cgroupfs); otherwise the rlimit fallback is tested. */
const cgroups = detectCgroups();

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function collect(child: SandboxProcess | ChildProcess): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin?.end();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function run(spec: SandboxSpec, signal = new AbortController().signal): Promise<Outcome> {
  return collect(runtime.spawn(spec, signal));
}

/** A sandbox whose parent is a shell, not a host: what a host that died leaves behind. */
function foreignSandbox(spec: SandboxSpec): ChildProcess {
  const launch = bwrapLaunch(spec, readHostLayout(), { uid: process.getuid?.() ?? 0 });
  const child = spawn('/bin/sh', ['-c', '"$@"; exit 0', 'sh', launch.command, ...launch.args], {
    stdio: ['pipe', 'pipe', 'pipe', ...launch.data.map(() => 'pipe' as const)],
    env: { PATH: '/usr/bin:/bin' },
    ...launch.spawnAs,
  });
  launch.data.forEach((content, i) => {
    const pipe = child.stdio[3 + i];
    if (pipe && 'end' in pipe) pipe.end(content);
  });
  return child;
}

const sandboxesOf = (instance: string) =>
  scanProcesses().filter((p) => isOurSandbox(p.argv, instance));

async function until(check: () => boolean, everyMs = 50): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, everyMs));
}

/** Resolves once a sandbox printed its first line (its command is running). */
function ready(child: SandboxProcess | ChildProcess): Promise<void> {
  return new Promise((resolve) => child.stdout?.once('data', () => resolve()));
}

describe('bubblewrap sandbox isolation', () => {
  let home: string;
  let hostServer: http.Server;
  let hostPort: number;
  let socketServer: net.Server;
  const makeSpec = (script: string, isMain = false, instance = 'bwrap-test') =>
    testSpec(home, { isMain, instance, command: ['/bin/sh', '-c', script] });

  beforeAll(async () => {
    home = tempHome('nanoclaw-bwrap-');
    hostServer = http.createServer((_req, res) => res.end('host page'));
    await new Promise<void>((r) => hostServer.listen(0, '127.0.0.1', () => r()));
    hostPort = (hostServer.address() as AddressInfo).port;
    makeSpec('true'); // creates the folders, owned by the sandbox uid
    const sock = path.join(home, 'run', 'gateway.sock');
    socketServer = net.createServer((c) => c.end('gateway says hi\n'));
    await new Promise<void>((r) => socketServer.listen(sock, () => r()));
    fs.chmodSync(sock, 0o666);
    process.env.ANTHROPIC_API_KEY = 'sk-test-secret';
  });

  afterAll(async () => {
    delete process.env.ANTHROPIC_API_KEY;
    await new Promise((r) => hostServer.close(r));
    await new Promise((r) => socketServer.close(r));
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('probes as working here', async () => {
    expect(await runtime.probe()).toEqual({ ok: true });
    const missing = createBwrapRuntime(silentLogger(), { bwrap: 'bwrap-not-installed' });
    const probe = await missing.probe();
    expect(probe.ok).toBe(false);
    expect(!probe.ok && probe.reason).toMatch(/apt-get install bubblewrap/);
  });

  it('runs as uid 1000, not root, with no capabilities', async () => {
    const out = await run(
      makeSpec('id -u; id -g; grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status'),
    );
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^1000\n1000\nCapEff:\s+0+\nCapBnd:\s+0+\n/);
  });

  it('sees no host path outside its mounts', async () => {
    const hidden = [
      '/root',
      path.join(APP_ROOT, 'src'),
      path.join(APP_ROOT, '.git'),
      home,
      path.join(home, 'groups'),
      '/var',
      '/etc/ssh',
      os.homedir(),
    ];
    const script = [
      ...hidden.map((p) => `test -e '${p}' && echo "VISIBLE ${p}"`),
      'cat /etc/shadow >/dev/null 2>&1 && echo "READ /etc/shadow"',
      'echo checked',
    ].join('; ');
    const out = await run(makeSpec(script));
    expect(out.stdout.trim()).toBe('checked');
    const etc = await run(makeSpec('ls /etc | sort | tr "\\n" " "'));
    expect(etc.stdout.trim().split(' ')).not.toContain('shadow');
    expect(etc.stdout.trim().split(' ')).toContain('passwd');
  });

  it('cannot write read-only mounts; writes its own folder as host uid 1000', async () => {
    const script = [
      'touch /workspace/global/x 2>/dev/null && echo WROTE-GLOBAL',
      'touch /opt/nanoclaw/dist/x 2>/dev/null && echo WROTE-RUNNER',
      'touch /opt/nanoclaw/node_modules/x 2>/dev/null && echo WROTE-MODULES',
      'touch /usr/x 2>/dev/null && echo WROTE-USR',
      'touch /etc/x 2>/dev/null && echo WROTE-ETC',
      'touch /x 2>/dev/null && echo WROTE-ROOT',
      'mkdir /workspace/new 2>/dev/null && echo WROTE-WORKSPACE',
      'touch /run/nanoclaw/x 2>/dev/null && echo WROTE-GATEWAY-DIR',
      'echo ok > /workspace/group/made.txt && echo WROTE-GROUP',
      'echo ok > /home/agent/.claude/made.txt && echo WROTE-CLAUDE',
      'echo ok > /tmp/t && echo WROTE-TMP',
    ].join('; ');
    const out = await run(makeSpec(script));
    expect(out.stdout.trim().split('\n')).toEqual(['WROTE-GROUP', 'WROTE-CLAUDE', 'WROTE-TMP']);
    expect(fs.statSync(path.join(home, 'groups/family/made.txt')).uid).toBe(1000);
    expect(fs.statSync(path.join(home, 'sessions/family/made.txt')).uid).toBe(1000);
    expect(fs.existsSync(path.join(APP_ROOT, 'dist', 'x'))).toBe(false);
    const main = await run(makeSpec('touch /workspace/global/by-main && echo MAIN-WROTE', true));
    expect(main.stdout.trim()).toBe('MAIN-WROTE');
  });

  it('cannot see host processes', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = new Promise((r) => sleeper.on('close', r));
    try {
      const out = await run(
        makeSpec(
          `ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' '; test -e /proc/${sleeper.pid} && echo HOST-SLEEP-VISIBLE; test -e /proc/${process.pid} && echo HOST-PID-VISIBLE`,
        ),
      );
      // Only the sandbox's own few processes (its init, the shell and this pipeline).
      const pids = out.stdout.trim().split(/\s+/).map(Number);
      expect(pids.length).toBeLessThanOrEqual(8);
      expect(Math.max(...pids)).toBeLessThan(20);
      expect(out.stdout).not.toContain('VISIBLE');
    } finally {
      sleeper.kill('SIGKILL');
      await exited;
    }
  });

  it('has no network: a host port and a non-loopback address are unreachable', async () => {
    const probe = (host: string, port: number) =>
      `/opt/node/bin/node -e "const s=require('net').connect(${port},'${host}');s.on('connect',()=>{console.log('CONNECTED');process.exit(0)});s.on('error',e=>{console.log(e.code);process.exit(0)})"`;
    const out = await run(
      makeSpec(
        `${probe('127.0.0.1', hostPort)}; ${probe('10.255.255.1', 80)}; /opt/node/bin/node -p "Object.keys(require('os').networkInterfaces()).join()"`,
      ),
    );
    expect(out.stdout.trim().split('\n')).toEqual(['ECONNREFUSED', 'ENETUNREACH', 'lo']);
  });

  it('reaches the gateway socket through its read-only mount', async () => {
    const out = await run(
      makeSpec(
        `/opt/node/bin/node -e "require('net').connect('/run/nanoclaw/gateway.sock').on('data',d=>process.stdout.write(d))"`,
      ),
    );
    expect(out.stdout).toBe('gateway says hi\n');
  });

  it('gets exactly the spec environment; no host variable reaches the sandbox or bwrap', async () => {
    const spec = {
      ...makeSpec(''),
      command: ['/opt/node/bin/node', '-e', 'console.log(JSON.stringify(process.env))'],
    };
    const out = await run(spec);
    // bwrap sets PWD for --chdir; nothing else is added.
    expect(JSON.parse(out.stdout)).toEqual({ ...spec.env, PWD: spec.cwd });
    const leaks = await run(makeSpec('cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n"'));
    expect(leaks.stdout).not.toMatch(/sk-test-secret|ANTHROPIC|NODE_|VITEST/);
  });

  it('the bwrap process on the host holds only PATH in its environment', async () => {
    const child = runtime.spawn(makeSpec('sleep 30'), new AbortController().signal);
    const done = collect(child);
    // Launchers exec one another (sh, setpriv, prlimit): look once it is bwrap itself.
    const comm = () => fs.readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim();
    await until(() => fs.existsSync(`/proc/${child.pid}/comm`) && comm() === 'bwrap');
    const environ = fs.readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
    child.kill('SIGKILL');
    await done;
    expect(environ.filter(Boolean).map((e) => e.split('=')[0])).toEqual(['PATH']);
  });

  it('cannot create nested user namespaces; core files are off', async () => {
    const out = await run(
      makeSpec(
        'unshare -U true 2>/dev/null && echo NESTED || echo blocked; grep -E "^Max core" /proc/self/limits',
      ),
    );
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toBe('blocked');
    expect(lines[1]).toMatch(/\s0\s+0\s/);
  });

  it.runIf(cgroups)(
    'has its own pids and memory cgroup: its fork bomb leaves another sandbox of the same uid working',
    async () => {
      const layout = cgroups as CgroupLayout;
      const abort = new AbortController();
      const spec = makeSpec(
        // dash gives up at the first failed fork; node keeps trying (each failure is an 'error').
        `node -e "const { spawn } = require('child_process'); for (let i = 0; i < 400; i++) spawn('sleep', ['30']).on('error', () => {}); setTimeout(() => console.log('saturated'), 500); setInterval(() => {}, 1000)"`,
        false,
        'bwrap-bomb',
      );
      const bomb = runtime.spawn(spec, abort.signal);
      const bombDone = collect(bomb);
      await ready(bomb);
      // From the host: the sandbox's own cgroup, at its limits.
      const own = fs.readFileSync(`/proc/${bomb.pid}/cgroup`, 'utf8');
      const pidsPath =
        layout.version === 1 ? /:pids:(.*)$/m.exec(own)?.[1] : /^0::(.*)$/m.exec(own)?.[1];
      expect(pidsPath).toMatch(/^\/nanoclaw\/bwrap-bomb\/nanoclaw-/);
      const dir = path.join(layout.version === 1 ? layout.pids : layout.root, pidsPath as string);
      expect(fs.readFileSync(path.join(dir, 'pids.max'), 'utf8').trim()).toBe('256');
      expect(Number(fs.readFileSync(path.join(dir, 'pids.current'), 'utf8'))).toBe(256);
      const memory =
        layout.version === 2
          ? path.join(dir, 'memory.max')
          : path.join(
              layout.memory ?? '',
              /:memory:(.*)$/m.exec(own)?.[1] ?? '',
              'memory.limit_in_bytes',
            );
      expect(Number(fs.readFileSync(memory, 'utf8'))).toBe(spec.limits.memoryMb * 1024 * 1024);
      // Same uid, same moment: another sandbox still starts 20 processes.
      const other = await run(
        makeSpec('for i in $(seq 1 20); do sleep 0.2 & done; wait; echo fine'),
      );
      expect(other.stdout.trim()).toBe('fine');
      expect(other.code).toBe(0);
      abort.abort();
      await bombDone;
      await until(() => !fs.existsSync(dir)); // emptied and removed
    },
  );

  it.runIf(isRoot && !cgroups)('without cgroups, as root: RLIMIT_NPROC bounds it', async () => {
    const out = await run(makeSpec('grep -E "^Max processes" /proc/self/limits'));
    expect(out.stdout).toMatch(/\s256\s+256\s/);
  });

  it('dies entirely even when aborted during bwrap’s own setup', async () => {
    // An outer bwrap killed before its inner finished setting up leaves the inner running;
    // the runtime finishes it off. Aborting the moment the inner appears hits that window.
    for (let i = 0; i < 3; i++) {
      const abort = new AbortController();
      const instance = `bwrap-early-${i}`;
      const outcome = run(makeSpec('sleep 30', false, instance), abort.signal);
      await until(() => sandboxesOf(instance).length >= 2, 0);
      abort.abort();
      await outcome;
      await until(() => sandboxesOf(instance).length === 0);
    }
  });

  it('dies, with everything inside it, when its signal aborts', async () => {
    const abort = new AbortController();
    const instance = 'bwrap-abort';
    const outcome = run(makeSpec('sleep 30', false, instance), abort.signal);
    await until(() => sandboxesOf(instance).length === 2); // outer bwrap + its pid-ns init
    abort.abort();
    const out = await outcome;
    expect(out.code).not.toBe(0);
    await until(() => sandboxesOf(instance).length === 0);
  });

  it('orphan cleanup kills leftovers of this instance only, never a live host’s sandbox', async () => {
    const script = 'echo ready; sleep 30';
    const live = runtime.spawn(makeSpec(script, false, 'orphan-a'), new AbortController().signal);
    const orphanA = foreignSandbox(makeSpec(script, false, 'orphan-a'));
    const orphanB = foreignSandbox(makeSpec(script, false, 'orphan-b'));
    const [liveDone, doneA, doneB] = [live, orphanA, orphanB].map(collect);
    // Past bwrap's setup (the command runs), so each sandbox dies as one piece.
    await Promise.all([live, orphanA, orphanB].map(ready));

    expect(await runtime.cleanupOrphans('orphan-a')).toBe(1);
    expect((await doneA)?.stdout).toBe('ready\n'); // its shell exits once the sandbox is gone
    await until(() => sandboxesOf('orphan-a').length === 2);
    expect(sandboxesOf('orphan-a').map((p) => p.ppid)).toContain(live.pid);
    expect(live.exitCode).toBeNull();
    expect(orphanB.exitCode).toBeNull();

    expect(await runtime.cleanupOrphans('orphan-b')).toBe(1);
    await doneB;
    expect(await runtime.cleanupOrphans('orphan-a')).toBe(0);
    live.kill('SIGKILL');
    await liveDone;
  });

  it('reports mount sources the sandbox uid cannot reach', () => {
    const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-closed-')); // 0700 root
    try {
      const reach = runtime.unreachable?.([path.join(APP_ROOT, 'dist'), closed], {
        uid: 1000,
        gid: 1000,
      });
      expect(reach).toBe(isRoot ? closed : undefined);
    } finally {
      fs.rmSync(closed, { recursive: true, force: true });
    }
  });
});
