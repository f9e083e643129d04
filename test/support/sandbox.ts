/**
 * A production sandbox spec over folders in a temp data dir, for tests and benchmarks that
 * start sandboxes directly (the folders are handed to the sandbox uid, as the host does).
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildSandboxSpec, type SandboxPolicyInput } from '../../src/sandbox/policy.js';
import type { SandboxSpec } from '../../src/sandbox/spec.js';
import { APP_ROOT } from './cli.js';

export function testSpec(
  home: string,
  options: {
    folder?: string;
    isMain?: boolean;
    instance?: string;
    runId?: string;
    command?: string[];
  } = {},
): SandboxSpec {
  const folder = options.folder ?? 'family';
  const dir = (name: string) => {
    const p = path.join(home, name);
    fs.mkdirSync(p, { recursive: true });
    fs.chownSync(p, 1000, 1000);
    return p;
  };
  const spec = buildSandboxSpec({
    runId: options.runId ?? 'probe',
    instance: options.instance ?? 'test-instance',
    group: { folder, isMain: options.isMain ?? false },
    hostPaths: {
      appRoot: APP_ROOT,
      nodeBinary: fs.realpathSync(process.execPath),
      groupDir: dir(`groups/${folder}`),
      globalDir: dir('groups/global'),
      claudeHome: dir(`sessions/${folder}`),
      gatewayDir: dir('run'),
      coverDir: dir('cover'),
    },
    user: { uid: 1000, gid: 1000 },
    limits: {
      memoryMb: 512,
      cpus: 1,
      pids: 256,
      tmpMb: 16,
      outputMb: 64,
      diskMb: 1024,
      diskScanEntries: 200_000,
      timeoutMs: 120_000,
    },
    timezone: 'UTC',
  });
  return options.command ? { ...spec, command: options.command } : spec;
}

/** Policy input over made-up paths, for unit tests of the policy and the runtimes' arguments. */
export function policyInput(overrides: Partial<SandboxPolicyInput> = {}): SandboxPolicyInput {
  return {
    runId: 'r1',
    instance: 'inst',
    group: { folder: 'family', isMain: false },
    hostPaths: {
      appRoot: '/opt/app',
      nodeBinary: '/usr/bin/node',
      groupDir: '/d/groups/family',
      globalDir: '/d/groups/global',
      claudeHome: '/d/sessions/family',
      gatewayDir: '/d/run/gateway',
      coverDir: '/d/run/cover',
    },
    user: { uid: 1000, gid: 1001 },
    limits: {
      memoryMb: 512,
      cpus: 1.5,
      pids: 128,
      tmpMb: 64,
      outputMb: 64,
      diskMb: 1024,
      diskScanEntries: 200_000,
      timeoutMs: 60_000,
    },
    timezone: 'UTC',
    ...overrides,
  };
}
