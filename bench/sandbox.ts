/**
 * Issue "Sandboxed agent runs" figures: sandbox start (spawn → runner ready), turn start → first
 * model request with and without bwrap, and tool → host API round trips from inside a sandbox.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { secretSource } from '../src/config.js';
import { createCapabilityRegistry } from '../src/gateway/capabilities.js';
import { createGateway } from '../src/gateway/server.js';
import { silentLogger } from '../src/log.js';
import { createBwrapRuntime } from '../src/sandbox/bwrap.js';
import { createContainerRuntime } from '../src/sandbox/container.js';
import type { SandboxSpec } from '../src/sandbox/spec.js';
import { startAgentRun } from '../src/runs/agent-run.js';
import { startFakeAnthropic } from '../test/support/fake-anthropic.js';
import { tempHome } from '../test/support/cli.js';
import { testSpec } from '../test/support/sandbox.js';
import { startRunnerHarness, type RunnerHarness } from '../test/support/runner.js';
import { row } from './stats.js';

const RUNS = 20;

export async function benchSandbox(): Promise<void> {
  const fake = await startFakeAnthropic();
  const home = tempHome('nanoclaw-bench-');
  const spec = (runId: string): SandboxSpec =>
    testSpec(home, { folder: 'main', isMain: true, instance: 'bench', runId });
  spec('setup'); // creates the folders, owned by the sandbox uid
  const capabilities = createCapabilityRegistry();
  const gateway = await createGateway({
    socketPath: path.join(home, 'run', 'gateway.sock'),
    upstreamUrl: fake.url,
    secrets: secretSource({ ANTHROPIC_API_KEY: 'sk-bench' }, path.join(home, '.env')),
    capabilities,
    handlers: { sendMessage: async () => {} },
    log: silentLogger(),
  });
  const runtime = createBwrapRuntime(silentLogger());
  const deps = {
    runtime,
    capabilities,
    gateway: { kind: 'unix' as const, path: '/run/nanoclaw/gateway.sock' },
    log: silentLogger(),
  };
  const start = { group: { folder: 'main', isMain: true }, assistantName: 'Andy', timezone: 'UTC' };

  const ready: number[] = [];
  const firstRequest: number[] = [];
  const direct: number[] = [];
  let rtts: number[] = [];
  const harness = await startRunnerHarness(fake.url);
  // Interleaved with the unsandboxed runs, so machine noise hits both alike.
  for (let i = 0; i < RUNS; i++) {
    direct.push(await directFirstRequest(fake, harness));
    const before = fake.requests.length;
    const t0 = performance.now();
    const t0wall = Date.now();
    const prompt = i === 0 ? `RUN: ${rttScript()}` : 'hello';
    const run = startAgentRun(
      {
        spec: spec(`b${i}`),
        context: { runId: `b${i}`, group: start.group },
        start: { ...start, prompt },
      },
      deps,
      new AbortController().signal,
    );
    for await (const event of run.events) {
      if (event.type === 'ready') ready.push(performance.now() - t0);
      if (event.type === 'result') {
        if (i === 0) rtts = parseRtts(event.text);
        run.close();
      }
    }
    await run.finished;
    const first = fake.requests[before];
    if (first) firstRequest.push(first.at - t0wall);
  }
  const docker = await dockerReady(spec, deps, start);
  await gateway.close();
  await harness.close();
  await fake.close();
  fs.rmSync(home, { recursive: true, force: true });
  console.log('\n## Sandboxed agent runs (bwrap)');
  console.log(row('sandbox start: spawn → runner ready', ready));
  console.log(row('turn start → first model request (bwrap)', firstRequest));
  console.log(row('turn start → first model request (no sandbox)', direct));
  const overhead = median(firstRequest) - median(direct);
  console.log(
    `${'bwrap overhead on top of SDK start-up (p50 difference)'.padEnd(48)} ${overhead.toFixed(1)} ms`,
  );
  console.log(row('tool → host API round trip (inside sandbox)', rtts));
  if (docker.length > 0) console.log(row('sandbox start: spawn → runner ready (docker)', docker));
  else console.log('docker: not measured (no Docker daemon or no nanoclaw-agent image here)');
}

/** Spawn → `ready` for Docker containers, when a daemon and the agent image are there. */
async function dockerReady(
  spec: (runId: string) => SandboxSpec,
  deps: Parameters<typeof startAgentRun>[1],
  start: { group: { folder: string; isMain: boolean }; assistantName: string; timezone: string },
): Promise<number[]> {
  if (
    spawnSync('docker', ['image', 'inspect', 'nanoclaw-agent:latest'], { stdio: 'ignore' })
      .status !== 0
  ) {
    return [];
  }
  const runtime = createContainerRuntime(
    'docker',
    'nanoclaw-agent:latest',
    process.env,
    silentLogger(),
  );
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const context = { runId: `d${i}`, group: start.group };
    const run = startAgentRun(
      { spec: spec(`d${i}`), context, start: { ...start, prompt: 'hello' } },
      { ...deps, runtime },
      new AbortController().signal,
    );
    for await (const event of run.events) {
      if (event.type === 'ready') out.push(performance.now() - t0);
      if (event.type === 'result') run.close();
    }
    await run.finished;
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** A node script run by the agent's Bash tool: 50 host API calls through the forwarder. */
function rttScript(): string {
  const js =
    "const u=process.env.NANOCLAW_HOST_URL+'/api/list_groups';const h={authorization:'Bearer '+process.env.ANTHROPIC_API_KEY,'content-type':'application/json'};" +
    "(async()=>{const r=[];for(let i=0;i<55;i++){const t=performance.now();await (await fetch(u,{method:'POST',headers:h,body:'{}'})).text();r.push(performance.now()-t)}console.log('RTT '+r.slice(5).map(x=>x.toFixed(2)).join(' '))})()";
  return `node -e "${js.replace(/"/g, '\\"')}"`;
}

function parseRtts(text: string): number[] {
  const line = text.split('\n').find((l) => l.includes('RTT '));
  return line
    ? line
        .slice(line.indexOf('RTT ') + 4)
        .trim()
        .split(/\s+/)
        .map(Number)
    : [];
}

/** The same turn with the runner started directly on the host (the SDK's own start-up). */
async function directFirstRequest(
  fake: Awaited<ReturnType<typeof startFakeAnthropic>>,
  harness: RunnerHarness,
): Promise<number> {
  const before = fake.requests.length;
  const t0 = Date.now();
  const run = harness.start({ prompt: 'hello' });
  await run.waitFor((e) => e.type === 'result');
  run.send({ type: 'close' });
  await run.exit;
  return (fake.requests[before]?.at ?? Number.NaN) - t0;
}
