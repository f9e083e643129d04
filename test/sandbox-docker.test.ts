/**
 * Real Docker containers, when a Docker daemon is reachable and the agent image exists
 * (`nanoclaw image build`). CI has no Docker daemon, so there these tests are skipped; the
 * command line itself is covered by src/sandbox/args.test.ts everywhere.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { createContainerRuntime } from '../src/sandbox/container.js';
import type { SandboxSpec } from '../src/sandbox/spec.js';
import { startFakeAnthropic } from './support/fake-anthropic.js';
import { runCli, tempHome } from './support/cli.js';
import { testSpec } from './support/sandbox.js';

const IMAGE = 'nanoclaw-agent:latest';
const dockerReady =
  spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore', env: process.env }).status ===
  0;

describe.skipIf(!dockerReady)('docker sandbox (real containers)', () => {
  const runtime = createContainerRuntime('docker', IMAGE, process.env, silentLogger());
  let home: string;
  let server: http.Server;
  let port: number;

  const spec = (script: string): SandboxSpec =>
    testSpec(home, {
      instance: 'docker-test',
      runId: `d${Date.now()}`,
      command: ['/bin/sh', '-c', script],
    });

  const run = async (s: SandboxSpec) => {
    const child = runtime.spawn(s, new AbortController().signal);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.resume();
    child.stdin.end();
    await new Promise((r) => child.on('close', r));
    return out;
  };

  beforeAll(async () => {
    home = tempHome('nanoclaw-docker-');
    server = http.createServer((_q, r) => r.end('host'));
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', () => r()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => {
    server.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('runs as uid 1000, read-only root, no network, ro mounts stay ro', async () => {
    const out = await run(
      spec(
        [
          'id -u',
          'touch /usr/x 2>/dev/null && echo WROTE-ROOT',
          'touch /workspace/global/x 2>/dev/null && echo WROTE-GLOBAL',
          'echo ok > /workspace/group/made && echo WROTE-GROUP',
          `/opt/node/bin/node -e "require('net').connect(${port},'172.17.0.1').on('error',e=>console.log(e.code)).on('connect',()=>console.log('CONNECTED'))"`,
          'ls /sys/class/net | tr "\\n" " "',
        ].join('; '),
      ),
    );
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('1000');
    expect(out).not.toContain('WROTE-ROOT');
    expect(out).not.toContain('WROTE-GLOBAL');
    expect(out).toContain('WROTE-GROUP');
    expect(out).not.toContain('CONNECTED');
    expect(lines.at(-1)?.trim()).toBe('lo');
  });

  it('runs a whole agent turn through the gateway socket', async () => {
    const fake = await startFakeAnthropic();
    const result = await runCli(['run', 'RUN: id -u'], {
      NANOCLAW_HOME: tempHome(),
      NANOCLAW_RUNTIME: 'docker',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-docker-test',
      ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    });
    await fake.close();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('DONE: 1000');
  });
});
