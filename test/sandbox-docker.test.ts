/**
 * Real Docker containers, run only when a Docker daemon is reachable AND the agent image exists
 * (`nanoclaw image build`). Why skipped otherwise: this machine and CI have no Docker daemon
 * (and building the image needs a base image, which needs a registry or a debootstrap import),
 * so there these tests are skipped; the command line itself is unit-tested everywhere in
 * src/sandbox/container-args.test.ts. Same isolation checks as the bwrap suite.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { engineEnv } from '../src/sandbox/container-args.js';
import { createContainerRuntime } from '../src/sandbox/container.js';
import type { SandboxSpec } from '../src/sandbox/spec.js';
import { startFakeAnthropic } from './support/fake-anthropic.js';
import { runCli, tempHome } from './support/cli.js';
import { testSpec } from './support/sandbox.js';

const IMAGE = 'nanoclaw-agent:latest';
const docker = (args: string[]) =>
  spawnSync('docker', args, { stdio: 'ignore', env: engineEnv(process.env), timeout: 20_000 })
    .status === 0;
const dockerReady = docker(['info']) && docker(['image', 'inspect', IMAGE]);

describe.skipIf(!dockerReady)('docker sandbox (real containers)', () => {
  const runtime = createContainerRuntime('docker', IMAGE, process.env, silentLogger());
  let home: string;

  const spec = (script: string, instance = 'docker-test'): SandboxSpec =>
    testSpec(home, {
      instance,
      runId: `d${process.pid}${Math.random().toString(36).slice(2, 8)}`,
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

  beforeAll(() => {
    home = tempHome('nanoclaw-docker-');
  });

  afterAll(() => {
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('probes as working', async () => {
    expect(await runtime.probe()).toEqual({ ok: true });
  });

  it('runs as uid 1000 with a read-only root, no network, ro mounts kept ro', async () => {
    const connect = (host: string) =>
      `/opt/node/bin/node -e "require('net').connect(80,'${host}').on('error',e=>console.log(e.code)).on('connect',()=>console.log('CONNECTED'))"`;
    const out = await run(
      spec(
        [
          'id -u',
          'touch /usr/x 2>/dev/null && echo WROTE-ROOT',
          'touch /workspace/global/x 2>/dev/null && echo WROTE-GLOBAL',
          'touch /run/nanoclaw/x 2>/dev/null && echo WROTE-GATEWAY-DIR',
          'echo ok > /workspace/group/made && echo WROTE-GROUP',
          connect('10.255.255.1'),
          `/opt/node/bin/node -p "Object.keys(require('os').networkInterfaces()).join()"`,
        ].join('; '),
      ),
    );
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('1000');
    expect(out).not.toMatch(/WROTE-(ROOT|GLOBAL|GATEWAY-DIR)/);
    expect(out).toContain('WROTE-GROUP');
    expect(out).not.toContain('CONNECTED');
    expect(lines.at(-1)).toBe('lo');
    expect(fs.statSync(`${home}/groups/family/made`).uid).toBe(1000);
  });

  it('removes its leftovers by instance label', async () => {
    const child = runtime.spawn(spec('sleep 60', 'docker-orphans'), new AbortController().signal);
    child.stdout.resume();
    child.stderr.resume();
    const closed = new Promise((r) => child.on('close', r));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await runtime.cleanupOrphans('docker-orphans')).toBe(1);
    await closed;
    expect(await runtime.cleanupOrphans('docker-orphans')).toBe(0);
  });

  it('runs a whole agent turn through the gateway socket', async () => {
    const fake = await startFakeAnthropic();
    const result = await runCli(['run', 'RUN: id -u'], {
      NANOCLAW_HOME: tempHome(),
      NANOCLAW_RUNTIME: 'docker',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-docker-test',
      ...engineEnv(process.env),
    });
    await fake.close();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('DONE: 1000');
  });
});
